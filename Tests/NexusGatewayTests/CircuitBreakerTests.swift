import NexusGateway
import Testing

/// 10 s window (ten 1 s buckets), at least 4 outcomes, opens at 50 % failures, 30 s cooldown.
private let policy = CircuitBreakerPolicy(windowNanos: s(10), minimumRequests: 4, failureThreshold: 0.5, cooldownNanos: s(30))

/// A breaker opened by four failures at `at`; it stays open until `at + 30 s`.
private func openBreaker(at now: Nanoseconds = s(5)) -> CircuitBreaker {
    var breaker = CircuitBreaker(policy: policy)
    for _ in 0..<4 { breaker.record(success: false, at: now) }
    return breaker
}

@Suite("CircuitBreaker")
struct CircuitBreakerTests {
    @Test("the default policy")
    func defaults() {
        let p = CircuitBreakerPolicy()
        #expect(p.windowNanos == s(60))
        #expect(p.minimumRequests == 20)
        #expect(p.failureThreshold == 0.5)
        #expect(p.cooldownNanos == s(30))
        let breaker = CircuitBreaker(policy: p)
        #expect(breaker.state == .closed)
        #expect(breaker.policy == p)
        #expect(breaker.totals(at: 0) == (0, 0))
    }

    @Test("below the minimum request count it stays closed, even at 100 % failures")
    func belowMinimum() {
        var breaker = CircuitBreaker(policy: policy)
        for i in 0..<3 {
            #expect(breaker.record(success: false, at: s(1) + ms(Int64(i) * 100)) == nil)
        }
        #expect(breaker.state == .closed)
        #expect(breaker.isAvailable(at: s(2)))
        #expect(breaker.totals(at: s(2)) == (0, 3))
    }

    /// The reference rule: open at the first outcome after which there are at least 4 outcomes and
    /// failures ≥ 50 % of them.
    @Test("it opens when the failure share reaches the threshold with enough requests", arguments: [
        ("FFFF", 3),
        ("SSFF", 3),
        ("SSSFFF", 5),
        ("SSSSSFFFFF", 9),
        ("SFSFSFSF", 3),
        ("SSSSFSFS", nil),
        ("SSSSSSSS", nil),
        ("FFF", nil),
    ] as [(String, Int?)])
    func opensAtThreshold(outcomes: String, opensAt: Int?) {
        var breaker = CircuitBreaker(policy: policy)
        var opened: Int?
        for (i, c) in outcomes.enumerated() {
            let now = s(1) + Nanoseconds(i)
            let change = breaker.record(success: c == "S", at: now)
            if change != nil, opened == nil {
                opened = i
                #expect(change == .open(until: now + s(30)))
                #expect(breaker.state == .open(until: now + s(30)))
                break
            }
        }
        #expect(opened == opensAt)
    }

