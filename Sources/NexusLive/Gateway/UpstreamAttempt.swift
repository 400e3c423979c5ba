import NexusGateway

/// What one attempt at an upstream produced, as the driver reports it to the lifecycle and to the client.
struct UpstreamAttemptResult: Sendable {
    /// `answered`, or the failure as the router classifies it (the lifecycle's `AttemptOutcome.Status`).
    var status: AttemptOutcome.Status
    /// When the first output arrived (gateway clock); nil when none did.
    var firstTokenAt: Nanoseconds?
    var outputTokens = 0
    /// The provider's reported prompt tokens, when it reported usage.
    var inputTokens: Int?
    var cachedInputTokens = 0
    /// The whole answer of a non-streamed attempt.
    var completion: ChatCompletion?
    /// The text streamed so far (kept for the response cache).
    var streamedText = ""
    /// The finish reason the upstream gave.
    var finishReason: String?
    /// The upstream's error, to pass on to the client when the request fails because of it.
    var upstreamError: OpenAIError?

    var outcome: AttemptOutcome {
        AttemptOutcome(status, firstTokenAt: firstTokenAt, outputTokens: outputTokens, inputTokens: inputTokens,
                       cachedInputTokens: cachedInputTokens)
    }

    /// The router's reading of an HTTP error status: 429 with its `Retry-After`, a prompt too long for the model,
    /// or any other status (5xx are retried per the tier's policy; other 4xx are not, and fall back).
    static func classify(status: Int, retryAfter: Nanoseconds?, error: OpenAIError) -> AttemptError {
        if status == 429 { return .rateLimited(retryAfter: retryAfter) }
        if status == 400 || status == 413, error.code == "context_length_exceeded" { return .contextWindowExceeded }
        return .serverError(status: status)
    }

    /// Parses `retry-after-ms` (OpenAI's, milliseconds) or `retry-after` (seconds, possibly fractional).
    static func retryAfter(milliseconds: String?, seconds: String?) -> Nanoseconds? {
        if let text = milliseconds?.trimmingSpaces, let value = Double(text), value.isFinite, value >= 0, value <= 86_400_000 {
            return Nanoseconds((value * 1_000_000).rounded())
        }
        if let text = seconds?.trimmingSpaces, let value = Double(text), value.isFinite, value >= 0, value <= 86_400 {
            return Nanoseconds((value * 1_000_000_000).rounded())
        }
        return nil
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while scalars.first?.isWhitespace == true { scalars.removeFirst() }
        while scalars.last?.isWhitespace == true { scalars.removeLast() }
        return String(scalars)
    }
}
