/// The gateway's router: filters a tier's candidates to those that may serve a request, chooses one with
/// the tier's strategy, and on failure decides between a retry (with backoff), a fallback and giving up.
///
/// A state machine in the style of async-http-client's connection pool: it is told the time and what
/// happened, and returns decisions; the caller owns timers, I/O and randomness (the uniform `draw`s for
/// weighted choice and jitter), so the same value runs inside the simulator or in a live gateway.
/// Its state is per endpoint: attempts in flight, a latency EWMA and a circuit breaker.
///
/// Complexity: each call is O(k) in the number of candidates of the request's tier, without allocation.
public struct Router: Sendable {
    public let endpoints: [ModelEndpoint]
    public let tiers: [RoutingTier]

    /// What the router knows of each endpoint, one element per endpoint so that an observation updates
    /// one array element (one copy-on-write check) rather than three.
    @usableFromInline struct EndpointState: Sendable {
        var inFlight = 0
        var latencyEstimate = 0.0
        var breaker: CircuitBreaker?
    }
    @usableFromInline var state: [EndpointState]
    /// LiteLLM's rules (`routing.mode: litellm`) instead of Nexus's; `nil` in Nexus mode.
    public var litellm: LiteLLMRouterSettings? { litellmSettings?.settings }
    /// The LiteLLM settings behind a reference: stored inline they made up half of the router, which is
    /// copied whole into each call of its non-mutating methods from its mutating ones.
    @usableFromInline let litellmSettings: LiteLLMSettingsBox?
    /// `litellm != nil`, tested instead of the optional on the hot path (a pointer test, no copy).
    @usableFromInline var isLiteLLM: Bool { litellmSettings != nil }
    /// Per endpoint in LiteLLM mode: usage this minute, cooldown and latency samples.
    @usableFromInline var litellmState: [LiteLLMDeploymentState]
    /// Per endpoint: whether it is the only deployment of the (first) group it belongs to.
    @usableFromInline let singleDeploymentGroup: [Bool]

    /// Attempts in flight per endpoint. O(n): for reports and tests, not the hot path.
    public var inFlight: [Int] { state.map(\.inFlight) }
    /// Exponentially weighted moving average of successful attempts' latency, nanoseconds; 0 = no data.
    public var latencyEstimate: [Double] { state.map(\.latencyEstimate) }
    public var breakers: [CircuitBreaker?] { state.map(\.breaker) }
    /// Weight of the newest observation in the latency EWMA.
    public let latencyWeight: Double

    // Hot-path copies of what filtering reads, as plain values: reading a `ModelEndpoint` out of the
    // array would copy (and reference-count) its strings on every call.
    @usableFromInline let allowedBits: [UInt8]
    @usableFromInline let inputLimits: [Int]
    /// All tiers' candidates back to back; tier `t` owns `candidateTable[tierStart[t]..<tierStart[t + 1]]`.
    @usableFromInline let candidateTable: [EndpointID]
    @usableFromInline let tierStart: [Int]
    @usableFromInline let tierPreCallChecks: [Bool]
    @usableFromInline let tierFallbacks: [Bool]
    @usableFromInline let tierStrategies: [RoutingStrategy]

