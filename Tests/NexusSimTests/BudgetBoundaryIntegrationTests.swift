import Foundation
import NexusGateway
import NexusScenario
import NexusSim
import Testing

/// Hard budgets across window boundaries inside the simulation: ~70 s calls are in flight when a day or a
/// month ends, and the new window must not pay for them. Each attempt's cost belongs to the window it was
/// reserved in, so every window settles at most its limit and nothing is overspent.
@Suite struct BudgetBoundaryIntegrationTests {
    /// 5 requests/s of 70 s calls ($0.016 each, $0.025 reserved), 20 minutes around a boundary: about 350
    /// calls are in flight at any instant, ~$8.75 reserved.
    static func run(start: String, budget: String, users: String = "") throws -> RunSummary {
        let scenario = try ScenarioLoader.parse(text: """
            name: boundary
            simulation: {start: \(start), duration: 20m, warmup: 0s, drain: 5m, series_window: 1m}
            gateway: {instances: 1, concurrency: 10000}
            routing: {retries: none, attempt_timeout: none, deadline: none}
            budget: {\(budget)}
            providers:
              - name: p
                classifications: [public]
                models:
                  - {name: slow, price: {input_per_mtok: $10, output_per_mtok: $30}, ttft: 70s}
            tiers:
              - {name: gold, models: [p/slow]}
            traffic:
              arrivals: {process: poisson, rate: 5/s}
              \(users)
              classes: [{name: c, share: 100%, tier: gold, input_tokens: 1000, output_tokens: 200, max_output_tokens: 500}]
            """)
        return Simulation(plan: SimulationPlan(scenario), baseSeed: 7).run()
    }

    @Test func aDailyBlockBudgetHoldsAcrossMidnight() throws {
        let s = try Self.run(start: "2026-12-31T23:50:00Z", budget: "daily: $40, action: block")
        #expect(s.dailySpend.count == 2)
        for day in s.dailySpend { #expect(day.spend.dollars <= 40 + 1e-9, "\(day)") }
        // Both days use their budget: what was in flight at midnight settled into December.
        #expect(s.dailySpend.allSatisfy { $0.spend.dollars > 39 })
        #expect(s.overspend == .zero)
        #expect(s.rejected > 0)
        #expect(abs(s.totalCost.dollars - s.dailySpend.reduce(0) { $0 + $1.spend.dollars }) < 1e-9)
    }

    @Test func aMonthlyBlockBudgetHoldsAcrossTheTurnOfTheMonth() throws {
        let s = try Self.run(start: "2026-11-30T23:50:00Z", budget: "monthly: $40, action: block")
        #expect(s.overspend == .zero)
        // November is the first local day, December the second.
        let november = s.dailySpend[0].spend.dollars, december = s.dailySpend[1].spend.dollars
        #expect(november <= 40 + 1e-9 && november > 39)
        #expect(december <= 40 + 1e-9 && december > 39)
        #expect(abs(s.totalCost.dollars - november - december) < 1e-9)
    }

    @Test func perUserMonthlyCapsHoldAcrossTheTurnOfTheMonth() throws {
        let s = try Self.run(start: "2026-11-30T23:50:00Z", budget: "per_user_monthly: $4, action: block",
                             users: "users: {count: 10, zipf: 0}")
        #expect(s.overspend == .zero)
        #expect(s.usersAtCap == 10)
        // Ten users × $4 in each month at most.
        for day in s.dailySpend { #expect(day.spend.dollars <= 40 + 1e-9) }
    }
}
