import NexusGateway

/// One attempt at a provider, from dispatch to its last token, error or cancellation.
///
/// The provider decides the outcome when the attempt is sent (its latency, error and token stream are
/// drawn then); the run loop delivers it at `endsAt` unless the attempt is cancelled first.
public struct AttemptRecord: Sendable {
    public var request: Int32 = -1
    public var endpoint: Int32 = -1
    public var startedAt: Nanoseconds = 0
    /// First token, `-1` when none arrives before the attempt ends.
    public var firstTokenAt: Nanoseconds = -1
    public var endsAt: Nanoseconds = 0
    /// `nil`: the attempt answers in full at `endsAt`.
    public var error: AttemptError?
    /// Generation speed after the first token, tokens per second (for billing partial output).
    public var tokensPerSecond: Double = 0
    /// The provider's and the model's limits the attempt holds until it ends.
    public var holds: ProviderLimitHolds = []
    /// Prompt tokens served from the provider's prefix cache (billed at the cached-input price).
    public var cachedInputTokens = 0
    /// The budget reserved for the attempt's worst case, settled when it ends.
    public var reservation = BudgetGuard.Reservation.none

    public init() {}

    /// Output tokens streamed by `time`, at most `outputTokens`.
    public func tokensProduced(by time: Nanoseconds, outputTokens: Int) -> Int {
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
