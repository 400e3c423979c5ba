import NexusGateway

/// When each chunk of a streamed answer is sent: the first token at the time to first token, then the
/// remaining tokens at the sampled generation speed, batched so that no two chunks are closer than
/// ``minimumChunkInterval`` of wall time.
///
/// The simulator ends an answer of `n` tokens `n / tokensPerSecond` after its first token; chunks follow it, so
/// the last one leaves exactly when the simulated attempt ends. The first chunk carries one token; chunk `k ≥ 1`,
/// whose last token is the `e`-th of the answer, is sent `e / tokensPerSecond` after the first token. At `r`
/// tokens per scenario second and speed factor `K`, tokens come at `r·K` per wall second, so a chunk carries
/// `⌈r·K · 5 ms⌉` tokens (at least one).
public struct StreamPacing: Sendable, Equatable {
    /// The smallest wall-time gap between two chunks: finer pacing costs a write per token and tells a client
    /// nothing more (HTTP stacks and gateways coalesce writes at this scale).
    public static let minimumChunkInterval: Duration = .milliseconds(5)

    /// Tokens of the answer.
    public let outputTokens: Int
    /// Tokens per chunk after the first (the last may carry fewer).
    public let tokensPerChunk: Int
    /// Generation speed, tokens per scenario second (`.infinity`: everything arrives with the first token).
    public let tokensPerSecond: Double

    public init(outputTokens: Int, tokensPerSecond: Double, speed: Double) {
        self.outputTokens = max(outputTokens, 0)
        self.tokensPerSecond = tokensPerSecond
        let wallRate = tokensPerSecond * speed
        let interval = Double(Self.minimumChunkInterval.components.attoseconds) / 1e18
            + Double(Self.minimumChunkInterval.components.seconds)
        let perChunk = (wallRate * interval).rounded(.up)
        // Compared as a double first: an infinite rate must not reach `Int(_:)`.
        tokensPerChunk = perChunk.isFinite && perChunk < Double(max(self.outputTokens, 1)) ? max(Int(perChunk), 1) : max(self.outputTokens, 1)
    }

    /// Chunks carrying tokens: the first token alone, then the rest in batches (one chunk for a single token, none
    /// for an empty answer).
    public var chunkCount: Int {
        guard outputTokens > 0 else { return 0 }
        if !tokensPerSecond.isFinite { return 1 }
        return 1 + (outputTokens - 1 + tokensPerChunk - 1) / tokensPerChunk
    }

    /// Tokens sent once chunk `k` is sent (cumulative), 1…`outputTokens`.
    public func tokensSent(throughChunk k: Int) -> Int {
        if k == 0 { return tokensPerSecond.isFinite ? min(1, outputTokens) : outputTokens }
        return min(1 + k * tokensPerChunk, outputTokens)
    }

    /// Scenario nanoseconds after the first token at which chunk `k` is sent.
    public func offsetNanos(ofChunk k: Int) -> Nanoseconds {
        guard k > 0, tokensPerSecond.isFinite, tokensPerSecond > 0 else { return 0 }
        return Nanoseconds(clampingScenarioNanos: Double(tokensSent(throughChunk: k)) / tokensPerSecond * 1e9)
    }

    /// Output tokens produced `elapsedNanos` of scenario time after the first token, as the simulator bills a stream
    /// cut short: `elapsed × speed`, at most the whole answer.
    public func tokensProduced(afterNanos elapsedNanos: Nanoseconds) -> Int {
        guard outputTokens > 0, elapsedNanos >= 0 else { return 0 }
        guard tokensPerSecond.isFinite else { return outputTokens }
        let produced = Double(elapsedNanos) / 1e9 * tokensPerSecond
        return produced >= Double(outputTokens) ? outputTokens : Int(produced.rounded(.down))
    }
}
