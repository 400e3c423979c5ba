import NexusGateway
import Testing

/// After a failed attempt: retries with backoff, fallbacks, deadlines and context-window fallbacks.
@Suite("Router: after a failure")
struct RouterFailureTests {
    /// Two retries per model; backoff ceilings 100 ms, 200 ms, … up to 2 s.
    static let retry = RetryPolicy(maxRetries: 2, baseBackoffNanos: ms(100), maxBackoffNanos: s(2))

    static let retryable: [AttemptError] = [
        .rateLimited(retryAfter: nil), .serverError(status: 500), .serverError(status: 502),
        .serverError(status: 503), .serverError(status: 504), .timeout, .connectionError,
    ]

    @Test("a retryable error retries the same model up to maxRetries, then falls back, then fails", arguments: retryable)
    func retryThenFallback(error: AttemptError) {
        var router = makeRouter(plainEndpoints(3), TierPolicy(retry: Self.retry))
        var state = RequestRouting()
        var decisions = [router.route(request(), state: &state, now: s(1), draw: 0)]
        var retries = [state.retriesOnEndpoint]
        for i in 0..<9 {
            decisions.append(router.afterFailure(request(), state: &state, error: error, now: s(2 + Int64(i)), draw: 0.5))
            retries.append(state.retriesOnEndpoint)
        }
        #expect(decisions == [
            .dispatch(endpoint: 0), .retry(endpoint: 0, after: ms(50)), .retry(endpoint: 0, after: ms(100)),
            .dispatch(endpoint: 1), .retry(endpoint: 1, after: ms(50)), .retry(endpoint: 1, after: ms(100)),
            .dispatch(endpoint: 2), .retry(endpoint: 2, after: ms(50)), .retry(endpoint: 2, after: ms(100)),
            .fail(FailureReason(exhaustedAfter: error)),
        ])
        #expect(retries == [0, 1, 2, 0, 1, 2, 0, 1, 2, 2])
        #expect(state.attempts == 9)
        #expect(state.tried == 0b111)
        #expect(state.endpoint == 2)
    }

    @Test("a status that is not retryable falls back at once", arguments: [501, 505, 599])
    func nonRetryableStatus(status: Int) {
        var router = makeRouter(plainEndpoints(3), TierPolicy(retry: Self.retry))
        var state = RequestRouting()
        _ = router.route(request(), state: &state, now: s(1), draw: 0)
        let error = AttemptError.serverError(status: status)
        #expect(router.afterFailure(request(), state: &state, error: error, now: s(2), draw: 0.5) == .dispatch(endpoint: 1))
        #expect(router.afterFailure(request(), state: &state, error: error, now: s(3), draw: 0.5) == .dispatch(endpoint: 2))
        #expect(router.afterFailure(request(), state: &state, error: error, now: s(4), draw: 0.5) == .fail(.providerError))
        #expect(state.attempts == 3)
    }

    @Test("only the configured statuses and error kinds are retried", arguments: [
        (AttemptError.serverError(status: 503), true),
        (.serverError(status: 500), false),
        (.rateLimited(retryAfter: nil), false),
        (.timeout, false),
        (.connectionError, false),
    ])
    func customRetryableSet(error: AttemptError, retried: Bool) {
        let policy = RetryPolicy(maxRetries: 1, baseBackoffNanos: ms(100), maxBackoffNanos: s(2), retryableStatuses: [503],
                                 retryTimeouts: false, retryConnectionErrors: false)
        var router = makeRouter(plainEndpoints(2), TierPolicy(retry: policy))
        var state = RequestRouting()
        _ = router.route(request(), state: &state, now: s(1), draw: 0)
        let next = router.afterFailure(request(), state: &state, error: error, now: s(2), draw: 0.5)
        #expect(next == (retried ? .retry(endpoint: 0, after: ms(50)) : .dispatch(endpoint: 1)))
    }

    @Test("retries: none falls back at once on every error", arguments: retryable)
    func noRetries(error: AttemptError) {
        var router = makeRouter(plainEndpoints(2), TierPolicy(retry: .none))
        var state = RequestRouting()
        _ = router.route(request(), state: &state, now: s(1), draw: 0)
        #expect(router.afterFailure(request(), state: &state, error: error, now: s(2), draw: 0.5) == .dispatch(endpoint: 1))
    }

    @Test("the router's retry delay is the policy's full-jitter backoff", arguments: [0.0, 0.5, 0.999])
    func routerBackoff(draw: Double) {
        let policy = RetryPolicy(maxRetries: 7, baseBackoffNanos: ms(100), maxBackoffNanos: s(2))
        var router = makeRouter(plainEndpoints(1), TierPolicy(retry: policy))
        var state = RequestRouting()
        _ = router.route(request(), state: &state, now: s(1), draw: 0)
        for k in 0..<7 {
            let expected = policy.backoff(retryIndex: k, draw: draw, retryAfter: nil)
            #expect(router.afterFailure(request(), state: &state, error: .timeout, now: s(2), draw: draw)
                    == .retry(endpoint: 0, after: expected))
        }
        #expect(router.afterFailure(request(), state: &state, error: .timeout, now: s(2), draw: draw) == .fail(.timeout))
    }

    // MARK: Retry-After

    @Test("Retry-After is honoured: the delay is max(jitter, Retry-After)", arguments: [
        // (Retry-After, draw, delay); jitter = draw × 100 ms for the first retry
        (s(5), 0.5, s(5)),
        (ms(10), 0.5, ms(50)),
        (ms(50), 0.5, ms(50)),
        (ms(1), 0.0, ms(1)),
        (Nanoseconds(0), 0.999, ms(99) + 900_000),
    ])
    func retryAfterHonoured(retryAfter: Nanoseconds, draw: Double, delay: Nanoseconds) {
        // A cap above every Retry-After here, so that waiting is preferred to falling back.
        let policy = RetryPolicy(maxRetries: 2, baseBackoffNanos: ms(100), maxBackoffNanos: s(10))
        var router = makeRouter(plainEndpoints(2), TierPolicy(retry: policy))
        var state = RequestRouting()
        _ = router.route(request(), state: &state, now: s(1), draw: 0)
        #expect(router.afterFailure(request(), state: &state, error: .rateLimited(retryAfter: retryAfter), now: s(2), draw: draw)
                == .retry(endpoint: 0, after: delay))
    }

    @Test("Retry-After is ignored when honorRetryAfter is false")
    func retryAfterIgnored() {
        var policy = Self.retry
        policy.honorRetryAfter = false
        var router = makeRouter(plainEndpoints(2), TierPolicy(retry: policy))
        var state = RequestRouting()
        _ = router.route(request(), state: &state, now: s(1), draw: 0)
        #expect(router.afterFailure(request(), state: &state, error: .rateLimited(retryAfter: s(5)), now: s(2), draw: 0.5)
                == .retry(endpoint: 0, after: ms(50)))
    }

    @Test("a Retry-After above the backoff cap prefers another model when one is eligible")
    func longRetryAfterPrefersFallback() {
        let long = AttemptError.rateLimited(retryAfter: s(5))   // the cap is 2 s
        var router = makeRouter(plainEndpoints(2), TierPolicy(retry: Self.retry))
        var state = RequestRouting()
        _ = router.route(request(), state: &state, now: s(1), draw: 0)
        #expect(router.afterFailure(request(), state: &state, error: long, now: s(2), draw: 0.5) == .dispatch(endpoint: 1))
        #expect(state.retriesOnEndpoint == 0)
        // On the last model nothing else is eligible: it waits the Retry-After.
        #expect(router.afterFailure(request(), state: &state, error: long, now: s(3), draw: 0.5) == .retry(endpoint: 1, after: s(5)))

        // Exactly the cap is not "above" it: wait.
        var atCap = RequestRouting()
        _ = router.route(request(), state: &atCap, now: s(1), draw: 0)
        #expect(router.afterFailure(request(), state: &atCap, error: .rateLimited(retryAfter: s(2)), now: s(2), draw: 0.5)
                == .retry(endpoint: 0, after: s(2)))

        // Without fallbacks the request waits.
        var strict = makeRouter(plainEndpoints(2), TierPolicy(retry: Self.retry, fallbacks: false))
        var other = RequestRouting()
        _ = strict.route(request(), state: &other, now: s(1), draw: 0)
        #expect(strict.afterFailure(request(), state: &other, error: long, now: s(2), draw: 0.5) == .retry(endpoint: 0, after: s(5)))
    }

    @Test("a long Retry-After waits when the other models are unavailable")
    func longRetryAfterNoAlternative() {
        let breaker = CircuitBreakerPolicy(windowNanos: s(10), minimumRequests: 1, failureThreshold: 1, cooldownNanos: s(60))
        var router = makeRouter(plainEndpoints(2), TierPolicy(retry: Self.retry), breaker: breaker)
        fail(&router, 1, at: s(1))
        var state = RequestRouting()
        _ = router.route(request(), state: &state, now: s(2), draw: 0)
        #expect(router.afterFailure(request(), state: &state, error: .rateLimited(retryAfter: s(5)), now: s(3), draw: 0.5)
                == .retry(endpoint: 0, after: s(5)))
    }

    // MARK: Deadline

    @Test("a retry that would start at or after the deadline falls back instead", arguments: [
        (s(10) - ms(51), RouteDecision.retry(endpoint: 0, after: ms(50))),
        (s(10) - ms(50), .dispatch(endpoint: 1)),       // would start exactly at the deadline
        (s(10) - 1, .dispatch(endpoint: 1)),
        (s(10), .fail(.deadlineExceeded)),
        (s(11), .fail(.deadlineExceeded)),
    ])
    func retryAgainstDeadline(now: Nanoseconds, expected: RouteDecision) {
        var router = makeRouter(plainEndpoints(2), TierPolicy(retry: Self.retry))
        var state = RequestRouting(deadline: s(10))
        #expect(router.route(request(), state: &state, now: s(1), draw: 0) == .dispatch(endpoint: 0))
        #expect(router.afterFailure(request(), state: &state, error: .serverError(status: 503), now: now, draw: 0.5) == expected)
    }

    @Test("a Retry-After beyond the deadline falls back instead of waiting")
    func retryAfterBeyondDeadline() {
        var router = makeRouter(plainEndpoints(2), TierPolicy(retry: Self.retry))
        var state = RequestRouting(deadline: s(10))
        _ = router.route(request(), state: &state, now: s(1), draw: 0)
        #expect(router.afterFailure(request(), state: &state, error: .rateLimited(retryAfter: s(30)), now: s(5), draw: 0)
                == .dispatch(endpoint: 1))
        // Without fallbacks nothing is left: the request fails with the attempt's reason.
        var strict = makeRouter(plainEndpoints(2), TierPolicy(retry: Self.retry, fallbacks: false))
        var other = RequestRouting(deadline: s(10))
        _ = strict.route(request(), state: &other, now: s(1), draw: 0)
        #expect(strict.afterFailure(request(), state: &other, error: .rateLimited(retryAfter: s(30)), now: s(5), draw: 0)
                == .fail(.rateLimited))
    }

    @Test("a request whose deadline has passed is not routed", arguments: [s(10), s(10) + 1, .max])
    func routeAfterDeadline(now: Nanoseconds) {
        var router = makeRouter(plainEndpoints(2))
        var state = RequestRouting(deadline: s(10))
        #expect(router.route(request(), state: &state, now: now, draw: 0) == .fail(.deadlineExceeded))
        #expect(state.attempts == 0)
        var early = RequestRouting(deadline: s(10))
        #expect(router.route(request(), state: &early, now: s(10) - 1, draw: 0) == .dispatch(endpoint: 0))
    }

    // MARK: Fallbacks

    @Test("fallback goes to the next untried candidate in list order, with the retry count reset")
    func fallbackOrder() {
        var router = makeRouter(plainEndpoints(4), TierPolicy(retry: Self.retry), candidates: [3, 1, 0, 2])
        var state = RequestRouting()
        #expect(router.route(request(), state: &state, now: s(1), draw: 0) == .dispatch(endpoint: 3))
        #expect(router.afterFailure(request(), state: &state, error: .timeout, now: s(2), draw: 0.5) == .retry(endpoint: 3, after: ms(50)))
        #expect(state.retriesOnEndpoint == 1)
        // A hedge took candidate 1 (endpoint 1) meanwhile: the fallback skips it.
        #expect(router.hedge(request(), state: &state, now: s(2), draw: 0) == 1)
        #expect(router.afterFailure(request(), state: &state, error: .serverError(status: 501), now: s(3), draw: 0.5)
                == .dispatch(endpoint: 0))
        #expect(state.retriesOnEndpoint == 0)
        #expect(state.position == 2)
        // The count restarts: the first retry on the new model waits up to the base backoff again.
        #expect(router.afterFailure(request(), state: &state, error: .timeout, now: s(4), draw: 0.5) == .retry(endpoint: 0, after: ms(50)))
        #expect(router.afterFailure(request(), state: &state, error: .timeout, now: s(5), draw: 0.5) == .retry(endpoint: 0, after: ms(100)))
        #expect(router.afterFailure(request(), state: &state, error: .timeout, now: s(6), draw: 0.5) == .dispatch(endpoint: 2))
        #expect(state.position == 3)
        #expect(state.tried == 0b1111)
    }

    @Test("fallback skips candidates that may not receive the data")
    func fallbackSkipsNonCompliant() {
        let endpoints = [endpoint("a", classes: [.public]), endpoint("b"), endpoint("c", classes: [.public]), endpoint("d")]
        var router = makeRouter(endpoints, TierPolicy(retry: .none))
        var state = RequestRouting()
        let r = request(.internal)
        #expect(router.route(r, state: &state, now: s(1), draw: 0) == .dispatch(endpoint: 1))
        #expect(router.afterFailure(r, state: &state, error: .timeout, now: s(2), draw: 0) == .dispatch(endpoint: 3))
        #expect(router.afterFailure(r, state: &state, error: .timeout, now: s(3), draw: 0) == .fail(.timeout))
    }

    @Test("without fallbacks the request fails with the reason of its last error", arguments: [
        (AttemptError.rateLimited(retryAfter: nil), FailureReason.rateLimited),
        (.rateLimited(retryAfter: s(1)), .rateLimited),
        (.serverError(status: 503), .providerError),
        (.serverError(status: 500), .providerError),
        (.connectionError, .providerError),
        (.timeout, .timeout),
    ])
    func noFallbacks(error: AttemptError, reason: FailureReason) {
        var router = makeRouter(plainEndpoints(2), TierPolicy(retry: RetryPolicy(maxRetries: 1), fallbacks: false))
        var state = RequestRouting()
        _ = router.route(request(), state: &state, now: s(1), draw: 0)
        guard case .retry(endpoint: 0, _) = router.afterFailure(request(), state: &state, error: error, now: s(2), draw: 0.5) else {
            Issue.record("expected a retry on endpoint 0")
            return
        }
        #expect(router.afterFailure(request(), state: &state, error: error, now: s(3), draw: 0.5) == .fail(reason))
        #expect(state.attempts == 2)
    }

    @Test("without fallbacks a priority tier routes to its first compliant model that fits, or fails fast")
    func noFallbacksSingleChoice() {
        // 0: public only; 1: small window; 2 and 3: anything. Endpoint 2 is open, 3 is pricey.
        let endpoints = [endpoint("public", classes: [.public]), endpoint("small", window: 100), endpoint("b"),
                         endpoint("pricey", input: 1000)]
        let breaker = CircuitBreakerPolicy(windowNanos: s(10), minimumRequests: 1, failureThreshold: 1, cooldownNanos: s(60))
        var router = makeRouter(endpoints, TierPolicy(fallbacks: false), breaker: breaker)
        #expect(chosen(&router, request(.public, input: 50)) == 0)
        #expect(chosen(&router, request(.internal, input: 50)) == 1)       // 0 may not take internal data
        #expect(chosen(&router, request(.internal, input: 500)) == 2)      // 1 is too small
        fail(&router, 2, at: s(1))
        // Its first choice is open: no_available_route, not a move to endpoint 3.
        #expect(firstDecision(&router, request(.internal, input: 500), now: s(2)) == .fail(.noAvailableRoute))
        // With fallbacks the same request goes to endpoint 3.
        var failover = makeRouter(endpoints, TierPolicy(fallbacks: true), breaker: breaker)
        fail(&failover, 2, at: s(1))
        #expect(chosen(&failover, request(.internal, input: 500), now: s(2)) == 3)
    }

    @Test("without fallbacks a non-retryable error fails at once")
    func noFallbacksNonRetryable() {
        var router = makeRouter(plainEndpoints(2), TierPolicy(retry: Self.retry, fallbacks: false))
        var state = RequestRouting()
        _ = router.route(request(), state: &state, now: s(1), draw: 0)
        #expect(router.afterFailure(request(), state: &state, error: .serverError(status: 501), now: s(2), draw: 0.5)
                == .fail(.providerError))
    }

    @Test("when every candidate has been tried the last error decides the reason", arguments: [
        (AttemptError.timeout, FailureReason.timeout),
        (.connectionError, .providerError),
        (.serverError(status: 502), .providerError),
        (.rateLimited(retryAfter: nil), .rateLimited),
    ])
    func everyCandidateTried(last: AttemptError, reason: FailureReason) {
        var router = makeRouter(plainEndpoints(3), TierPolicy(retry: .none))
        var state = RequestRouting()
        #expect(router.route(request(), state: &state, now: s(1), draw: 0) == .dispatch(endpoint: 0))
        #expect(router.afterFailure(request(), state: &state, error: .serverError(status: 500), now: s(2), draw: 0) == .dispatch(endpoint: 1))
        #expect(router.afterFailure(request(), state: &state, error: .rateLimited(retryAfter: nil), now: s(3), draw: 0) == .dispatch(endpoint: 2))
        #expect(router.afterFailure(request(), state: &state, error: last, now: s(4), draw: 0) == .fail(reason))
    }

    @Test("a fallback skips candidates above the cost ceiling")
    func fallbackRespectsCeiling() {
        let endpoints = [endpoint("a", input: 1), endpoint("pricey", input: 100), endpoint("c", input: 1)]
        var router = makeRouter(endpoints, TierPolicy(retry: .none))
        var state = RequestRouting()
        let r = request(input: 10, maxOutput: 0, ceiling: USD(100))
        #expect(router.route(r, state: &state, now: s(1), draw: 0) == .dispatch(endpoint: 0))
        #expect(router.afterFailure(r, state: &state, error: .timeout, now: s(2), draw: 0) == .dispatch(endpoint: 2))
        #expect(router.afterFailure(r, state: &state, error: .timeout, now: s(3), draw: 0) == .fail(.timeout))
    }

    // MARK: Context-window fallbacks

    /// 0: 1000-token window; 1: 100k, public only; 2: 200k; 3: 1M.
    static let windowEndpoints = [
        endpoint("small", window: 1000),
        endpoint("public-large", classes: [.public], window: 100_000),
        endpoint("large", window: 200_000),
        endpoint("huge", window: 1_000_000),
    ]

    static func windowRouter(fallbacks: [EndpointID] = [1, 2, 3], retry: RetryPolicy = RouterFailureTests.retry) -> Router {
        makeRouter(windowEndpoints, TierPolicy(retry: retry, contextWindowFallbacks: fallbacks, preCallChecks: false),
                   candidates: [0])
    }

    @Test("a context-window error walks the tier's context-window fallbacks in order, skipping non-compliant ones")
    func contextWindowFallbacks() {
        var router = Self.windowRouter()
        var state = RequestRouting()
        let r = request(.internal, input: 5000)
        #expect(router.route(r, state: &state, now: s(1), draw: 0) == .dispatch(endpoint: 0))
        // Never retried, although the policy retries: the same prompt would not fit the next time either.
        #expect(router.afterFailure(r, state: &state, error: .contextWindowExceeded, now: s(2), draw: 0) == .dispatch(endpoint: 2))
        #expect(state.onContextWindowFallbacks)
        #expect(state.endpoint == 2)
        #expect(state.position == -1)
        #expect(state.retriesOnEndpoint == 0)
        #expect(state.nextContextWindowFallback == 2)
        #expect(router.afterFailure(r, state: &state, error: .contextWindowExceeded, now: s(3), draw: 0) == .dispatch(endpoint: 3))
        #expect(router.afterFailure(r, state: &state, error: .contextWindowExceeded, now: s(4), draw: 0) == .fail(.contextWindowExceeded))
        #expect(state.attempts == 3)
    }

    @Test("public data may take the public-only context-window fallback")
    func contextWindowFallbackPublic() {
        var router = Self.windowRouter()
        var state = RequestRouting()
        let r = request(.public, input: 5000)
        _ = router.route(r, state: &state, now: s(1), draw: 0)
        #expect(router.afterFailure(r, state: &state, error: .contextWindowExceeded, now: s(2), draw: 0) == .dispatch(endpoint: 1))
        #expect(router.afterFailure(r, state: &state, error: .contextWindowExceeded, now: s(3), draw: 0) == .dispatch(endpoint: 2))
    }

    @Test("no context-window fallbacks: context_window_exceeded at once")
    func noContextWindowFallbacks() {
        var router = Self.windowRouter(fallbacks: [])
        var state = RequestRouting()
        _ = router.route(request(input: 5000), state: &state, now: s(1), draw: 0)
        #expect(router.afterFailure(request(input: 5000), state: &state, error: .contextWindowExceeded, now: s(2), draw: 0)
                == .fail(.contextWindowExceeded))
    }

    @Test("the failing model itself is skipped in the context-window list")
    func contextWindowFallbackSkipsCurrent() {
        var router = Self.windowRouter(fallbacks: [0, 3])
        var state = RequestRouting()
        _ = router.route(request(input: 5000), state: &state, now: s(1), draw: 0)
        #expect(router.afterFailure(request(input: 5000), state: &state, error: .contextWindowExceeded, now: s(2), draw: 0)
                == .dispatch(endpoint: 3))
    }

    @Test("on a context-window fallback, other errors are retried, then the request fails without tier fallbacks")
    func errorsOnContextWindowFallback() {
        var router = Self.windowRouter(retry: RetryPolicy(maxRetries: 1, baseBackoffNanos: ms(100), maxBackoffNanos: s(2)))
        var state = RequestRouting()
        let r = request(.internal, input: 5000)
        _ = router.route(r, state: &state, now: s(1), draw: 0)
        #expect(router.afterFailure(r, state: &state, error: .contextWindowExceeded, now: s(2), draw: 0) == .dispatch(endpoint: 2))
        #expect(router.afterFailure(r, state: &state, error: .serverError(status: 500), now: s(3), draw: 0.5)
                == .retry(endpoint: 2, after: ms(50)))
        #expect(router.afterFailure(r, state: &state, error: .serverError(status: 500), now: s(4), draw: 0.5)
                == .fail(.providerError))
    }

    @Test("a context-window error after the deadline fails with deadline_exceeded")
    func contextWindowAfterDeadline() {
        var router = Self.windowRouter()
        var state = RequestRouting(deadline: s(5))
        _ = router.route(request(input: 5000), state: &state, now: s(1), draw: 0)
        #expect(router.afterFailure(request(input: 5000), state: &state, error: .contextWindowExceeded, now: s(5), draw: 0)
                == .fail(.deadlineExceeded))
    }
}
