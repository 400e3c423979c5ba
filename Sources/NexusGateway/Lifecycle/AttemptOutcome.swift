/// How an attempt ended, as the driver observed it: a simulated provider's drawn answer, or a real upstream's
/// HTTP status, `Retry-After`, first byte and usage.
public struct AttemptOutcome: Hashable, Sendable {
    public enum Status: Hashable, Sendable {
        /// The model answered in full.
        case answered
        /// The attempt failed: an HTTP error status, a connection error, or the driver cut it at its `timeout`.
        case failed(AttemptError)
        /// The driver abandoned it because the lifecycle said ``LifecycleAction/cancelAttempt(_:)``.
        case cancelled
    }

    public var status: Status
    /// When its first output token arrived (absolute time); `nil` when none did. An attempt is billed only
    /// when its first token arrived: an error before any output costs nothing.
    public var firstTokenAt: Nanoseconds?
    /// Output tokens it produced (all of them for an answer; those streamed before an error, a cut or a
    /// cancellation otherwise).
    public var outputTokens: Int
    /// Prompt tokens the provider reported (its usage); `nil`: the request's own count.
    public var inputTokens: Int?
    /// Prompt tokens served from the provider's prompt cache, billed at the cached-input price.
    public var cachedInputTokens: Int

    public init(_ status: Status, firstTokenAt: Nanoseconds? = nil, outputTokens: Int = 0, inputTokens: Int? = nil,
                cachedInputTokens: Int = 0) {
        self.status = status
        self.firstTokenAt = firstTokenAt
        self.outputTokens = outputTokens
        self.inputTokens = inputTokens
        self.cachedInputTokens = cachedInputTokens
    }

    /// A full answer whose first token came at `firstTokenAt`.
    public static func answered(firstTokenAt: Nanoseconds, outputTokens: Int, cachedInputTokens: Int = 0) -> AttemptOutcome {
        AttemptOutcome(.answered, firstTokenAt: firstTokenAt, outputTokens: outputTokens, cachedInputTokens: cachedInputTokens)
    }

    /// A failure before any output (the common case: a 429, a 5xx, a refused connection).
    public static func failed(_ error: AttemptError) -> AttemptOutcome { AttemptOutcome(.failed(error)) }
}
