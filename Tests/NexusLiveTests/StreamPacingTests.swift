import NexusLive
import Testing

@Suite("Stream pacing")
struct StreamPacingTests {
    @Test("a chunk carries ⌈r·K·5 ms⌉ tokens after the first, and the last leaves n/r after the first token")
    func batchesAtTheWallRate() {
        // 100 tokens/s at speed 100: 10,000 tokens per wall second, 50 per 5 ms.
        let pacing = StreamPacing(outputTokens: 1001, tokensPerSecond: 100, speed: 100)
        #expect(pacing.tokensPerChunk == 50)
        #expect(pacing.chunkCount == 1 + 20)
        #expect(pacing.tokensSent(throughChunk: 0) == 1)
        #expect(pacing.tokensSent(throughChunk: 1) == 51)
        #expect(pacing.tokensSent(throughChunk: 20) == 1001)
        #expect(pacing.offsetNanos(ofChunk: 0) == 0)
        #expect(pacing.offsetNanos(ofChunk: 1) == 510_000_000)
        // The simulator's end of the attempt: 1001 tokens at 100/s, 10.01 s after the first token.
        #expect(pacing.offsetNanos(ofChunk: 20) == 10_010_000_000)
    }

    @Test("slow generation sends one token per chunk; chunks are never closer than 5 ms of wall time")
    func oneTokenPerChunkWhenSlow() {
        let pacing = StreamPacing(outputTokens: 10, tokensPerSecond: 20, speed: 1)
        #expect(pacing.tokensPerChunk == 1)
        #expect(pacing.chunkCount == 10)
        for k in 1..<pacing.chunkCount {
            let gap = pacing.offsetNanos(ofChunk: k) - pacing.offsetNanos(ofChunk: k - 1)
            #expect(gap >= 5_000_000)
        }
        for speed in [1.0, 7, 60, 1000] {
            let p = StreamPacing(outputTokens: 5000, tokensPerSecond: 83, speed: speed)
            for k in 2..<p.chunkCount - 1 {
                let wallGapNanos = Double(p.offsetNanos(ofChunk: k) - p.offsetNanos(ofChunk: k - 1)) / speed
                #expect(wallGapNanos >= 5e6 * 0.999, "speed \(speed), chunk \(k)")
            }
        }
    }

    @Test("no generation speed: the whole answer in one chunk; an empty answer in none")
    func instantAndEmptyAnswers() {
        let instant = StreamPacing(outputTokens: 300, tokensPerSecond: .infinity, speed: 10)
        #expect(instant.chunkCount == 1)
        #expect(instant.tokensSent(throughChunk: 0) == 300)
        #expect(instant.tokensProduced(afterNanos: 0) == 300)
        let empty = StreamPacing(outputTokens: 0, tokensPerSecond: 50, speed: 10)
        #expect(empty.chunkCount == 0)
        #expect(empty.tokensProduced(afterNanos: 1_000_000_000) == 0)
    }

    @Test("tokens produced by a time are billed as the simulator bills a stream cut short")
    func producedTokens() {
        let pacing = StreamPacing(outputTokens: 100, tokensPerSecond: 40, speed: 1)
        #expect(pacing.tokensProduced(afterNanos: 0) == 0)
        #expect(pacing.tokensProduced(afterNanos: 1_000_000_000) == 40)
        #expect(pacing.tokensProduced(afterNanos: 1_010_000_000) == 40)
        #expect(pacing.tokensProduced(afterNanos: 10_000_000_000) == 100)
    }
}