    /// - Parameters:
    ///   - circuitBreaker: the breaker policy for every endpoint; `nil` disables breakers.
    ///   - latencyWeight: weight of the newest observation in the latency EWMA, in (0, 1].
    public init(endpoints: [ModelEndpoint], tiers: [RoutingTier], circuitBreaker: CircuitBreakerPolicy? = nil,
                latencyWeight: Double = 0.2, litellm: LiteLLMRouterSettings? = nil) {
        precondition(tiers.allSatisfy { $0.candidates.allSatisfy(endpoints.indices.contains) },
                     "a tier names an endpoint that does not exist")
        precondition(tiers.allSatisfy { $0.candidates.count <= 64 }, "a tier has more than 64 candidates")
        self.endpoints = endpoints
        self.tiers = tiers
        // LiteLLM has no circuit breaker: its cooldowns replace it.
        let breaker = litellm == nil ? circuitBreaker.map(CircuitBreaker.init) : nil
        state = Array(repeating: EndpointState(breaker: breaker), count: endpoints.count)
        litellmSettings = litellm.map(LiteLLMSettingsBox.init)
        litellmState = Array(repeating: LiteLLMDeploymentState(), count: litellm == nil ? 0 : endpoints.count)
        singleDeploymentGroup = endpoints.indices.map { e in tiers.first { $0.candidates.contains(e) }.map { $0.candidates.count == 1 } ?? true }
        self.latencyWeight = latencyWeight
        allowedBits = endpoints.map(\.allowedClassifications.bits)
        inputLimits = endpoints.map { $0.contextWindowTokens ?? Int.max }
        candidateTable = tiers.flatMap(\.candidates)
        tierStart = tiers.reduce(into: [0]) { $0.append($0.last! + $1.candidates.count) }
        tierPreCallChecks = tiers.map(\.policy.preCallChecks)
        tierFallbacks = tiers.map(\.policy.fallbacks)
        tierStrategies = tiers.map(\.policy.strategy)
    }

    // MARK: Decisions

    /// Chooses the model for the first attempt of a request.
    public mutating func route(_ request: RouteRequest, state: inout RequestRouting, now: Nanoseconds, draw: Double) -> RouteDecision {
        if let deadline = state.deadline, now >= deadline { return .fail(.deadlineExceeded) }
        if isLiteLLM, let litellm { return litellmRoute(request, state: &state, settings: litellm, now: now, draw: draw) }
        switch select(request, excluding: state.tried, now: now, draw: draw) {
        case .position(let position):
            return dispatch(request, position: position, state: &state)
        case .none(.contextWindowExceeded) where !tiers[request.tier].policy.contextWindowFallbacks.isEmpty:
            // The pre-call check found the prompt too long for every candidate: the larger-context models.
            return contextWindowFallback(request, state: &state, now: now)
        case .none(let reason):
            return .fail(reason)
        }
    }

    /// Decides what follows a failed attempt: retry the same model after a backoff, fall back to another
    /// model, or give up with a reason.
    ///
    /// Order: a context-window error goes to the context-window fallbacks; a retryable error is retried on
    /// the same model (unless its breaker is open, or its `Retry-After` exceeds the backoff cap while
    /// another model is available, or the wait would pass the deadline); otherwise the tier's next eligible
    /// model; otherwise the request fails with the reason the last error implies.
    public mutating func afterFailure(
        _ request: RouteRequest, state: inout RequestRouting, error: AttemptError, now: Nanoseconds, draw: Double
    ) -> RouteDecision {
        if let deadline = state.deadline, now >= deadline { return .fail(.deadlineExceeded) }
        if isLiteLLM, let litellm { return litellmAfterFailure(request, state: &state, error: error, settings: litellm, now: now, draw: draw) }
        let policy = tiers[request.tier].policy
        if error == .contextWindowExceeded {
            return contextWindowFallback(request, state: &state, now: now)
        }
        if policy.retry.isRetryable(error), state.retriesOnEndpoint < policy.retry.maxRetries,
           isAvailable(state.endpoint, now: now) {
            let retryAfter: Nanoseconds? = if case .rateLimited(let after) = error { after } else { nil }
            let delay = policy.retry.backoff(retryIndex: state.retriesOnEndpoint, draw: draw, retryAfter: retryAfter)
            // A provider asking for a longer wait than the backoff cap (a rate-limit window) is worth
            // waiting for only when no other model can take the request now.
            let preferFallback = delay > policy.retry.maxBackoffNanos && policy.fallbacks && !state.onContextWindowFallbacks
            if preferFallback, case .position(let position) = select(request, excluding: state.tried, now: now, draw: draw) {
                return dispatch(request, position: position, state: &state)
            }
            // A retry that could only start after the deadline is pointless: fall back instead.
            if state.deadline.map({ now + delay < $0 }) ?? true {
                state.retriesOnEndpoint += 1
                state.attempts += 1
                return .retry(endpoint: state.endpoint, after: delay)
            }
        }
        guard policy.fallbacks, !state.onContextWindowFallbacks else { return .fail(FailureReason(exhaustedAfter: error)) }
        switch select(request, excluding: state.tried, now: now, draw: draw) {
        case .position(let position):
            return dispatch(request, position: position, state: &state)
        case .none:
            return .fail(FailureReason(exhaustedAfter: error))
        }
    }

