import Foundation
import NexusSim
import Testing

@Suite struct PromptPrefixCacheTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/mooncake_conversation_first2000.jsonl").standardized

    /// The Mooncake excerpt with an unbounded prefix cache: the share of input tokens served from cache
    /// equals the excerpt's own figure, 29.411 % (37.4 % for the whole trace), computed independently.
    @Test func mooncakeExcerptSharesItsOwnFigure() throws {
        let text = try String(contentsOf: Self.fixture, encoding: .utf8)
        var cache = PromptPrefixCache(blockTokens: 512, ttlNanos: nil)
        var total = 0, cached = 0, rows = 0
        for line in text.split(separator: "\n") {
            let row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let input = try #require(row["input_length"] as? Int)
            let blocks = try #require(row["hash_ids"] as? [Int]).map(UInt64.init)
            let ms = try #require(row["timestamp"] as? Int)
            cached += cache.serve(blocks: blocks, inputTokens: input, now: Int64(ms) * 1_000_000)
            total += input
            rows += 1
        }
        #expect(rows == 2000)
        #expect(abs(Double(cached) / Double(total) - 0.29411214449911294) < 1e-12)
    }

    @Test func onlyTheLeadingRunCountsAndTTLRestartsOnUse() {
        let s: Int64 = 1_000_000_000
        var cache = PromptPrefixCache(blockTokens: 10, ttlNanos: 60 * s)
        #expect(cache.serve(blocks: [1, 2, 3], inputTokens: 25, now: 0) == 0)
        // Blocks 1 and 2 lead; block 9 breaks the run, so block 3 (cached) does not count after it.
        #expect(cache.serve(blocks: [1, 2, 9, 3], inputTokens: 40, now: 30 * s) == 20)
        // Block 1 was used at 30 s, so at 80 s it is still cached; block 3's last use was 30 s → also cached.
        #expect(cache.serve(blocks: [1, 3], inputTokens: 15, now: 80 * s) == 15)
        // Nothing used since 80 s has survived past 140 s.
        #expect(cache.serve(blocks: [1], inputTokens: 10, now: 141 * s) == 0)
        #expect(cache.count == 1)
    }
}

import NexusScenario

/// The prefix cache wired to trace replay and billing.
@Suite struct PromptCacheReplayTests {
    static func scenario(ttl: String, cachedPrice: String = "$0.50") throws -> Scenario {
        try ScenarioLoader.parse(text: """
            name: prompt-cache
            simulation: {duration: 2h, warmup: 0s, drain: 1h}
            gateway: {instances: 1, concurrency: 100000}
            providers:
              - name: p
                classifications: [public]
                prompt_cache: {ttl: \(ttl), block_tokens: 512}
                models: [{name: m, price: {input_per_mtok: $2, output_per_mtok: $8, cached_input_per_mtok: \(cachedPrice)}, ttft: 100ms}]
            tiers: [{name: t, models: [p/m]}]
            traffic:
              trace: {file: mooncake_conversation_first2000.jsonl, format: mooncake}
              classes: [{name: c, share: 100%, tier: t, input_tokens: 1, output_tokens: 1, max_output_tokens: 100000}]
            """, file: "prompt-cache.yaml", baseDirectory: PromptPrefixCacheTests.fixture.deletingLastPathComponent().path)
    }

    /// Replaying the Mooncake excerpt with an unbounded prefix cache: the token hit rate is the excerpt's own
    /// figure (29.411 %), and cached tokens are billed at the cached-input price.
    @Test func replayedMooncakeExcerptHitsItsOwnShareAndIsBilledCached() throws {
        let s = Simulation(plan: SimulationPlan(try Self.scenario(ttl: "none")), baseSeed: 1).run()
        #expect(s.requests == 2000 && s.succeeded == 2000)
        #expect(s.promptCacheInputTokens == s.byModel[0].inputTokens)
        let share = Double(s.promptCacheCachedTokens) / Double(s.promptCacheInputTokens)
        #expect(abs(share - 0.29411214449911294) < 1e-12, "share \(share)")
        // Saved = cached tokens × ($2 − $0.50) per Mtok; the bill is the rest.
        #expect(abs(s.promptCacheSaved.dollars - Double(s.promptCacheCachedTokens) * 1.5e-6) < 1e-9)
        let full = Double(s.byModel[0].inputTokens) * 2e-6 + Double(s.byModel[0].outputTokens) * 8e-6
        #expect(abs(s.modelCost.dollars - (full - s.promptCacheSaved.dollars)) < 1e-9)
    }

    @Test func aShortTTLHitsLess() throws {
        let forever = Simulation(plan: SimulationPlan(try Self.scenario(ttl: "none")), baseSeed: 1).run()
        let short = Simulation(plan: SimulationPlan(try Self.scenario(ttl: "5s")), baseSeed: 1).run()
        #expect(short.promptCacheCachedTokens < forever.promptCacheCachedTokens)
        #expect(short.promptCacheCachedTokens > 0)
    }
}
