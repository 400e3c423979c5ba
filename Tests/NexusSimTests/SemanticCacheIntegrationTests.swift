import NexusGateway
import NexusScenario
import NexusSim
import Testing

/// The semantic cache in a simulation, against its closed forms: 20 intents asked in 16 383 wordings each (so
/// that exact repeats are rare), all cached within the first minute (not counted), then every lookup's intent
/// is stored and matches with the hit probability p, returns a wrong answer with q, and misses otherwise.
@Suite struct SemanticCacheIntegrationTests {
    static func run(_ semantic: String) throws -> RunSummary {
        let scenario = try ScenarioLoader.parse(text: """
            name: semantic-test
            simulation: {duration: 1h, warmup: 1m, drain: 5m, series_window: 10m}
            gateway: {instances: 1, concurrency: 1000}
            routing: {retries: none}
            cache: {ttl: {simple: 24h}, semantic: {\(semantic)}}
            providers:
              - name: p
                classifications: [public]
                models:
                  - {name: m, price: {input_per_mtok: $1, output_per_mtok: $10}, ttft: 500ms}
            tiers:
              - {name: t, models: [p/m]}
            traffic:
              arrivals: {process: poisson, rate: 5/s}
              classes:
                - {name: c, share: 100%, tier: t, cache_class: simple, input_tokens: 1000, output_tokens: 100,
                   prompts: {distinct: 20, zipf: 0, paraphrases: 16383}}
            """)
        return Simulation(plan: SimulationPlan(scenario), baseSeed: 5).run()
    }

    /// |observed − expected| within 4.5 binomial standard deviations.
    static func within(_ count: Int, of n: Int, probability p: Double) -> Bool {
        abs(Double(count) - Double(n) * p) <= 4.5 * (Double(n) * p * (1 - p)).squareRoot()
    }

    @Test func matchesAtTheGPTCacheBenchmarkRates() throws {
        let s = try Self.run("threshold: 50, embedding_per_mtok: $0.02")
        let hits = try #require(s.semanticHits), falseHits = try #require(s.semanticFalseHits), misses = try #require(s.semanticMisses)
        let lookups = hits + falseHits + misses
        #expect(lookups > 15_000)
        // Every semantic lookup is an exact miss; exact repeats of one of 16 383 wordings are rare.
        #expect(lookups == s.cacheMisses)
        #expect(s.cacheHits < lookups / 50)
        #expect(Self.within(hits, of: lookups, probability: 871.0 / 999))
        #expect(Self.within(falseHits, of: lookups, probability: 86.0 / 999))
        // Embeddings: 1000 prompt tokens × $0.02 per million on every lookup.
        #expect(abs(s.semanticEmbeddingCost!.dollars - Double(lookups) * 1000 * 0.02e-6) < 1e-9)
        // Each matched answer saves 1000 × $1 + 100 × $10 per million = $0.002.
        #expect(abs(s.semanticSaved!.dollars - Double(hits + falseHits) * 0.002) < 1e-9)
        // Only the misses reach the model.
        #expect(s.byModel[0].attempts == s.requests - s.cacheHits - hits - falseHits)
        #expect(abs(s.totalCost.dollars - s.modelCost.dollars - s.semanticEmbeddingCost!.dollars) < 1e-9)
        #expect(s.failed == 0)
    }

    @Test func aLowerThresholdMatchesLessAndErrsLess() throws {
        let strict = try Self.run("threshold: 20")
        let n = strict.semanticHits! + strict.semanticFalseHits! + strict.semanticMisses!
        #expect(Self.within(strict.semanticHits!, of: n, probability: 455.0 / 999))
        #expect(Self.within(strict.semanticFalseHits!, of: n, probability: 27.0 / 999))
    }

    @Test func wrongAnswersCanFailTheRequest() throws {
        let s = try Self.run("hit_probability: 50%, false_hit_probability: 10%, false_hits: fail")
        let n = s.semanticHits! + s.semanticFalseHits! + s.semanticMisses!
        #expect(s.count(.wrongCachedAnswer) == s.semanticFalseHits)
        #expect(s.failed == s.semanticFalseHits)
        #expect(Self.within(s.semanticFalseHits!, of: n, probability: 0.1))
        #expect(Self.within(s.semanticHits!, of: n, probability: 0.5))
    }
}