    /// Chooses a model for a hedged second attempt while the first is still running; `nil` when no other
    /// eligible model is left.
    public mutating func hedge(_ request: RouteRequest, state: inout RequestRouting, now: Nanoseconds, draw: Double) -> EndpointID? {
        guard case .position(let position) = select(request, excluding: state.tried, now: now, draw: draw) else { return nil }
        let endpoint = candidateTable[tierStart[request.tier] + position]
        state.tried |= 1 << UInt64(position)
        state.attempts += 1
        return endpoint
    }

    mutating func dispatch(_ request: RouteRequest, position: Int, state: inout RequestRouting) -> RouteDecision {
        let endpoint = candidateTable[tierStart[request.tier] + position]
        state.tried |= 1 << UInt64(position)
        state.endpoint = endpoint
        state.position = position
        state.retriesOnEndpoint = 0
        state.attempts += 1
        return .dispatch(endpoint: endpoint)
    }

    private mutating func contextWindowFallback(_ request: RouteRequest, state: inout RequestRouting, now: Nanoseconds) -> RouteDecision {
        let list = tiers[request.tier].policy.contextWindowFallbacks
        state.onContextWindowFallbacks = true
        while state.nextContextWindowFallback < list.count {
            let endpoint = list[state.nextContextWindowFallback]
            state.nextContextWindowFallback += 1
            if endpoint != state.endpoint, isCompliant(endpoint, for: request),
               !tierPreCallChecks[request.tier] || fits(endpoint, request),
               isAvailable(endpoint, now: now), isAffordable(endpoint, for: request) {
                state.endpoint = endpoint
                state.position = -1
                state.retriesOnEndpoint = 0
                state.attempts += 1
                return .dispatch(endpoint: endpoint)
            }
        }
        return .fail(.contextWindowExceeded)
    }

    /// Whether choosing among tier `tier`'s candidates reads the `draw` (weighted and latency strategies);
    /// a caller may pass any value, e.g. 0, without drawing when it does not. Failures still read it for
    /// retry jitter.
    @inlinable
    public func choiceUsesDraw(tier: Int) -> Bool {
        if isLiteLLM, let litellm {
            return switch litellm.strategy {
            case .simpleShuffle, .leastBusy, .latencyBased, .usageBasedV2: true
            case .costBased: false
            }
        }
        return switch tierStrategies[tier] {
        case .weighted, .latency: true
        case .priority, .leastBusy, .cost: false
        }
    }

    // MARK: Observations

    /// An attempt was sent to `endpoint`.
    public mutating func attemptStarted(_ endpoint: EndpointID, now: Nanoseconds) {
        state[endpoint].attemptStarted(at: now)
        if isLiteLLM { litellmState[endpoint].started(at: now) }
    }

    /// An attempt at `endpoint` answered after `latencyNanos` (dispatch to last token). LiteLLM mode's latency
    /// and usage strategies also read the answer's token counts and time to first token when given.
    public mutating func attemptSucceeded(_ endpoint: EndpointID, latencyNanos: Nanoseconds, now: Nanoseconds,
                                          inputTokens: Int = 0, outputTokens: Int? = nil,
                                          timeToFirstTokenNanos: Nanoseconds? = nil) {
        state[endpoint].attemptSucceeded(latencyNanos: latencyNanos, weight: latencyWeight, at: now)
        if isLiteLLM, let litellm {
            litellmState[endpoint].succeeded(
                latencyNanos: latencyNanos, timeToFirstTokenNanos: timeToFirstTokenNanos, outputTokens: outputTokens,
                totalTokens: inputTokens + (outputTokens ?? 0), maxSamples: litellm.maxLatencyListSize, at: now)
        }
    }

