import NexusGateway
import Testing

@Suite("FailureReason and AttemptFailure")
struct FailureReasonTests {
    @Test("the request-level reason after the last attempt's error", arguments: [
        (AttemptError.rateLimited(retryAfter: nil), FailureReason.rateLimited),
        (.rateLimited(retryAfter: 5_000_000_000), .rateLimited),
        (.serverError(status: 500), .providerError),
        (.serverError(status: 503), .providerError),
        (.serverError(status: 501), .providerError),
        (.connectionError, .providerError),
        (.timeout, .timeout),
        (.contextWindowExceeded, .contextWindowExceeded),
    ])
    func exhaustedAfter(error: AttemptError, reason: FailureReason) {
        #expect(FailureReason(exhaustedAfter: error) == reason)
    }

    @Test("FailureReason.index is the position in allCases", arguments: FailureReason.allCases)
    func failureIndex(reason: FailureReason) {
        #expect(reason.index == FailureReason.allCases.firstIndex(of: reason))
    }

    @Test("AttemptFailure.index is the position in allCases", arguments: AttemptFailure.allCases)
    func attemptFailureIndex(failure: AttemptFailure) {
        #expect(failure.index == AttemptFailure.allCases.firstIndex(of: failure))
    }

    @Test("the JSON contract's strings")
    func rawValues() {
        #expect(FailureReason.allCases.map(\.rawValue) == [
            "provider_error", "rate_limited", "timeout", "deadline_exceeded", "context_window_exceeded",
            "queue_timeout", "queue_full", "no_compliant_route", "no_available_route", "budget_exceeded", "instance_terminated",
            "wrong_cached_answer",
        ])
        #expect(AttemptFailure.allCases.map(\.rawValue) == [
            "rate_limited", "server_error", "timeout", "connection_error", "context_window_exceeded", "cancelled",
        ])
        #expect(FailureReason.allCases.indices == 0..<12)
        #expect(AttemptFailure.allCases.indices == 0..<6)
    }

    @Test("only a budget block is a rejection", arguments: FailureReason.allCases)
    func rejection(reason: FailureReason) {
        #expect(reason.isRejection == (reason == .budgetExceeded))
    }

    @Test("attempt errors fall into their categories", arguments: [
        (AttemptError.rateLimited(retryAfter: nil), AttemptFailure.rateLimited),
        (.serverError(status: 502), .serverError),
        (.timeout, .timeout),
        (.connectionError, .connectionError),
        (.contextWindowExceeded, .contextWindowExceeded),
    ])
    func category(error: AttemptError, category: AttemptFailure) {
        #expect(error.category == category)
    }
}
