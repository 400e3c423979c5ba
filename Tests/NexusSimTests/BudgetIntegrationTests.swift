import Foundation
import NexusGateway
import NexusScenario
import NexusSim
import Testing

/// The budget guard inside the simulation: hard limits hold under concurrency, rejections are counted as
/// rejections, downgrade moves traffic to the cheaper tier, alert lets spend run over.
@Suite struct BudgetIntegrationTests {
    /// Two tiers: premium ($10/$30 per Mtok, 1 s calls) and cheap ($0.10/$0.30); 5 requests/s for 2 days.
    static func scenario(budget: String) throws -> Scenario {
        try ScenarioLoader.parse(text: """
            name: budget-test
            simulation: {start: 2026-12-01, duration: 2d, warmup: 0s, drain: 10m, series_window: 1h}
            gateway: {instances: 1, concurrency: 1000}
            routing: {retries: none}
            budget: {\(budget)}
            providers:
              - name: p
                classifications: [public]
                models:
                  - {name: premium, price: {input_per_mtok: $10, output_per_mtok: $30}, ttft: 1s}
                  - {name: cheap, price: {input_per_mtok: $0.10, output_per_mtok: $0.30}, ttft: 500ms}
            tiers:
              - {name: gold, models: [p/premium]}
              - {name: economy, models: [p/cheap]}
            traffic:
              arrivals: {process: poisson, rate: 5/s}
              classes: [{name: c, share: 100%, tier: gold, input_tokens: 1000, output_tokens: 200, max_output_tokens: 500}]
            """)
    }

    static func run(_ budget: String) throws -> RunSummary {
        Simulation(plan: SimulationPlan(try scenario(budget: budget)), baseSeed: 3).run()
    }

    @Test func blockKeepsEveryDayUnderItsLimitAndRejects() throws {
        // Each request costs $0.016 and reserves $0.025; $20/day is ~1250 requests of ~432k a day.
        let s = try Self.run("daily: $20, action: block")
        #expect(s.dailySpend.count >= 2)
        for day in s.dailySpend { #expect(day.spend.dollars <= 20 + 1e-9) }
        #expect(s.dailySpend[0].spend.dollars > 19.9)
        #expect(s.rejected > 800_000)
        #expect(s.count(.budgetExceeded) == s.rejected)
        #expect(s.failed == 0)
        #expect(s.overspend == .zero)
        #expect(s.budgetExhaustedWindow == .day)
        // Alerts at 70, 85 and 95 % fire once a day.
        #expect(s.budgetAlerts.filter { $0.window == .day }.map(\.threshold) == [0.7, 0.85, 0.95, 0.7, 0.85, 0.95])
        #expect(abs(s.totalCost.dollars - s.dailySpend.reduce(0) { $0 + $1.spend.dollars }) < 1e-6)
    }

    @Test func downgradeRoutesToTheCheaperTier() throws {
        // Once the premium model no longer fits the day's room, requests move to the economy tier, which
        // uses up what is left (its worst case is $0.00025) before it too is refused.
        let s = try Self.run("daily: $20, action: downgrade, downgrade_to: economy")
        #expect(s.downgraded > 800_000)
        #expect(s.byModel[1].successes > 50)
        #expect(s.byModel[1].successes + s.rejected == s.downgraded)
        #expect(s.costByTier[1] > .zero)
        for day in s.dailySpend { #expect(day.spend.dollars <= 20 + 1e-9) }
        // The economy tier spends the last cents: each day ends closer to the limit than with block.
        let blocked = try Self.run("daily: $20, action: block")
        #expect(s.dailySpend[0].spend > blocked.dailySpend[0].spend)
    }

    @Test func alertRecordsButDoesNotStop() throws {
        let s = try Self.run("daily: $20, action: alert")
        #expect(s.rejected == 0)
        #expect(s.overspend.dollars > 1000)
        #expect(s.budgetExhaustedWindow == .day)
        #expect(s.succeeded == s.requests)
    }

    @Test func aBudgetThatLeavesOnlyARateLimitedFreeModelRefusesWithBudgetExceeded() throws {
        // Gold falls back from the premium model to a free one limited to 2 requests a minute. Once the day's
        // $20 no longer covers the premium model's worst case, only the free model fits: its 429s open its
        // breaker, and the requests that then find no route are refused by the budget, not by the breaker.
        let text = """
            name: budget-free-model
            simulation: {start: 2026-12-01, duration: 6h, warmup: 0s, drain: 10m, series_window: 1h}
            gateway: {instances: 1, concurrency: 1000}
            routing: {retries: none, circuit_breaker: {window: 60s, min_requests: 5, failure_threshold: 50%, cooldown: 30s}}
            budget: {daily: $20, action: block}
            providers:
              - name: p
                classifications: [public]
                models:
                  - {name: premium, price: {input_per_mtok: $10, output_per_mtok: $30}, ttft: 1s}
                  - {name: free, price: {input_per_mtok: $0, output_per_mtok: $0}, ttft: 500ms, limits: {requests_per_minute: 2}}
            tiers:
              - {name: gold, models: [p/premium, p/free]}
            traffic:
              arrivals: {process: poisson, rate: 5/s}
              classes: [{name: c, share: 100%, tier: gold, input_tokens: 1000, output_tokens: 200, max_output_tokens: 500}]
            """
        let s = Simulation(plan: SimulationPlan(try ScenarioLoader.parse(text: text)), baseSeed: 3).run()
        #expect(s.count(.noAvailableRoute) == 0)
        #expect(s.count(.budgetExceeded) > 50_000)
        #expect(s.rejected == s.count(.budgetExceeded))
        // The free model served at most its 2 a minute over 6 h 10 min; the requests it refused with 429 and
        // nothing affordable left to fall back to failed as rate_limited (they were sent).
        #expect(s.byModel[1].successes > 0 && s.byModel[1].successes <= 2 * 370)
        #expect(s.failed == s.count(.rateLimited))
        #expect(s.requests == s.succeeded + s.failed + s.rejected)
        // Without the budget, the same traffic never reaches the free model's breaker as a reason either.
        let unlimited = Simulation(plan: SimulationPlan(try ScenarioLoader.parse(
            text: text.replacingOccurrences(of: "budget: {daily: $20, action: block}\n", with: ""))), baseSeed: 3).run()
        #expect(unlimited.rejected == 0 && unlimited.count(.noAvailableRoute) == 0)
    }
}