    /// An attempt at `endpoint` failed.
    public mutating func attemptFailed(_ endpoint: EndpointID, error: AttemptError, now: Nanoseconds) {
        state[endpoint].attemptFailed(countsAgainstEndpoint: error.countsAgainstEndpoint, at: now)
        if isLiteLLM, let litellm {
            let retryAfter: Nanoseconds? = if case .rateLimited(let after) = error { after } else { nil }
            litellmState[endpoint].failed(
                status: LiteLLMRouterSettings.status(of: error), errorClass: LiteLLMRouterSettings.errorClass(of: error),
                retryAfter: retryAfter, isTimeout: error == .timeout, isSingleDeploymentGroup: singleDeploymentGroup[endpoint],
                deployment: litellm.deployment(endpoint), settings: litellm, at: now)
        }
    }

    /// In LiteLLM mode, what the router remembers about `endpoint` (usage this minute, cooldown, latency).
    public func litellmDeployment(_ endpoint: EndpointID) -> LiteLLMDeploymentState? {
        isLiteLLM ? litellmState[endpoint] : nil
    }

    /// An attempt at `endpoint` was abandoned without an outcome (the losing half of a hedge).
    public mutating func attemptCancelled(_ endpoint: EndpointID) {
        state[endpoint].attemptCancelled()
    }

    // MARK: Eligibility and choice

    /// Whether `endpoint`'s provider may receive the request's classification.
    @inlinable
    public func isCompliant(_ endpoint: EndpointID, for request: RouteRequest) -> Bool {
        allowedBits[endpoint] & request.classification.bit != 0
    }

    /// Whether the prompt fits the model's input window (LiteLLM's `max_input_tokens`).
    @inlinable
    public func fits(_ endpoint: EndpointID, _ request: RouteRequest) -> Bool {
        request.inputTokens <= inputLimits[endpoint]
    }

    /// Whether the endpoint's circuit breaker lets a request through now.
    public func isAvailable(_ endpoint: EndpointID, now: Nanoseconds) -> Bool {
        if isLiteLLM { return !litellmState[endpoint].isCoolingDown(at: now) }
        return state[endpoint].breaker?.isAvailable(at: now) ?? true
    }

    /// Whether the request's worst case (input + max output tokens) stays under its cost ceiling.
    public func isAffordable(_ endpoint: EndpointID, for request: RouteRequest) -> Bool {
        guard let ceiling = request.costCeiling else { return true }
        return endpoints[endpoint].price.cost(inputTokens: request.inputTokens, outputTokens: request.maxOutputTokens) <= ceiling
    }

    /// Picks an eligible, untried candidate position with the tier's strategy, or says why there is none.
    /// The reasons are checked in order: compliance, then context window, then budget, then availability
    /// (circuit breakers). The budget is the reason whenever it ruled out a candidate that was available: a
    /// request the budget leaves only models whose breakers are open (say a rate-limited free model) is refused
    /// by the budget (`budget_exceeded`), not by the breakers (`no_available_route`) — lifting the budget
    /// would have routed it. `no_available_route` means that no budget would have helped.
    private enum Selection {
        case position(Int)
        case none(FailureReason)
    }

