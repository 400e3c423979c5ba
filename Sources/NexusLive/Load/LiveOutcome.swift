import NexusGateway

/// How one live request ended, as the load generator saw it on the wire.
struct LiveOutcome {
    /// The HTTP status, or `nil` when no answer came (connection refused or reset).
    var status: Int?
    /// Qualified model that answered (from `x-nexus-endpoint` or the response's `model`), as the target named it.
    var model: String?
    var usage: Usage?
    /// The OpenAI error object's `code` (or `type`), for failures a gateway names itself.
    var errorCode: String?
    /// `x-nexus-cache`: `hit`, `miss`, or `nil` when the target does not say.
    var cache: String?
    /// The run's end cut the request off before it was answered.
    var cutOffAtEnd = false

    /// The request-level failure reason, `nil` for an answer (2xx).
    var failure: FailureReason? {
        if let status, (200..<300).contains(status) { return nil }
        if let errorCode, let named = FailureReason(rawValue: errorCode) { return named }
        if let errorCode, errorCode == "context_length_exceeded" { return .contextWindowExceeded }
        guard let status else { return .providerError }
        switch status {
        case 429: return .rateLimited
        case 402: return .budgetExceeded
        case 408, 504: return .timeout
        case 400 where errorCode == nil: return .contextWindowExceeded
        default: return .providerError
        }
    }

    /// The per-model failure category of the answer (for `by_model.*.failures`).
    var attemptFailure: AttemptFailure? {
        guard let status else { return .connectionError }
        switch status {
        case 200..<300: return nil
        case 429: return .rateLimited
        case 408, 504: return .timeout
        case 400: return .contextWindowExceeded
        default: return .serverError
        }
    }
}
