/// Why a request did not get an answer. The raw values are the strings of the JSON contract.
public enum FailureReason: String, CaseIterable, Sendable, Hashable {
    /// The last attempt failed with a server or connection error and nothing was left to try.
    case providerError = "provider_error"
    /// The last attempt was answered with 429 and nothing was left to try.
    case rateLimited = "rate_limited"
    /// The last attempt timed out and nothing was left to try.
    case timeout
    /// The request's overall deadline passed.
    case deadlineExceeded = "deadline_exceeded"
    /// The prompt fits no candidate's context window (or the context-window fallbacks failed too).
    case contextWindowExceeded = "context_window_exceeded"
    /// The request waited in the gateway queue longer than the queue timeout.
    case queueTimeout = "queue_timeout"
    /// The gateway queue was full when the request arrived.
    case queueFull = "queue_full"
    /// No model of the tier may receive the request's data classification.
    case noCompliantRoute = "no_compliant_route"
    /// Compliant models exist but every one is cooling down (circuit breaker open), and the budget ruled out
    /// none that was available (otherwise the reason is `budget_exceeded`).
    case noAvailableRoute = "no_available_route"
    /// Refused by policy (budget block): no model the request may use fits the budget's room, or the only
    /// ones that do are cooling down while one the budget ruled out was available. Counted as `rejected`,
    /// not as an error.
    case budgetExceeded = "budget_exceeded"
    /// The gateway instance serving or queueing the request was removed by a scale-in and its termination
    /// grace period ended before the request did (Kubernetes sends SIGKILL after `terminationGracePeriodSeconds`).
    case instanceTerminated = "instance_terminated"
    /// The semantic cache matched another intent's stored answer, and the scenario counts such wrong answers as
    /// failures (`cache.semantic.false_hits: fail`); a live gateway answers 502 with this code.
    case wrongCachedAnswer = "wrong_cached_answer"

    /// Whether the outcome is a policy rejection rather than an error (see DESIGN "Metrics").
    public var isRejection: Bool { self == .budgetExceeded }

    /// Position in `allCases`, for counters kept in arrays.
    @inlinable public var index: Int {
        switch self {
        case .providerError: 0
        case .rateLimited: 1
        case .timeout: 2
        case .deadlineExceeded: 3
        case .contextWindowExceeded: 4
        case .queueTimeout: 5
        case .queueFull: 6
        case .noCompliantRoute: 7
        case .noAvailableRoute: 8
        case .budgetExceeded: 9
        case .instanceTerminated: 10
        case .wrongCachedAnswer: 11
        }
    }

    /// The request-level reason when the last attempt failed with `error` and nothing was left to try.
    public init(exhaustedAfter error: AttemptError) {
        switch error {
        case .rateLimited: self = .rateLimited
        case .serverError, .connectionError: self = .providerError
        case .timeout: self = .timeout
        case .contextWindowExceeded: self = .contextWindowExceeded
        }
    }
}
