/// Why a request did not get an answer. The raw values are the strings of the JSON contract.
public enum FailureReason: String, CaseIterable, Sendable, Hashable {
    /// Every candidate model that was tried answered with an error.
    case providerError = "provider_error"
    /// The request waited in the gateway queue longer than the queue timeout.
    case queueTimeout = "queue_timeout"
    /// The gateway queue was full when the request arrived.
    case queueFull = "queue_full"
    /// No model may receive the request's data classification, or none has a large enough context window.
    case noCompliantRoute = "no_compliant_route"
    /// Refused by policy (budget block). Counted as `rejected`, not as an error.
    case budgetExceeded = "budget_exceeded"

    /// Whether the outcome is a policy rejection rather than an error (see DESIGN "Metrics").
    public var isRejection: Bool { self == .budgetExceeded }
}
