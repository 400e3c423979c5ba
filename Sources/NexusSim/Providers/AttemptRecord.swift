import NexusGateway

/// One attempt at a provider, from dispatch to its last token, error or cancellation.
///
/// The provider decides the outcome when the attempt is sent (its latency, error and token stream are
/// drawn then); the run loop delivers it at `endsAt` unless the attempt is cancelled first.
package struct AttemptRecord: Sendable {
    package var request: Int32 = -1
    package var endpoint: Int32 = -1
    package var startedAt: Nanoseconds = 0
    /// First token, `-1` when none arrives before the attempt ends.
    package var firstTokenAt: Nanoseconds = -1
    package var endsAt: Nanoseconds = 0
    /// `nil`: the attempt answers in full at `endsAt`.
    package var error: AttemptError?
    /// Generation speed after the first token, tokens per second (for billing partial output).
    package var tokensPerSecond: Double = 0
    /// The provider's and the model's limits the attempt holds until it ends.
    package var holds = ProviderLimitHolds()
    /// Prompt tokens served from the provider's prefix cache (billed at the cached-input price).
    package var cachedInputTokens = 0
    /// The attempt's number within its request (the lifecycle's ``AttemptID``).
    package var lifecycleID: UInt32 = 0
    /// The `max_tokens` it was sent with (the budget's `clamp` reservation may lower the request's): its
    /// answer is cut there.
    package var maxTokens: Int32 = .max

    package init() {}

    /// Output tokens streamed by `time`, at most `outputTokens`.
    package func tokensProduced(by time: Nanoseconds, outputTokens: Int) -> Int {
        guard firstTokenAt >= 0, time >= firstTokenAt else { return 0 }
        // A complete answer has produced everything, also one whose output arrives with its first token
        // (no generation speed: `endsAt == firstTokenAt`).
        if error == nil && time >= endsAt { return outputTokens }
        guard time > firstTokenAt else { return 0 }
        let streamed = Double(time - firstTokenAt) / 1e9 * tokensPerSecond
        // Compared as a double first: an infinite speed must not reach `Int(_:)`.
        return streamed >= Double(outputTokens) ? outputTokens : Int(streamed.rounded(.down))
    }
}
