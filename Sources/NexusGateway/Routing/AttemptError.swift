/// How one attempt at a model failed, as the gateway observes it.
public enum AttemptError: Hashable, Sendable {
    /// HTTP 429, with the provider's `Retry-After` when it sent one.
    case rateLimited(retryAfter: Nanoseconds?)
    /// An HTTP 5xx status.
    case serverError(status: Int)
    /// The attempt exceeded its timeout (or the request's deadline) and was abandoned.
    case timeout
    /// The provider could not be reached (an outage in mode `down`).
    case connectionError
    /// HTTP 400: the prompt does not fit the model's context window.
    case contextWindowExceeded

    /// The category used for counting.
    public var category: AttemptFailure {
        switch self {
        case .rateLimited: .rateLimited
        case .serverError: .serverError
        case .timeout: .timeout
        case .connectionError: .connectionError
        case .contextWindowExceeded: .contextWindowExceeded
        }
    }

    /// Whether the endpoint's circuit breaker counts this as a failure: client errors (a prompt too
    /// long for the model) say nothing about the endpoint's health.
    public var countsAgainstEndpoint: Bool { self != .contextWindowExceeded }
}

/// Categories of attempt failures; raw values are the JSON contract's strings.
public enum AttemptFailure: String, CaseIterable, Sendable, Hashable {
    case rateLimited = "rate_limited"
    case serverError = "server_error"
    case timeout
    case connectionError = "connection_error"
    case contextWindowExceeded = "context_window_exceeded"
    /// A hedged attempt abandoned because the other attempt answered first.
    case cancelled

    /// Position in `allCases`, for counters kept in arrays.
    @inlinable public var index: Int {
        switch self {
        case .rateLimited: 0
        case .serverError: 1
        case .timeout: 2
        case .connectionError: 3
        case .contextWindowExceeded: 4
        case .cancelled: 5
        }
    }
}