    @Test("a threshold of 100 % opens only when every outcome in the window failed")
    func fullThreshold() {
        var breaker = CircuitBreaker(policy: CircuitBreakerPolicy(windowNanos: s(10), minimumRequests: 2, failureThreshold: 1, cooldownNanos: s(1)))
        breaker.record(success: true, at: s(1))
        for i in 0..<20 { #expect(breaker.record(success: false, at: s(5) + Nanoseconds(i)) == nil) }
        // Once the success has left the window, the next failure opens it.
        #expect(breaker.record(success: false, at: s(12)) == .open(until: s(13)))
    }

    @Test("outcomes older than the window no longer count", arguments: [Nanoseconds(0), ms(300), s(1) - 1, s(7) + ms(500)])
    func windowExpiry(t0: Nanoseconds) {
        var breaker = CircuitBreaker(policy: policy)
        for _ in 0..<3 { breaker.record(success: true, at: t0) }
        breaker.record(success: false, at: t0)
        #expect(breaker.state == .closed)
        // Within the window less one bucket they count...
        #expect(breaker.totals(at: t0) == (3, 1))
        #expect(breaker.totals(at: t0 + s(9)) == (3, 1))
        // ...and from one window on they do not.
        #expect(breaker.totals(at: t0 + s(10)) == (0, 0))
        #expect(breaker.totals(at: t0 + s(10) + ms(500)) == (0, 0))
        #expect(breaker.totals(at: t0 + s(25)) == (0, 0))
    }

    @Test("old failures do not help open the breaker once the window has passed")
    func oldFailuresDoNotOpen() {
        var late = CircuitBreaker(policy: policy)
        for _ in 0..<3 { late.record(success: false, at: ms(500)) }
        #expect(late.record(success: false, at: ms(500) + s(10)) == nil)
        #expect(late.state == .closed)
        #expect(late.totals(at: ms(500) + s(10)) == (0, 1))
        // The same four failures within the window open it.
        var early = CircuitBreaker(policy: policy)
        for _ in 0..<3 { early.record(success: false, at: ms(500)) }
        #expect(early.record(success: false, at: ms(500) + s(8)) == .open(until: ms(500) + s(38)))
    }

    @Test("open: unavailable until the cooldown has passed")
    func openUntilCooldown() {
        let breaker = openBreaker(at: s(5))
        #expect(breaker.state == .open(until: s(35)))
        #expect(!breaker.isAvailable(at: s(5)))
        #expect(!breaker.isAvailable(at: s(35) - 1))
        #expect(breaker.isAvailable(at: s(35)))
        #expect(breaker.isAvailable(at: s(1000)))
        #expect(breaker.state == .open(until: s(35)))   // asking does not change it
    }

    @Test("an attempt sent while open (before the cooldown) changes nothing; outcomes while open are ignored")
    func openIgnoresTraffic() {
        var breaker = openBreaker(at: s(5))
        breaker.attemptStarted(at: s(20))
        #expect(breaker.state == .open(until: s(35)))
        #expect(breaker.record(success: true, at: s(21)) == nil)
        #expect(breaker.record(success: false, at: s(22)) == nil)
        breaker.attemptCancelled()
        #expect(breaker.state == .open(until: s(35)))
        #expect(breaker.totals(at: s(22)) == (0, 0))
    }

    @Test("after the cooldown one probe goes through; a second request is not available")
    func halfOpenProbe() {
        var breaker = openBreaker(at: s(5))
        breaker.attemptStarted(at: s(35))
        #expect(breaker.state == .halfOpen(probeInFlight: true))
        #expect(!breaker.isAvailable(at: s(35)))
        #expect(!breaker.isAvailable(at: s(100)))
    }

    @Test("a successful probe closes the breaker with a fresh window")
    func probeSuccess() {
        var breaker = openBreaker(at: s(5))
        breaker.attemptStarted(at: s(36))
        #expect(breaker.record(success: true, at: s(37)) == .closed)
        #expect(breaker.state == .closed)
        #expect(breaker.isAvailable(at: s(37)))
        #expect(breaker.totals(at: s(37)) == (0, 0))
        // Fresh: it takes the minimum number of outcomes again to open.
        for i in 0..<3 { #expect(breaker.record(success: false, at: s(38) + Nanoseconds(i)) == nil) }
        #expect(breaker.record(success: false, at: s(39)) == .open(until: s(69)))
    }

    @Test("a failed probe opens the breaker again with a new cooldown")
    func probeFailure() {
        var breaker = openBreaker(at: s(5))
        breaker.attemptStarted(at: s(40))
        #expect(breaker.record(success: false, at: s(42)) == .open(until: s(72)))
        #expect(!breaker.isAvailable(at: s(71)))
        #expect(breaker.isAvailable(at: s(72)))
        breaker.attemptStarted(at: s(72))
        #expect(breaker.state == .halfOpen(probeInFlight: true))
    }

    @Test("a cancelled probe allows another probe")
    func cancelledProbe() {
        var breaker = openBreaker(at: s(5))
        breaker.attemptStarted(at: s(35))
        breaker.attemptCancelled()
        #expect(breaker.state == .halfOpen(probeInFlight: false))
        #expect(breaker.isAvailable(at: s(36)))
        breaker.attemptStarted(at: s(36))
        #expect(breaker.state == .halfOpen(probeInFlight: true))
        #expect(!breaker.isAvailable(at: s(36)))
        #expect(breaker.record(success: true, at: s(37)) == .closed)
    }

    @Test("cancellation while closed changes nothing")
    func cancelClosed() {
        var breaker = CircuitBreaker(policy: policy)
        breaker.attemptStarted(at: s(1))
        breaker.attemptCancelled()
        #expect(breaker.state == .closed)
        #expect(breaker.totals(at: s(1)) == (0, 0))
    }

    @Test("context-window errors do not count against the endpoint")
    func contextWindowErrorsDoNotCount() {
        #expect(!AttemptError.contextWindowExceeded.countsAgainstEndpoint)
        for error in [AttemptError.rateLimited(retryAfter: nil), .serverError(status: 500), .timeout, .connectionError] {
            #expect(error.countsAgainstEndpoint)
        }
        var router = makeRouter(plainEndpoints(2), breaker: policy)
        for i in 0..<50 { fail(&router, 0, .contextWindowExceeded, at: s(1) + Nanoseconds(i)) }
        #expect(router.breakers[0]?.state == .closed)
        #expect(router.breakers[0]?.totals(at: s(2)).failures == 0)
        #expect(chosen(&router, request(), now: s(2)) == 0)
    }
}

@Suite("Router: circuit breakers")
struct RouterBreakerTests {
    @Test("without a policy there are no breakers and every endpoint is available")
    func noBreakers() {
        var router = makeRouter(plainEndpoints(2))
        for i in 0..<100 { fail(&router, 0, at: s(1) + Nanoseconds(i)) }
        #expect(router.breakers == [nil, nil])
        #expect(router.isAvailable(0, now: s(2)))
        #expect(chosen(&router, request(), now: s(2)) == 0)
    }

    @Test("every endpoint gets its own breaker")
    func perEndpoint() {
        var router = makeRouter(plainEndpoints(3), breaker: policy)
        #expect(router.breakers.map { $0?.policy } == [policy, policy, policy])
        for _ in 0..<4 { fail(&router, 1, at: s(5)) }
        #expect(router.breakers.map { $0?.state } == [.closed, .open(until: s(35)), .closed])
        #expect(router.isAvailable(0, now: s(5)) && !router.isAvailable(1, now: s(5)) && router.isAvailable(2, now: s(5)))
    }

    @Test("an open breaker removes the endpoint from selection; the next one serves")
    func openBreakerSkipped() {
        var router = makeRouter(plainEndpoints(3), breaker: policy)
        for _ in 0..<4 { fail(&router, 0, at: s(5)) }
        #expect(chosen(&router, request(), now: s(6)) == 1)
        #expect(chosen(&router, request(), now: s(35) - 1) == 1)
        // Every strategy skips it.
        for strategy in RoutingStrategy.allCases {
            var r = makeRouter(plainEndpoints(2), TierPolicy(strategy: strategy, weights: [100, 1]), breaker: policy)
            for _ in 0..<4 { fail(&r, 0, at: s(5)) }
            for draw in [0.0, 0.5, (1.0).nextDown] { #expect(chosen(&r, request(), now: s(6), draw: draw) == 1, "\(strategy)") }
        }
    }

    @Test("every compliant endpoint open: no_available_route")
    func noAvailableRoute() {
        // Endpoint 2 is closed but may not receive internal data.
        let upToConfidential: ClassificationSet = [.public, .internal, .confidential]
        var router = makeRouter([endpoint("a", classes: upToConfidential), endpoint("b", classes: upToConfidential),
                                 endpoint("c", classes: [.public])], breaker: policy)
        for e in 0..<2 { for _ in 0..<4 { fail(&router, e, at: s(5)) } }
        #expect(firstDecision(&router, request(.internal), now: s(6)) == .fail(.noAvailableRoute))
        #expect(chosen(&router, request(.public), now: s(6)) == 2)
        // Compliance is reported before availability.
        #expect(firstDecision(&router, request(.restricted), now: s(6)) == .fail(.noCompliantRoute))
        // After the cooldown a probe may go.
        #expect(chosen(&router, request(.internal), now: s(35)) == 0)
    }

    @Test("the budget leaves only an open free model: budget_exceeded, not no_available_route")
    func budgetLeavesOnlyAnOpenModel() {
        // A paid model (worst case 100 in + 100 out at $1 + $1 = $200) and a free one whose breaker 4 rate
        // limits have opened.
        var router = makeRouter([endpoint("paid", input: 1, output: 1), endpoint("free")], breaker: policy)
        for _ in 0..<4 { fail(&router, 1, .rateLimited(retryAfter: s(60)), at: s(5)) }
        #expect(!router.isAvailable(1, now: s(6)) && router.isAvailable(0, now: s(6)))
        // $199 left: only the free model fits, and it is cooling down; lifting the budget would route to the
        // paid model, so the budget is the reason.
        #expect(firstDecision(&router, request(input: 100, maxOutput: 100, ceiling: USD(199)), now: s(6)) == .fail(.budgetExceeded))
        // $200 left: the paid model fits and serves.
        #expect(chosen(&router, request(input: 100, maxOutput: 100, ceiling: USD(200)), now: s(6)) == 0)
        // No budget: the paid model serves; the free model's breaker alone never fails the request.
        #expect(chosen(&router, request(input: 100, maxOutput: 100), now: s(6)) == 0)
        // Both breakers open: no budget would help, so no_available_route, with or without a ceiling.
        for _ in 0..<4 { fail(&router, 0, at: s(6)) }
        #expect(firstDecision(&router, request(input: 100, maxOutput: 100, ceiling: USD(199)), now: s(7)) == .fail(.noAvailableRoute))
        #expect(firstDecision(&router, request(input: 100, maxOutput: 100), now: s(7)) == .fail(.noAvailableRoute))
        // Nothing affordable at all: budget_exceeded, as before.
        var paidOnly = makeRouter([endpoint("paid", input: 1, output: 1)], breaker: policy)
        #expect(firstDecision(&paidOnly, request(input: 100, maxOutput: 100, ceiling: USD(199)), now: s(7)) == .fail(.budgetExceeded))
    }

    @Test("half-open through the router: one probe, then closed on success")
    func probeThroughRouter() {
        var router = makeRouter(plainEndpoints(2), breaker: policy)
        for _ in 0..<4 { fail(&router, 0, at: s(5)) }
        #expect(chosen(&router, request(), now: s(35)) == 0)
        router.attemptStarted(0, now: s(35))
        #expect(router.breakers[0]?.state == .halfOpen(probeInFlight: true))
        #expect(chosen(&router, request(), now: s(35)) == 1)   // the probe is in flight
        router.attemptSucceeded(0, latencyNanos: ms(200), now: s(36))
        #expect(router.breakers[0]?.state == .closed)
        #expect(chosen(&router, request(), now: s(36)) == 0)
    }

    @Test("half-open through the router: a failed probe reopens, a cancelled one allows another")
    func failedAndCancelledProbe() {
        var router = makeRouter(plainEndpoints(2), breaker: policy)
        for _ in 0..<4 { fail(&router, 0, at: s(5)) }
        router.attemptStarted(0, now: s(40))
        router.attemptFailed(0, error: .timeout, now: s(50))
        #expect(router.breakers[0]?.state == .open(until: s(80)))
        #expect(chosen(&router, request(), now: s(79)) == 1)
        router.attemptStarted(0, now: s(80))
        #expect(chosen(&router, request(), now: s(80)) == 1)
        router.attemptCancelled(0)
        #expect(router.breakers[0]?.state == .halfOpen(probeInFlight: false))
        #expect(chosen(&router, request(), now: s(81)) == 0)
        #expect(router.inFlight == [0, 0])
    }

    @Test("a context-window error on the probe neither closes nor reopens the breaker, and another probe may go")
    func contextWindowProbe() {
        var router = makeRouter(plainEndpoints(2), breaker: policy)
        for _ in 0..<4 { fail(&router, 0, at: s(5)) }
        router.attemptStarted(0, now: s(40))
        router.attemptFailed(0, error: .contextWindowExceeded, now: s(41))
        // The probe said nothing about the endpoint's health: it must not stay "in flight" for ever.
        #expect(router.breakers[0]?.state == .halfOpen(probeInFlight: false))
        #expect(chosen(&router, request(), now: s(42)) == 0)
        router.attemptStarted(0, now: s(42))
        router.attemptSucceeded(0, latencyNanos: ms(100), now: s(43))
        #expect(router.breakers[0]?.state == .closed)
    }

    @Test("a failure that opens the breaker is not retried on that endpoint: the router falls back")
    func openedByTheFailure() {
        let trigger = CircuitBreakerPolicy(windowNanos: s(10), minimumRequests: 1, failureThreshold: 1, cooldownNanos: s(30))
        var router = makeRouter(plainEndpoints(2), TierPolicy(retry: RetryPolicy(maxRetries: 3)), breaker: trigger)
        var state = RequestRouting()
        #expect(router.route(request(), state: &state, now: s(1), draw: 0) == .dispatch(endpoint: 0))
        fail(&router, 0, at: s(2))
        #expect(!router.isAvailable(0, now: s(2)))
        #expect(router.afterFailure(request(), state: &state, error: .serverError(status: 500), now: s(2), draw: 0)
                == .dispatch(endpoint: 1))
        // The fallback's breaker opens too: nothing is left.
        fail(&router, 1, at: s(3))
        #expect(router.afterFailure(request(), state: &state, error: .serverError(status: 500), now: s(3), draw: 0)
                == .fail(.providerError))
    }

    @Test("a closed breaker lets the retry go to the same endpoint")
    func retryWhileClosed() {
        var router = makeRouter(plainEndpoints(2), TierPolicy(retry: RetryPolicy(maxRetries: 3)), breaker: policy)
        var state = RequestRouting()
        _ = router.route(request(), state: &state, now: s(1), draw: 0)
        fail(&router, 0, at: s(2))
        #expect(router.afterFailure(request(), state: &state, error: .timeout, now: s(2), draw: 0) == .retry(endpoint: 0, after: 0))
    }
}
