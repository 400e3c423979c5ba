/// What the router needs to know about a request to choose a model for it.
public struct RouteRequest: Sendable {
    public var tier: Int
    public var classification: DataClassification
    public var inputTokens: Int
    public var maxOutputTokens: Int

    @inlinable
    public init(tier: Int, classification: DataClassification, inputTokens: Int, maxOutputTokens: Int) {
        self.tier = tier
        self.classification = classification
        self.inputTokens = inputTokens
        self.maxOutputTokens = maxOutputTokens
    }
}

/// The router's answer: send the attempt to an endpoint, or give up with a reason.
public enum RouteDecision: Equatable, Sendable {
    /// Send the next attempt to `endpoint`. `position` is its place in the tier's candidate list and
    /// is handed back to ``Router/fallback(for:after:now:)`` when the attempt fails.
    case dispatch(endpoint: EndpointID, position: Int)
    case fail(FailureReason)
}

/// The gateway's router: filters a tier's candidates to those that may serve a request and chooses one.
///
/// A state machine in the style of async-http-client's connection pool: it is handed the time and the
/// request, and returns a decision; the caller owns timers and I/O. The same value can run inside the
/// simulator or in a live gateway.
///
/// Complexity: each call is O(k) in the number of candidates of the request's tier, without allocation.
public struct Router: Sendable {
    public let endpoints: [ModelEndpoint]
    public let tiers: [RoutingTier]

    // Hot-path copies of what filtering reads, as plain values: reading a `ModelEndpoint` out of the
    // array would copy (and reference-count) its strings on every call.
    @usableFromInline let allowedBits: [UInt8]
    @usableFromInline let inputLimits: [Int]
    /// All tiers' candidates back to back; tier `t` owns `candidateTable[tierStart[t]..<tierStart[t + 1]]`.
    @usableFromInline let candidateTable: [EndpointID]
    @usableFromInline let tierStart: [Int]

    public init(endpoints: [ModelEndpoint], tiers: [RoutingTier]) {
        precondition(tiers.allSatisfy { $0.candidates.allSatisfy(endpoints.indices.contains) },
                     "a tier names an endpoint that does not exist")
        self.endpoints = endpoints
        self.tiers = tiers
        allowedBits = endpoints.map(\.allowedClassifications.bits)
        inputLimits = endpoints.map { $0.contextWindowTokens ?? Int.max }
        candidateTable = tiers.flatMap(\.candidates)
        tierStart = tiers.reduce(into: [0]) { $0.append($0.last! + $1.candidates.count) }
    }

    /// Chooses the model for the first attempt of `request`.
    @inlinable
    public func route(_ request: RouteRequest, now: Nanoseconds) -> RouteDecision {
        next(for: request, from: 0)
    }

    /// Chooses the model for the next attempt after the attempt sent to candidate `position` failed:
    /// the next eligible model in the tier's fallback chain, or `.fail(.providerError)` when none is left.
    @inlinable
    public func fallback(for request: RouteRequest, after position: Int, now: Nanoseconds) -> RouteDecision {
        switch next(for: request, from: position + 1) {
        case .fail(.noCompliantRoute): .fail(.providerError)
        case let decision: decision
        }
    }

    /// Whether `endpoint` may serve `request`: classification allowed and the prompt fits the model's
    /// input window (LiteLLM's `max_input_tokens`).
    @inlinable
    public func isEligible(_ endpoint: EndpointID, for request: RouteRequest) -> Bool {
        allowedBits[endpoint] & request.classification.bit != 0 && request.inputTokens <= inputLimits[endpoint]
    }

    @usableFromInline
    func next(for request: RouteRequest, from start: Int) -> RouteDecision {
        let first = tierStart[request.tier], end = tierStart[request.tier + 1]
        var index = first + start
        while index < end {
            let endpoint = candidateTable[index]
            if isEligible(endpoint, for: request) {
                return .dispatch(endpoint: endpoint, position: index - first)
            }
            index += 1
        }
        return .fail(.noCompliantRoute)
    }
}
