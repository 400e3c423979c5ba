import Foundation
import NexusGateway
import NexusScenario
import NexusSim
import Testing

/// The response cache inside the simulation: hit rates that emerge from the traffic match the closed
/// form, and hits bypass providers and budgets.
@Suite struct ResponseCacheIntegrationTests {
    static func scenario(ttl: String = "30s", budget: String = "", oneOff: String = "0%") throws -> Scenario {
        try ScenarioLoader.parse(text: """
            name: cache-test
            simulation: {duration: 2h, warmup: 10m, drain: 1m}
            gateway: {instances: 1, concurrency: 1000}
            cache: {ttl: {simple: \(ttl)}, hit_latency: 2ms}
            \(budget)
            providers:
              - name: p
                classifications: [public]
                models: [{name: m, price: {input_per_mtok: $1, output_per_mtok: $2}, ttft: 10ms}]
            tiers: [{name: t, models: [p/m]}]
            traffic:
              arrivals: {process: poisson, rate: 20/s}
              classes:
                - {name: c, share: 100%, tier: t, cache_class: simple, input_tokens: 500, output_tokens: 100,
                   prompts: {distinct: 2000, zipf: 0.9, one_off: \(oneOff)}}
            """)
    }

    /// Poisson requests over Zipf-popular prompts, TTL from insertion, no capacity limit: the hit rate is
    /// Σ p_i · λp_iT / (1 + λp_iT) (answers take 10 ms, negligible against T). Tolerance: 5 binomial
    /// standard errors of the ~130k counted lookups, plus the 10 ms the TTL starts late.
    @Test func hitRateMatchesTheClosedForm() throws {
        let s = Simulation(plan: SimulationPlan(try Self.scenario()), baseSeed: 5).run()
        let weights = (1...2000).map { 1 / pow(Double($0), 0.9) }
        let total = weights.reduce(0, +)
        let lambda = 20.0, ttl = 30.0
        var exact = 0.0
        for w in weights {
            let p: Double = w / total
            let x: Double = lambda * p * ttl
            exact += p * x / (1 + x)
        }
        let lookups = Double(s.cacheHits + s.cacheMisses)
        let rate = Double(s.cacheHits) / lookups
        #expect(lookups > 120_000)
        let tolerance: Double = 5 * (exact * (1 - exact) / lookups).squareRoot() + 0.002
        #expect(abs(rate - exact) < tolerance, "hit rate \(rate), closed form \(exact)")
        // Hits never reach the provider: its attempts are exactly the misses.
        #expect(s.byModel[0].attempts == s.cacheMisses)
        #expect(s.succeeded == s.requests)
        // The savings are the hits priced at the model: 500 × $1 + 100 × $2 per Mtok each.
        #expect(abs(s.cacheSaved.dollars - Double(s.cacheHits) * 700e-6) < 1e-9 * Double(s.cacheHits))
    }

    @Test func hitsBypassTheBudget() throws {
        let withCache = Simulation(plan: SimulationPlan(try Self.scenario(budget: "budget: {daily: $5}")), baseSeed: 5).run()
        let without = Simulation(plan: SimulationPlan(try Self.scenario(ttl: "0s", budget: "budget: {daily: $5}")), baseSeed: 5).run()
        // The same $5 serves more requests when hits cost nothing and reserve nothing.
        #expect(withCache.rejected < without.rejected)
        #expect(withCache.succeeded > without.succeeded)
        #expect(without.cacheHits == 0)
        for day in withCache.dailySpend { #expect(day.spend.dollars <= 5 + 1e-9) }
    }

    @Test func oneOffPromptsNeverHit() throws {
        let s = Simulation(plan: SimulationPlan(try Self.scenario(oneOff: "100%")), baseSeed: 5).run()
        #expect(s.cacheHits == 0)
        #expect(s.cacheMisses == s.requests)
    }
}
