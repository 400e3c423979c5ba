import NexusGateway
import Testing

/// The first attempt: which candidates are eligible, and which one each strategy chooses.
@Suite("Router: selection")
struct RouterSelectionTests {
    // MARK: Priority and eligibility

    @Test("priority picks the first candidate and records it in the request state")
    func priorityFirst() {
        var router = makeRouter(plainEndpoints(3), candidates: [2, 0, 1])
        var state = RequestRouting()
        #expect(router.route(request(), state: &state, now: s(1), draw: 0.99) == .dispatch(endpoint: 2))
        #expect(state.endpoint == 2)
        #expect(state.position == 0)
        #expect(state.tried == 0b1)
        #expect(state.attempts == 1)
        #expect(state.retriesOnEndpoint == 0)
        #expect(!state.onContextWindowFallbacks)
    }

    @Test("priority ignores the draw and the time", arguments: [0.0, 0.5, (1.0).nextDown])
    func priorityIgnoresDraw(draw: Double) {
        var router = makeRouter(plainEndpoints(3))
        for now in [Nanoseconds(0), s(1), s(86_400), Nanoseconds.max / 2] {
            #expect(chosen(&router, request(), now: now, draw: draw) == 0)
        }
    }

    @Test("the default tier policy")
    func defaults() {
        let policy = TierPolicy()
        #expect(policy.strategy == .priority)
        #expect(policy.weights == nil)
        #expect(policy.latencyTolerance == 0.1)
        #expect(policy.retry == RetryPolicy())
        #expect(policy.fallbacks)
        #expect(policy.contextWindowFallbacks.isEmpty)
        #expect(policy.preCallChecks)
        #expect(policy.attemptTimeoutNanos == nil && policy.deadlineNanos == nil && policy.hedgeAfterNanos == nil)
        #expect(RoutingTier(name: "t", candidates: [0]).strategy == .priority)
        #expect(RoutingStrategy.allCases.map(\.rawValue) == ["priority", "weighted", "least_busy", "latency", "cost"])
        let router = makeRouter(plainEndpoints(2))
        #expect(router.inFlight == [0, 0])
        #expect(router.latencyEstimate == [0, 0])
        #expect(router.breakers == [nil, nil])
        #expect(router.latencyWeight == 0.2)
    }

    /// 0: public only; 1: public + internal; 2: up to confidential; 3: restricted only.
    static let byClass = [
        endpoint("open", classes: [.public]),
        endpoint("hybrid", classes: [.public, .internal]),
        endpoint("enterprise", classes: [.public, .internal, .confidential]),
        endpoint("onprem", classes: [.restricted]),
    ]

    @Test("priority skips the candidates that may not receive the data", arguments: [
        (DataClassification.public, 0),
        (.internal, 1),
        (.confidential, 2),
        (.restricted, 3),
    ])
    func classificationFilter(classification: DataClassification, expected: EndpointID) {
        var router = makeRouter(Self.byClass)
        #expect(chosen(&router, request(classification)) == expected)
        for e in Self.byClass.indices {
            #expect(router.isCompliant(e, for: request(classification)) == Self.byClass[e].allowedClassifications.contains(classification))
        }
    }

    @Test("no compliant candidate: no_compliant_route, never a silent route", arguments: [
        ([0, 1], DataClassification.confidential),
        ([0, 1, 2], .restricted),
        ([3], .public),
        ([0], .internal),
    ])
    func noCompliantRoute(candidates: [EndpointID], classification: DataClassification) {
        var router = makeRouter(Self.byClass, candidates: candidates)
        var state = RequestRouting()
        #expect(router.route(request(classification), state: &state, now: s(1), draw: 0) == .fail(.noCompliantRoute))
        #expect(state.attempts == 0 && state.tried == 0 && state.endpoint == -1)
        // Compliance is checked before the context window: an oversized prompt still reports compliance.
        #expect(firstDecision(&router, request(classification, input: .max)) == .fail(.noCompliantRoute))
    }

    // MARK: Context window

    /// 0: 1000-token window; 1: 2000 tokens; 2: no known window but public only.
    static let windows = [
        endpoint("small", window: 1000),
        endpoint("large", window: 2000),
        endpoint("unknown", classes: [.public]),
    ]

