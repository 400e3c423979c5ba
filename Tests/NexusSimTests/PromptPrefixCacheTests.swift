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
