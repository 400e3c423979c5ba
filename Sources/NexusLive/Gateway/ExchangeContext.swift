import NexusGateway

/// What an exchange knows about its call besides the lifecycle: who made it, the request as the lifecycle sees
/// it, and how its outcomes read to an OpenAI client.
struct ExchangeContext: Sendable {
    var request: GatewayRequest
    var requestID: String
    var tierName: String
    var keyID: String?
    var userName: String?
    var teamName: String?
    var receivedEpochNanos: Int64
    /// Whether the request's cache class may use the cache at all.
    var cacheable: Bool
    /// Headers every attempt of the call carries to its upstream (the caller's token hints).
    var upstreamHeaders: [(name: String, value: String)] = []

    var baseHeaders: [(name: String, value: String)] { [("x-request-id", requestID)] }

    /// `x-nexus-cache` for a lifecycle's cache verdict.
    func cacheHeader(lookup: CacheLookup?) -> String {
        switch lookup {
        case .hit?: "hit"
        case .miss?: "miss"
        case .bypass?, nil: "bypass"
        }
    }

    /// `x-nexus-cache` of a request being answered by a model.
    func cacheHeader(miss: Bool) -> String { cacheable ? "miss" : "bypass" }

    /// The OpenAI error for a request the lifecycle refused or could not answer.
    func error(for reason: FailureReason, upstream: OpenAIError?) -> OpenAIError {
        switch reason {
        case .budgetExceeded:
            return OpenAIError(status: 429, message: "The budget does not allow this request (\(tierName)); it was refused before reaching a provider.",
                               type: "insufficient_quota", code: "budget_exceeded")
        case .noCompliantRoute:
            return OpenAIError(status: 403, message: "No model of tier '\(tierName)' may receive \(request.classification.rawValue) data.",
                               type: "permission_error", code: "no_compliant_route")
        case .noAvailableRoute:
            return OpenAIError(status: 503, message: "Every model of tier '\(tierName)' is cooling down (circuit breaker open); retry later.",
                               code: "no_available_route")
        case .rateLimited:
            return OpenAIError(status: 429, message: upstream?.message ?? "Every upstream of tier '\(tierName)' is rate limited.",
                               type: "rate_limit_error", code: "rate_limited")
        case .timeout:
            return OpenAIError(status: 504, message: "The upstream did not answer within the attempt timeout.", code: "timeout")
        case .deadlineExceeded:
            return OpenAIError(status: 504, message: "The request's deadline passed before an answer arrived.", code: "deadline_exceeded")
        case .contextWindowExceeded:
            return OpenAIError(status: 400, message: upstream?.message ?? "The prompt does not fit the context window of any model of tier '\(tierName)'.",
                               type: "invalid_request_error", code: "context_length_exceeded")
        case .queueTimeout:
            return OpenAIError(status: 503, message: "The request waited too long in the gateway's queue.", code: "queue_timeout")
        case .queueFull:
            return OpenAIError(status: 503, message: "The gateway's queue is full.", code: "queue_full")
        case .wrongCachedAnswer:
            return OpenAIError(status: 502, message: "The semantic cache matched another question's stored answer.",
                               type: "server_error", code: "wrong_cached_answer")
        case .instanceTerminated:
            return OpenAIError(status: 503, message: "The gateway instance serving the request shut down before it was answered.",
                               code: "instance_terminated")
        case .providerError:
            let status = upstream.map { (500...599).contains($0.status) ? $0.status : 502 } ?? 502
            return OpenAIError(status: status, message: upstream.map { "Upstream error: \($0.message)" } ?? "Every upstream of tier '\(tierName)' failed.",
                               type: "server_error", code: "provider_error")
        }
    }
}
