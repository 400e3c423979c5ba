/// What the router remembers about one request between its attempts. Held by the caller (one per
/// request in flight) and passed back to every router call; a small value, no allocation.
public struct RequestRouting: Hashable, Sendable {
    /// Tier positions already tried (bit i = candidate i of the tier).
    public var tried: UInt64 = 0
    /// The endpoint of the latest attempt and its position in the tier (or in the context-window list).
    public var endpoint: EndpointID = -1
    public var position: Int = -1
    /// Retries made on the current endpoint.
    public var retriesOnEndpoint = 0
    /// Attempts sent so far (retries, fallbacks and hedges included).
    public var attempts = 0
    /// Absolute time after which no attempt may run; `nil` without a deadline.
    public var deadline: Nanoseconds?
    /// Whether the request is on its tier's context-window fallback list, and the next index in it.
    public var onContextWindowFallbacks = false
    public var nextContextWindowFallback = 0
    /// In LiteLLM mode: the model group (tier) the request is in now (`-1`: its own tier) and the next entry
    /// of its fallback list.
    public var group = -1
    public var nextFallback = 0

    public init(deadline: Nanoseconds? = nil) { self.deadline = deadline }
}

/// What the router needs to know about a request to choose a model for it.
public struct RouteRequest: Sendable {
    public var tier: Int
    public var classification: DataClassification
    public var inputTokens: Int
    /// The client's `max_tokens`: bounds the worst-case cost.
    public var maxOutputTokens: Int
    /// The output the request is expected to produce (for the `cost` strategy).
    public var expectedOutputTokens: Int
    /// The most this request may cost (worst case, from the budget guard); `nil` means no limit.
    public var costCeiling: USD?

    @inlinable
    public init(tier: Int, classification: DataClassification, inputTokens: Int, maxOutputTokens: Int,
                expectedOutputTokens: Int? = nil, costCeiling: USD? = nil) {
        self.tier = tier
        self.classification = classification
        self.inputTokens = inputTokens
        self.maxOutputTokens = maxOutputTokens
        self.expectedOutputTokens = expectedOutputTokens ?? maxOutputTokens
        self.costCeiling = costCeiling
    }
}

/// The router's answer.
public enum RouteDecision: Equatable, Sendable {
    /// Send an attempt to `endpoint` now.
    case dispatch(endpoint: EndpointID)
    /// Send an attempt to `endpoint` after waiting `delay` (a retry with backoff).
    case retry(endpoint: EndpointID, after: Nanoseconds)
    /// Give up.
    case fail(FailureReason)
}