    private func select(_ request: RouteRequest, excluding tried: UInt64, now: Nanoseconds, draw: Double) -> Selection {
        let first = tierStart[request.tier], count = tierStart[request.tier + 1] - first
        let preCallChecks = tierPreCallChecks[request.tier]
        // Without failover a priority tier has one model per request: the first that may serve it.
        // If that model's breaker is open the request fails fast rather than moving elsewhere.
        let singleChoice = !tierFallbacks[request.tier] && tierStrategies[request.tier] == .priority
        var compliant = false, fitting = false, affordable = false, availableButUnaffordable = false
        var eligible: UInt64 = 0
        for position in 0..<count where tried & (1 << UInt64(position)) == 0 {
            let endpoint = candidateTable[first + position]
            guard isCompliant(endpoint, for: request) else { continue }
            compliant = true
            guard !preCallChecks || fits(endpoint, request) else { continue }
            fitting = true
            guard isAffordable(endpoint, for: request) else {
                if singleChoice { break }
                if !availableButUnaffordable, isAvailable(endpoint, now: now) { availableButUnaffordable = true }
                continue
            }
            affordable = true
            guard isAvailable(endpoint, now: now) else {
                if singleChoice { break } else { continue }
            }
            eligible |= 1 << UInt64(position)
            if singleChoice { break }
        }
        guard eligible != 0 else {
            if !compliant { return .none(.noCompliantRoute) }
            if !fitting { return .none(.contextWindowExceeded) }
            if !affordable || availableButUnaffordable { return .none(.budgetExceeded) }
            return .none(.noAvailableRoute)
        }
        if tierStrategies[request.tier] == .priority { return .position(eligible.trailingZeroBitCount) }
        return .position(choose(among: eligible, tier: tiers[request.tier], request: request, draw: draw))
    }

    private func choose(among eligible: UInt64, tier: RoutingTier, request: RouteRequest, draw: Double) -> Int {
        let positions = (0..<tier.candidates.count).lazy.filter { eligible & (1 << UInt64($0)) != 0 }
        switch tier.policy.strategy {
        case .priority:
            return positions.first!
        case .weighted:
            let weights = tier.policy.weights ?? Array(repeating: 1, count: tier.candidates.count)
            let total = positions.reduce(0) { $0 + weights[$1] }
            var target = draw * total
            for p in positions {
                target -= weights[p]
                if target < 0 { return p }
            }
            return positions.reversed().first { weights[$0] > 0 } ?? positions.first!
        case .leastBusy:
            return positions.min { state[tier.candidates[$0]].inFlight < state[tier.candidates[$1]].inFlight }!
        case .latency:
            // Untested models (no estimate yet) go first, so every model gets measured.
            if let unmeasured = positions.first(where: { state[tier.candidates[$0]].latencyEstimate == 0 }) { return unmeasured }
            let best = positions.map { state[tier.candidates[$0]].latencyEstimate }.min()!
            let band = positions.filter { state[tier.candidates[$0]].latencyEstimate <= best * (1 + tier.policy.latencyTolerance) }
            // `band` is a lazy filter over the positions: its indices are positions, not offsets, so the
            // drawn member is reached by offset.
            return band.dropFirst(min(Int(draw * Double(band.count)), band.count - 1)).first!
        case .cost:
            let cost = { (p: Int) in
                self.endpoints[tier.candidates[p]].price.cost(inputTokens: request.inputTokens, outputTokens: request.expectedOutputTokens)
            }
            return positions.min { cost($0) < cost($1) }!
        }
    }
}

extension Router.EndpointState {
    mutating func attemptStarted(at now: Nanoseconds) {
        inFlight += 1
        breaker?.attemptStarted(at: now)
    }

    mutating func attemptSucceeded(latencyNanos: Nanoseconds, weight: Double, at now: Nanoseconds) {
        inFlight -= 1
        let observed = Double(latencyNanos)
        latencyEstimate = latencyEstimate == 0 ? observed : latencyEstimate + weight * (observed - latencyEstimate)
        breaker?.record(success: true, at: now)
    }

    mutating func attemptFailed(countsAgainstEndpoint: Bool, at now: Nanoseconds) {
        inFlight -= 1
        if countsAgainstEndpoint {
            breaker?.record(success: false, at: now)
        } else {
            // No verdict on the endpoint's health (a prompt too long for it): a half-open probe that ends
            // this way must not stay "in flight" for ever, so another probe may go.
            breaker?.attemptCancelled()
        }
    }

    mutating func attemptCancelled() {
        inFlight -= 1
        breaker?.attemptCancelled()
    }
}

/// LiteLLM router settings held by reference (see ``Router/litellm``).
@usableFromInline final class LiteLLMSettingsBox: Sendable {
    let settings: LiteLLMRouterSettings
    init(_ settings: LiteLLMRouterSettings) { self.settings = settings }
}