    @Test("pre-call checks skip a model the prompt does not fit; exactly equal fits", arguments: [
        (1, 0), (999, 0), (1000, 0), (1001, 1), (1999, 1), (2000, 1),
    ])
    func contextWindowFilter(input: Int, expected: EndpointID) {
        var router = makeRouter(Self.windows, candidates: [0, 1])
        #expect(chosen(&router, request(.internal, input: input)) == expected)
        #expect(router.fits(expected, request(input: input)))
    }

    @Test("compliant candidates exist but none fits: context_window_exceeded", arguments: [2001, 1_000_000, Int.max])
    func noneFits(input: Int) {
        var router = makeRouter(Self.windows)
        // Endpoint 2 would take any prompt, but it may not receive internal data.
        #expect(firstDecision(&router, request(.internal, input: input)) == .fail(.contextWindowExceeded))
        // Public data may go to endpoint 2, which has no known window.
        #expect(chosen(&router, request(.public, input: input)) == 2)
    }

    @Test("without pre-call checks an oversized prompt is dispatched", arguments: [1001, 2001, 1_000_000])
    func preCallChecksOff(input: Int) {
        var router = makeRouter(Self.windows, TierPolicy(preCallChecks: false), candidates: [0, 1])
        #expect(chosen(&router, request(.internal, input: input)) == 0)
    }

    // MARK: Weighted

    @Test("weights [3, 1]: draws in [0, 0.75) pick the first, [0.75, 1) the second", arguments: [
        (0.0, 0), (0.5, 0), (0.74, 0), ((0.75).nextDown, 0),
        (0.75, 1), (0.9, 1), ((1.0).nextDown, 1),
    ])
    func weightedBoundaries(draw: Double, expected: EndpointID) {
        var router = makeRouter(plainEndpoints(2), TierPolicy(strategy: .weighted, weights: [3, 1]))
        #expect(chosen(&router, request(), draw: draw) == expected)
    }

    @Test("weights follow the candidate positions, not the endpoint ids")
    func weightsByPosition() {
        var router = makeRouter(plainEndpoints(2), TierPolicy(strategy: .weighted, weights: [3, 1]), candidates: [1, 0])
        #expect(chosen(&router, request(), draw: 0.7) == 1)
        #expect(chosen(&router, request(), draw: 0.8) == 0)
    }

    @Test("without weights the candidates are equally likely")
    func equalWeights() {
        var router = makeRouter(plainEndpoints(4), TierPolicy(strategy: .weighted))
        for draw in drawGrid() {
            #expect(chosen(&router, request(), draw: draw) == min(Int(draw * 4), 3))
        }
    }

    @Test("a zero-weight candidate is never picked while a weighted one is eligible", arguments: [
        [0.0, 1, 0], [1, 0], [0, 1], [0, 0, 2, 0, 5],
    ])
    func zeroWeightNeverPicked(weights: [Double]) {
        var router = makeRouter(plainEndpoints(weights.count), TierPolicy(strategy: .weighted, weights: weights))
        for draw in drawGrid() {
            let e = chosen(&router, request(), draw: draw)
            #expect(e.map { weights[$0] > 0 } == true, "draw \(draw) chose \(String(describing: e))")
        }
    }

