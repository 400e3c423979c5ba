import NexusGateway
import NexusScenario
import NexusSim
import Testing

/// The budget's reservation modes in a simulation with requests in flight together: a $1 monthly budget, a
/// model charging $10 per million output tokens (prompts free), `max_tokens` 8000 and answers of 400 tokens —
/// a worst case of $0.08 for an answer of $0.004 — at 5 requests/s with a 1 s time to first token, so about
/// five attempts run at once.
@Suite struct BudgetReservationIntegrationTests {
    static func run(_ reservation: String, teams: String = "", budget: String = "monthly: $1") throws -> RunSummary {
        let scenario = try ScenarioLoader.parse(text: """
            name: reservation-test
            simulation: {duration: 1h, warmup: 0s, drain: 10m, series_window: 10m}
            gateway: {instances: 1, concurrency: 1000}
            routing: {retries: none}
            budget: {\(budget), reservation: \(reservation)}
            providers:
              - name: p
                classifications: [public]
                models:
                  - {name: m, price: {input_per_mtok: $0, output_per_mtok: $10}, ttft: 1s, tokens_per_second: 400}
            tiers:
              - {name: t, models: [p/m]}
            traffic:
              arrivals: {process: poisson, rate: 5/s}
              \(teams)
              classes: [{name: c, share: 100%, tier: t, input_tokens: 100, output_tokens: 400, max_output_tokens: 8000}]
            """)
        return Simulation(plan: SimulationPlan(scenario), baseSeed: 11).run()
    }

    @Test func worstCaseLeavesAboutOneWorstCaseUnspent() throws {
        let s = try Self.run("worst_case")
        // Once nothing is in flight, a settled spend at or below $1 − $0.08 would admit the next request.
        #expect(s.totalCost.dollars > 0.92 && s.totalCost.dollars <= 1 + 1e-12)
        #expect(s.overspend == .zero)
        #expect(s.budgetUsedShareAtExhaustion.map { $0 > 0.92 && $0 <= 1 + 1e-12 } == true)
        #expect(s.budgetClampedAttempts == 0)
    }

    @Test func clampUsesTheBudgetAndNeverExceedsIt() throws {
        let s = try Self.run("clamp")
        #expect(s.totalCost.dollars >= 0.99)
        #expect(s.totalCost.dollars <= 1 + 1e-12)
        #expect(s.overspend == .zero)
        #expect(s.budgetUsedShareAtExhaustion! >= 0.99)
        #expect(s.budgetClampedAttempts! > 0)
        // Clamped answers were cut at their max_tokens, never longer than asked.
        #expect(s.byModel[0].outputTokens < 400 * s.byModel[0].successes)
        let worstCase = try Self.run("worst_case")
        #expect(s.rejected < worstCase.rejected)
    }

    @Test func noneOverspendsWithRequestsInFlight() throws {
        let s = try Self.run("none")
        // About five requests are admitted while others are still running: each adds $0.004 past the limit.
        #expect(s.overspend.dollars > 0)
        #expect(s.overspend.dollars <= 0.004 * 40)
        #expect(abs(s.totalCost.dollars - 1 - s.overspend.dollars) < 1e-9)
        #expect(s.budgetClampedAttempts == 0)
    }

    @Test func teamsSpendTheirOwnMonthlyBudgets() throws {
        // 40 users in 4 teams (user i in team i mod 4), $0.20 per team: each team is refused once its $0.20 is
        // used, and the four together spend at most $0.80.
        let s = try Self.run("worst_case", teams: "users: {count: 40, zipf: 1, teams: 4}", budget: "per_team_monthly: $0.20")
        #expect(s.budgetExhaustedWindow == .teamMonth)
        #expect(s.totalCost.dollars <= 0.8 + 1e-12)
        #expect(s.totalCost.dollars > 4 * (0.2 - 0.08))
        #expect(s.rejected > 0)
        let without = try Self.run("worst_case", teams: "users: {count: 40, zipf: 1}", budget: "per_team_monthly: $0.20")
        // Without teams no request carries one, and the per-team limit never applies.
        #expect(without.rejected == 0)
    }
}
