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
}