    @Test("a zero-weight candidate still serves as a fallback when it is the only one left")
    func zeroWeightFallback() {
        var router = makeRouter(plainEndpoints(2), TierPolicy(strategy: .weighted, weights: [1, 0], retry: .none))
        var state = RequestRouting()
        #expect(router.route(request(), state: &state, now: s(1), draw: 0.99) == .dispatch(endpoint: 0))
        #expect(router.afterFailure(request(), state: &state, error: .serverError(status: 500), now: s(2), draw: 0.3)
                == .dispatch(endpoint: 1))
    }

    @Test("ineligible candidates' weight is excluded from the total")
    func weightedExcludesIneligible() {
        // Candidate 2 (weight 4) may not receive internal data: the draw splits 3:1 over the others.
        let endpoints = [endpoint("a"), endpoint("b"), endpoint("c", classes: [.public])]
        var router = makeRouter(endpoints, TierPolicy(strategy: .weighted, weights: [3, 1, 4]))
        for draw in drawGrid() {
            #expect(chosen(&router, request(.internal), draw: draw) == (draw < 0.75 ? 0 : 1))
        }
        // For public data all three are eligible: [0, 3/8) → 0, [3/8, 1/2) → 1, [1/2, 1) → 2.
        for draw in drawGrid() {
            #expect(chosen(&router, request(.public), draw: draw) == (draw < 0.375 ? 0 : draw < 0.5 ? 1 : 2))
        }
    }

    @Test("a tried candidate's weight is excluded on fallback")
    func weightedFallbackExcludesTried() {
        var router = makeRouter(plainEndpoints(3), TierPolicy(strategy: .weighted, weights: [3, 1, 4], retry: .none))
        for draw in drawGrid(100) {
            var state = RequestRouting()
            #expect(router.route(request(), state: &state, now: s(1), draw: 0) == .dispatch(endpoint: 0))
            let next = router.afterFailure(request(), state: &state, error: .timeout, now: s(2), draw: draw)
            #expect(next == .dispatch(endpoint: draw < 0.2 ? 1 : 2))
        }
    }

    // MARK: Least busy

    @Test("least_busy picks the endpoint with the fewest attempts in flight")
    func leastBusy() {
        var router = makeRouter(plainEndpoints(3), TierPolicy(strategy: .leastBusy))
        #expect(chosen(&router, request()) == 0)            // all idle: list order
        router.attemptStarted(0, now: s(1))
        router.attemptStarted(0, now: s(1))
        router.attemptStarted(1, now: s(1))
        #expect(router.inFlight == [2, 1, 0])
        #expect(chosen(&router, request()) == 2)
        router.attemptStarted(2, now: s(1))
        router.attemptStarted(2, now: s(1))
        #expect(router.inFlight == [2, 1, 2])
        #expect(chosen(&router, request()) == 1)
        router.attemptStarted(1, now: s(1))
        #expect(chosen(&router, request()) == 0)            // [2, 2, 2]: a tie goes to list order
    }

    @Test("least_busy ties go to list order, not endpoint order")
    func leastBusyTies() {
        var router = makeRouter(plainEndpoints(3), TierPolicy(strategy: .leastBusy), candidates: [2, 1, 0])
        #expect(chosen(&router, request()) == 2)
        router.attemptStarted(2, now: s(1))
        #expect(chosen(&router, request()) == 1)
        router.attemptStarted(1, now: s(1))
        #expect(chosen(&router, request()) == 0)
    }

    @Test("success, failure and cancellation each end an attempt in flight")
    func inFlightDecrements() {
        var router = makeRouter(plainEndpoints(3), TierPolicy(strategy: .leastBusy))
        for e in 0..<3 {
            for _ in 0..<2 { router.attemptStarted(e, now: s(1)) }
        }
        #expect(router.inFlight == [2, 2, 2])
        router.attemptFailed(2, error: .timeout, now: s(2))
        #expect(router.inFlight == [2, 2, 1])
        #expect(chosen(&router, request()) == 2)
        router.attemptSucceeded(1, latencyNanos: ms(10), now: s(2))
        router.attemptCancelled(1)
        #expect(router.inFlight == [2, 0, 1])
        #expect(chosen(&router, request()) == 1)
        router.attemptCancelled(0)
        router.attemptFailed(0, error: .contextWindowExceeded, now: s(3))
        #expect(router.inFlight == [0, 0, 1])
        #expect(chosen(&router, request()) == 0)
    }

    @Test("least_busy only considers eligible candidates")
    func leastBusyEligible() {
        var router = makeRouter([endpoint("a"), endpoint("b", classes: [.public])], TierPolicy(strategy: .leastBusy))
        router.attemptStarted(0, now: s(1))
        #expect(chosen(&router, request(.public)) == 1)
        #expect(chosen(&router, request(.internal)) == 0)
    }

    // MARK: Latency

    @Test("latency: unmeasured endpoints are tried first, in list order")
    func latencyUnmeasuredFirst() {
        var router = makeRouter(plainEndpoints(3), TierPolicy(strategy: .latency))
        #expect(chosen(&router, request()) == 0)
        observe(&router, 0, latency: ms(100))
        #expect(chosen(&router, request(), draw: 0.99) == 1)
        observe(&router, 2, latency: ms(900))
        #expect(chosen(&router, request(), draw: 0.99) == 1)   // still unmeasured, though 0 is faster
        observe(&router, 1, latency: ms(500))
        #expect(chosen(&router, request(), draw: 0.99) == 0)   // all measured: the fastest
    }

    @Test("the latency EWMA: the first observation, then weight × the difference", arguments: [
        (0.2, [ms(100)], 100_000_000.0),
        (0.2, [ms(100), ms(200)], 120_000_000.0),
        (0.2, [ms(100), ms(200), ms(120)], 120_000_000.0),
        (0.5, [ms(100), ms(200)], 150_000_000.0),
        (1.0, [ms(100), ms(200), ms(300)], 300_000_000.0),
    ])
    func latencyEWMA(weight: Double, observations: [Nanoseconds], expected: Double) {
        var router = makeRouter(plainEndpoints(2), TierPolicy(strategy: .latency), latencyWeight: weight)
        for latency in observations { observe(&router, 0, latency: latency) }
        #expect(router.latencyEstimate[0] == expected)
        #expect(router.latencyEstimate[1] == 0)
        #expect(router.latencyWeight == weight)
    }

    @Test("failures and cancellations do not change the latency estimate")
    func latencyOnlyFromSuccesses() {
        var router = makeRouter(plainEndpoints(1), TierPolicy(strategy: .latency))
        observe(&router, 0, latency: ms(100))
        fail(&router, 0, .timeout, at: s(5))
        router.attemptStarted(0, now: s(6))
        router.attemptCancelled(0)
        #expect(router.latencyEstimate[0] == 100_000_000)
    }

    @Test("latency: endpoints within the tolerance band share the traffic; one outside is never chosen")
    func latencyBand() {
        // 0: 111 ms (outside 10% of the best), 1: 100 ms (best), 2: 109 ms (inside).
        var router = makeRouter(plainEndpoints(3), TierPolicy(strategy: .latency))
        observe(&router, 0, latency: ms(111))
        observe(&router, 1, latency: ms(100))
        observe(&router, 2, latency: ms(109))
        for draw in drawGrid() {
            #expect(chosen(&router, request(), draw: draw) == (draw < 0.5 ? 1 : 2))
        }
    }

    @Test("latency with tolerance 0 always picks the fastest")
    func latencyNoTolerance() {
        var router = makeRouter(plainEndpoints(3), TierPolicy(strategy: .latency, latencyTolerance: 0))
        observe(&router, 0, latency: ms(101))
        observe(&router, 1, latency: ms(100))
        observe(&router, 2, latency: ms(102))
        for draw in drawGrid(100) {
            #expect(chosen(&router, request(), draw: draw) == 1)
        }
    }

    // MARK: Cost

    /// 0 "cheap input": $1 in, $10 out per token; 1 "cheap output": $5 in, $2 out.
    static let priced = [endpoint("cheapInput", input: 1, output: 10), endpoint("cheapOutput", input: 5, output: 2)]

    @Test("cost picks the lowest expected cost of this request", arguments: [
        // (input, expected output, max output, choice): costs 0 = in + 10·out, 1 = 5·in + 2·out
        (1000, 10, 10, 0),          // 1100 vs 5020: input-heavy → cheap input
        (10, 1000, 1000, 1),        // 10010 vs 2050: output-heavy → cheap output
        (100, 10, 10_000, 0),       // expected output counts, not max_tokens: 200 vs 520
        (100, 100, 100, 1),         // 1100 vs 700
        (200, 50, 50, 0),           // 700 vs 1100
    ])
    func costStrategy(input: Int, expectedOutput: Int, maxOutput: Int, expected: EndpointID) {
        var router = makeRouter(Self.priced, TierPolicy(strategy: .cost))
        #expect(chosen(&router, request(input: input, maxOutput: maxOutput, expectedOutput: expectedOutput)) == expected)
        var reversed = makeRouter(Self.priced, TierPolicy(strategy: .cost), candidates: [1, 0])
        #expect(chosen(&reversed, request(input: input, maxOutput: maxOutput, expectedOutput: expectedOutput)) == expected)
    }

    @Test("without an expected output, cost uses max_tokens")
    func costDefaultsToMaxTokens() {
        var router = makeRouter(Self.priced, TierPolicy(strategy: .cost))
        #expect(request(input: 100, maxOutput: 10_000).expectedOutputTokens == 10_000)
        #expect(chosen(&router, request(input: 100, maxOutput: 10_000)) == 1)
    }

    @Test("cost ties go to list order")
    func costTie() {
        // 100 in, 100 out: 0 costs 1100, 1 costs 500 + 200 = 700, 2 also 700.
        let endpoints = Self.priced + [endpoint("twin", input: 5, output: 2)]
        var router = makeRouter(endpoints, TierPolicy(strategy: .cost), candidates: [0, 2, 1])
        #expect(chosen(&router, request(input: 100, maxOutput: 100)) == 2)
    }

    // MARK: Cost ceiling (budget hook)

    @Test("a candidate whose worst case exceeds the cost ceiling is skipped", arguments: [
        // 100 in, max 100 out: worst cases 1100 (endpoint 0) and 700 (endpoint 1).
        (Double?.none, RouteDecision.dispatch(endpoint: 0)),
        (5000.0, .dispatch(endpoint: 0)),
        (1100.0, .dispatch(endpoint: 0)),         // equal to the ceiling: allowed
        (1099.0, .dispatch(endpoint: 1)),
        (700.0, .dispatch(endpoint: 1)),
        (699.0, .fail(.budgetExceeded)),
        (0.0, .fail(.budgetExceeded)),
    ])
    func costCeiling(ceiling: Double?, expected: RouteDecision) {
        var router = makeRouter(Self.priced)
        let r = request(input: 100, maxOutput: 100, expectedOutput: 0, ceiling: ceiling.map(USD.init))
        #expect(firstDecision(&router, r) == expected)
        #expect(router.isAffordable(0, for: r) == (ceiling.map { $0 >= 1100 } ?? true))
    }

    @Test("the ceiling applies to every strategy")
    func costCeilingAllStrategies() {
        for strategy in RoutingStrategy.allCases {
            var router = makeRouter(Self.priced, TierPolicy(strategy: strategy, weights: [1, 1]))
            let r = request(input: 100, maxOutput: 100, expectedOutput: 1, ceiling: USD(1000))
            for draw in [0.0, 0.5, (1.0).nextDown] {
                #expect(chosen(&router, r, draw: draw) == 1, "\(strategy)")
            }
        }
    }

    // MARK: Hedging

    @Test("hedge returns another eligible untried endpoint, marks it tried, and nil when none is left")
    func hedge() {
        // Candidate 1 may not receive internal data.
        var router = makeRouter([endpoint("a"), endpoint("b", classes: [.public]), endpoint("c"), endpoint("d")])
        var state = RequestRouting()
        let r = request(.internal)
        #expect(router.route(r, state: &state, now: s(1), draw: 0) == .dispatch(endpoint: 0))
        #expect(router.hedge(r, state: &state, now: s(2), draw: 0) == 2)
        #expect(state.tried == 0b101)
        #expect(state.attempts == 2)
        #expect(router.hedge(r, state: &state, now: s(2), draw: 0) == 3)
        #expect(state.tried == 0b1101)
        #expect(state.attempts == 3)
        #expect(router.hedge(r, state: &state, now: s(2), draw: 0) == nil)
        #expect(state.tried == 0b1101)
        #expect(state.attempts == 3)
        // Nothing untried is left for a fallback either.
        #expect(router.afterFailure(r, state: &state, error: .serverError(status: 501), now: s(3), draw: 0) == .fail(.providerError))
    }

    @Test("hedge uses the tier's strategy")
    func hedgeStrategy() {
        var router = makeRouter(plainEndpoints(3), TierPolicy(strategy: .weighted, weights: [1, 1, 2]))
        var state = RequestRouting()
        #expect(router.route(request(), state: &state, now: s(1), draw: 0.1) == .dispatch(endpoint: 0))
        // Untried: 1 (weight 1), 2 (weight 2).
        var copy = state
        #expect(router.hedge(request(), state: &copy, now: s(2), draw: 0.3) == 1)
        #expect(router.hedge(request(), state: &state, now: s(2), draw: 0.4) == 2)
    }

    @Test("a hedge skips endpoints whose breaker is open")
    func hedgeSkipsOpenBreaker() {
        let policy = CircuitBreakerPolicy(windowNanos: s(10), minimumRequests: 1, failureThreshold: 1, cooldownNanos: s(30))
        var router = makeRouter(plainEndpoints(3), breaker: policy)
        fail(&router, 1, at: s(1))
        var state = RequestRouting()
        #expect(router.route(request(), state: &state, now: s(2), draw: 0) == .dispatch(endpoint: 0))
        #expect(router.hedge(request(), state: &state, now: s(2), draw: 0) == 2)
        #expect(router.hedge(request(), state: &state, now: s(2), draw: 0) == nil)
    }
}
