import NexusGateway
import Testing

/// The request lifecycle driven by hand: each event's exact actions, in order, with a manual clock.
///
/// Prices are whole dollars per token so that costs compare exactly: input $1, output $2 per token; a request
/// has 10 prompt tokens and `max_tokens` 20, so an attempt's worst case is 10 + 2 × 20 = $50.
@Suite("Request lifecycle: action sequences")
struct RequestLifecycleTests {
    static let retry = RetryPolicy(maxRetries: 2, baseBackoffNanos: ms(100), maxBackoffNanos: s(2))

    static func pricedEndpoints(_ count: Int) -> [ModelEndpoint] {
        (0..<count).map { endpoint("m\($0)", input: 1, output: 2) }
    }

    static func gateway(
        _ policy: TierPolicy = TierPolicy(retry: retry), endpoints: Int = 2, cache: ResponseCache? = nil,
        budget: BudgetPolicy? = nil, overhead: Nanoseconds = 0
    ) -> Gateway {
        Gateway(router: makeRouter(pricedEndpoints(endpoints), policy), cache: cache, budget: budget.map(BudgetGuard.init),
                overheadNanos: overhead)
    }

    static func req(prompt: UInt64 = 7, at time: Nanoseconds = 0, tier: Int = 0) -> GatewayRequest {
        GatewayRequest(tier: tier, classification: .public, cacheClass: 0, inputTokens: 10, maxOutputTokens: 20,
                       user: 3, promptFingerprint: prompt, receivedAt: time)
    }

    static let a0 = AttemptID(0), a1 = AttemptID(1), a2 = AttemptID(2)

    @Test("a cache miss sends the attempt and stores the answer; the same prompt then answers from the cache")
    func cacheMissThenHit() {
        let cache = ResponseCache(policy: ResponseCachePolicy(ttlNanos: [s(3600)], hitLatencyNanos: ms(5)))
        var gateway = Self.gateway(cache: cache, overhead: ms(1))
        var draws = ScriptedDraws([0.5])
        var first = RequestLifecycle()
        #expect(gateway.arrived(Self.req(), lifecycle: &first, now: 0, draws: &draws)
            == [.send(Self.a0, to: 0, maxTokens: 20, timeout: nil, after: ms(1), kind: .first)])
        #expect(first.cacheLookup == .miss)
        #expect(gateway.attemptEnded(Self.a0, .answered(firstTokenAt: ms(300), outputTokens: 12), lifecycle: &first,
                                     now: ms(400), draws: &draws) == [.finish(.answered)])
        #expect(first.cost == USD(10 + 24))
        #expect(first.firstTokenAt == ms(300))
        #expect(first.answeredBy == 0)
        #expect(gateway.cache?.count == 1)

        var second = RequestLifecycle()
        let key = Self.req().cacheKey
        #expect(gateway.arrived(Self.req(at: s(10)), lifecycle: &second, now: s(10), draws: &draws)
            == [.answerFromCache(key: key, after: ms(5))])
        #expect(second.isFinished)
        #expect(second.cost == .zero)
        // Another prompt misses; no router draw was taken by priority routing.
        var third = RequestLifecycle()
        #expect(gateway.arrived(Self.req(prompt: 8, at: s(11)), lifecycle: &third, now: s(11), draws: &draws).first?.isTerminal == false)
        #expect(draws.taken == 0)
    }

    @Test("an attempt the budget cannot reserve is refused, before anything is sent")
    func budgetRefusal() {
        var gateway = Self.gateway(budget: BudgetPolicy(dailyLimit: USD(40)))
        var draws = ScriptedDraws([0.5])
        var lifecycle = RequestLifecycle()
        #expect(gateway.arrived(Self.req(), lifecycle: &lifecycle, now: s(1), draws: &draws) == [.refuse(.budgetExceeded)])
        // The refusal is reported to the driver as an event; the gateway keeps it only until the driver reads it.
        #expect(gateway.budgetEvents.count == 1)
        if case .exhausted(let window, nil, _, _, USD(40), s(1))? = gateway.budgetEvents.first { #expect(window == .day) } else { Issue.record("\(gateway.budgetEvents)") }
        gateway.clearBudgetEvents()
        #expect(gateway.budgetEvents.isEmpty)
        #expect(gateway.budget?.outstandingReservations == 0)
        #expect(gateway.router.inFlight == [0, 0])
    }

    @Test("action downgrade routes a request the budget cannot afford to the cheaper tier")
    func downgrade() {
        let endpoints = [endpoint("premium", input: 10, output: 20), endpoint("cheap", input: 1, output: 2)]
        let router = Router(endpoints: endpoints, tiers: [
            RoutingTier(name: "premium", candidates: [0], policy: TierPolicy()),
            RoutingTier(name: "cheap", candidates: [1], policy: TierPolicy()),
        ])
        var gateway = Gateway(router: router, budget: BudgetGuard(policy: BudgetPolicy(dailyLimit: USD(100), action: .downgrade)),
                              downgradeTier: 1)
        var draws = ScriptedDraws([0.5])
        var lifecycle = RequestLifecycle()
        // Premium's worst case is 10 × 10 + 20 × 20 = $500 > $100; cheap's is $50.
        #expect(gateway.arrived(Self.req(), lifecycle: &lifecycle, now: s(1), draws: &draws)
            == [.send(Self.a0, to: 1, maxTokens: 20, timeout: nil, after: 0, kind: .first)])
        #expect(lifecycle.downgraded)
        #expect(lifecycle.tier == 1)
        #expect(gateway.budget?.outstandingReservations == 1)
    }

    @Test("a 503 is retried on the same model after its jittered backoff timer")
    func retryAfter503() {
        var gateway = Self.gateway()
        var draws = ScriptedDraws([0.5])
        var lifecycle = RequestLifecycle()
        _ = gateway.arrived(Self.req(), lifecycle: &lifecycle, now: 0, draws: &draws)
        // First retry: backoff ceiling 100 ms, jitter draw 0.5 → 50 ms.
        #expect(gateway.attemptEnded(Self.a0, .failed(.serverError(status: 503)), lifecycle: &lifecycle, now: ms(200), draws: &draws)
            == [.startTimer(.retry(after: Self.a0), after: ms(50))])
        #expect(lifecycle.phase == .waitingToRetry)
        #expect(gateway.timerFired(.retry(after: Self.a0), lifecycle: &lifecycle, now: ms(250), draws: &draws)
            == [.send(Self.a1, to: 0, maxTokens: 20, timeout: nil, after: 0, kind: .retry)])
        // A second delivery of the same timer changes nothing.
        #expect(gateway.timerFired(.retry(after: Self.a0), lifecycle: &lifecycle, now: ms(250), draws: &draws).isEmpty)
        #expect(gateway.attemptEnded(Self.a1, .answered(firstTokenAt: ms(500), outputTokens: 5), lifecycle: &lifecycle,
                                     now: ms(500), draws: &draws) == [.finish(.answered)])
        #expect(lifecycle.cost == USD(10 + 10))  // the failed attempt produced nothing and costs nothing
        #expect(lifecycle.attemptsSent == 2)
    }

    @Test("a 429's Retry-After sets the wait; when it exceeds the backoff cap another model is taken instead")
    func rateLimitedWithRetryAfter() {
        var alone = Self.gateway(endpoints: 1)
        var draws = ScriptedDraws([0.5])
        var lifecycle = RequestLifecycle()
        _ = alone.arrived(Self.req(), lifecycle: &lifecycle, now: 0, draws: &draws)
        #expect(alone.attemptEnded(Self.a0, .failed(.rateLimited(retryAfter: s(3))), lifecycle: &lifecycle, now: ms(10), draws: &draws)
            == [.startTimer(.retry(after: Self.a0), after: s(3))])

        var two = Self.gateway(endpoints: 2)
        var other = RequestLifecycle()
        _ = two.arrived(Self.req(), lifecycle: &other, now: 0, draws: &draws)
        #expect(two.attemptEnded(Self.a0, .failed(.rateLimited(retryAfter: s(3))), lifecycle: &other, now: ms(10), draws: &draws)
            == [.send(Self.a1, to: 1, maxTokens: 20, timeout: nil, after: 0, kind: .fallback)])
        // Within the cap the provider's wait is honoured on the same model.
        var short = RequestLifecycle()
        _ = two.arrived(Self.req(), lifecycle: &short, now: s(5), draws: &draws)
        #expect(two.attemptEnded(Self.a0, .failed(.rateLimited(retryAfter: ms(700))), lifecycle: &short, now: s(6), draws: &draws)
            == [.startTimer(.retry(after: Self.a0), after: ms(700))])
    }

    @Test("a status that is not retried falls back to the next model; the last failure ends the request")
    func fallback() {
        var gateway = Self.gateway()
        var draws = ScriptedDraws([0.5])
        var lifecycle = RequestLifecycle()
        _ = gateway.arrived(Self.req(), lifecycle: &lifecycle, now: 0, draws: &draws)
        #expect(gateway.attemptEnded(Self.a0, .failed(.serverError(status: 501)), lifecycle: &lifecycle, now: ms(100), draws: &draws)
            == [.send(Self.a1, to: 1, maxTokens: 20, timeout: nil, after: 0, kind: .fallback)])
        #expect(gateway.attemptEnded(Self.a1, .failed(.serverError(status: 501)), lifecycle: &lifecycle, now: ms(200), draws: &draws)
            == [.finish(.failed(.providerError))])
        #expect(lifecycle.isFinished)
        #expect(gateway.router.inFlight == [0, 0])
    }

    @Test("the attempt timeout is the send's timeout; a cut stream is billed for what it produced")
    func attemptTimeout() {
        var gateway = Self.gateway(TierPolicy(retry: .none, attemptTimeoutNanos: s(2)), overhead: ms(1))
        var draws = ScriptedDraws([0.5])
        var lifecycle = RequestLifecycle()
        #expect(gateway.arrived(Self.req(), lifecycle: &lifecycle, now: 0, draws: &draws)
            == [.send(Self.a0, to: 0, maxTokens: 20, timeout: s(2), after: ms(1), kind: .first)])
        let cut = AttemptOutcome(.failed(.timeout), firstTokenAt: ms(1500), outputTokens: 4)
        #expect(gateway.attemptEnded(Self.a0, cut, lifecycle: &lifecycle, now: ms(2001), draws: &draws)
            == [.send(Self.a1, to: 1, maxTokens: 20, timeout: s(2), after: 0, kind: .fallback)])
        #expect(lifecycle.lastAttemptCost == USD(10 + 8))
        #expect(lifecycle.cost == USD(18))
    }

    @Test("the deadline shortens the timeout of later attempts, then ends the request")
    func deadline() {
        var gateway = Self.gateway(TierPolicy(retry: .none, attemptTimeoutNanos: s(2), deadlineNanos: s(3)))
        var draws = ScriptedDraws([0.5])
        var lifecycle = RequestLifecycle()
        // Received at 0, reached a worker at 0.5 s: the deadline runs from reception.
        #expect(gateway.arrived(Self.req(at: 0), lifecycle: &lifecycle, now: ms(500), draws: &draws)
            == [.send(Self.a0, to: 0, maxTokens: 20, timeout: s(2), after: 0, kind: .first)])
        #expect(gateway.attemptEnded(Self.a0, .failed(.timeout), lifecycle: &lifecycle, now: ms(2500), draws: &draws)
            == [.send(Self.a1, to: 1, maxTokens: 20, timeout: ms(500), after: 0, kind: .fallback)])
        #expect(gateway.attemptEnded(Self.a1, .failed(.timeout), lifecycle: &lifecycle, now: s(3), draws: &draws)
            == [.finish(.failed(.deadlineExceeded))])
    }

    @Test("a hedge fires while the first attempt runs; the winner cancels the loser, billed for what it produced")
    func hedge() {
        var gateway = Self.gateway(TierPolicy(retry: Self.retry, hedgeAfterNanos: ms(500)), overhead: ms(1))
        var draws = ScriptedDraws([0.5])
        var lifecycle = RequestLifecycle()
        #expect(gateway.arrived(Self.req(), lifecycle: &lifecycle, now: 0, draws: &draws) == [
            .send(Self.a0, to: 0, maxTokens: 20, timeout: nil, after: ms(1), kind: .first),
            .startTimer(.hedge(of: Self.a0), after: ms(501)),
        ])
        // One hedge per request: the hedge itself gets no hedge timer.
        #expect(gateway.timerFired(.hedge(of: Self.a0), lifecycle: &lifecycle, now: ms(501), draws: &draws)
            == [.send(Self.a1, to: 1, maxTokens: 20, timeout: nil, after: 0, kind: .hedge)])
        #expect(gateway.router.inFlight == [1, 1])
        #expect(gateway.attemptEnded(Self.a1, .answered(firstTokenAt: ms(700), outputTokens: 6), lifecycle: &lifecycle,
                                     now: ms(900), draws: &draws) == [.cancelAttempt(Self.a0)])
        #expect(lifecycle.phase == .answering)
        let loser = AttemptOutcome(.cancelled, firstTokenAt: ms(800), outputTokens: 3)
        #expect(gateway.attemptEnded(Self.a0, loser, lifecycle: &lifecycle, now: ms(900), draws: &draws) == [.finish(.answered)])
        #expect(lifecycle.answeredBy == 1)
        #expect(lifecycle.cost == USD((10 + 12) + (10 + 6)))
        #expect(gateway.router.inFlight == [0, 0])
    }

    @Test("a hedge timer after its attempt ended, or after a retry was sent, does nothing")
    func staleHedgeTimer() {
        var gateway = Self.gateway(TierPolicy(retry: Self.retry, hedgeAfterNanos: ms(500)))
        var draws = ScriptedDraws([0.5])
        var lifecycle = RequestLifecycle()
        _ = gateway.arrived(Self.req(), lifecycle: &lifecycle, now: 0, draws: &draws)
        #expect(gateway.attemptEnded(Self.a0, .failed(.serverError(status: 503)), lifecycle: &lifecycle, now: ms(100), draws: &draws)
            == [.startTimer(.retry(after: Self.a0), after: ms(50))])
        #expect(gateway.timerFired(.retry(after: Self.a0), lifecycle: &lifecycle, now: ms(150), draws: &draws) == [
            .send(Self.a1, to: 0, maxTokens: 20, timeout: nil, after: 0, kind: .retry),
            .startTimer(.hedge(of: Self.a1), after: ms(500)),
        ])
        #expect(gateway.timerFired(.hedge(of: Self.a0), lifecycle: &lifecycle, now: ms(500), draws: &draws).isEmpty)
        #expect(!lifecycle.hedged)
    }

    @Test("a hedge the budget cannot cover is not sent; the first attempt carries on")
    func hedgeOverBudget() {
        // $60 a day: the first attempt reserves its $50 worst case, leaving $10.
        var gateway = Self.gateway(TierPolicy(retry: Self.retry, hedgeAfterNanos: ms(500)), budget: BudgetPolicy(dailyLimit: USD(60)))
        var draws = ScriptedDraws([0.5])
        var lifecycle = RequestLifecycle()
        _ = gateway.arrived(Self.req(), lifecycle: &lifecycle, now: 0, draws: &draws)
        #expect(gateway.timerFired(.hedge(of: Self.a0), lifecycle: &lifecycle, now: ms(500), draws: &draws).isEmpty)
        #expect(gateway.router.inFlight == [1, 0])
        #expect(gateway.attemptEnded(Self.a0, .answered(firstTokenAt: ms(800), outputTokens: 20), lifecycle: &lifecycle,
                                     now: s(1), draws: &draws) == [.finish(.answered)])
        #expect(gateway.budget?.daySpend == USD(50))
        #expect(gateway.budget?.outstandingReservations == 0)
    }

    @Test("a client cancellation cancels the running attempts and settles every reservation")
    func clientCancellation() {
        var gateway = Self.gateway(TierPolicy(retry: Self.retry, hedgeAfterNanos: ms(500)), budget: BudgetPolicy(dailyLimit: USD(1000)))
        var draws = ScriptedDraws([0.5])
        var lifecycle = RequestLifecycle()
        _ = gateway.arrived(Self.req(), lifecycle: &lifecycle, now: 0, draws: &draws)
        _ = gateway.timerFired(.hedge(of: Self.a0), lifecycle: &lifecycle, now: ms(500), draws: &draws)
        #expect(gateway.budget?.outstandingReservations == 2)
        #expect(gateway.cancelled(lifecycle: &lifecycle, now: ms(700)) == [.cancelAttempt(Self.a0), .cancelAttempt(Self.a1)])
        #expect(gateway.cancelled(lifecycle: &lifecycle, now: ms(700)).isEmpty)
        #expect(gateway.attemptEnded(Self.a0, AttemptOutcome(.cancelled, firstTokenAt: ms(600), outputTokens: 2),
                                     lifecycle: &lifecycle, now: ms(700), draws: &draws).isEmpty)
        #expect(gateway.attemptEnded(Self.a1, AttemptOutcome(.cancelled), lifecycle: &lifecycle, now: ms(700), draws: &draws)
            == [.finish(.cancelled)])
        #expect(gateway.budget?.outstandingReservations == 0)
        #expect(gateway.budget?.daySpend == USD(14))
        #expect(lifecycle.cost == USD(14))
        #expect(gateway.router.inFlight == [0, 0])

        // Cancelled while waiting to retry: over at once; the retry timer then does nothing.
        var waiting = RequestLifecycle()
        _ = gateway.arrived(Self.req(), lifecycle: &waiting, now: s(1), draws: &draws)
        _ = gateway.attemptEnded(Self.a0, .failed(.serverError(status: 503)), lifecycle: &waiting, now: s(2), draws: &draws)
        #expect(gateway.cancelled(lifecycle: &waiting, now: s(2)) == [.finish(.cancelled)])
        #expect(gateway.timerFired(.retry(after: Self.a0), lifecycle: &waiting, now: s(3), draws: &draws).isEmpty)
        #expect(gateway.budget?.outstandingReservations == 0)
    }

    @Test("no model may receive the classification: failed with no_compliant_route, nothing sent")
    func noCompliantRoute() {
        let endpoints = [endpoint("public-only", classes: [.public])]
        var gateway = Gateway(router: makeRouter(endpoints))
        var draws = ScriptedDraws([0.5])
        var lifecycle = RequestLifecycle()
        var request = Self.req()
        request.classification = .restricted
        #expect(gateway.arrived(request, lifecycle: &lifecycle, now: 0, draws: &draws) == [.finish(.failed(.noCompliantRoute))])
    }

    @Test("the compliance check uses the providers' own sets, not the router's view")
    func complianceCheck() {
        // The router believes m0 may take restricted data; the provider's configuration says public only.
        var gateway = Gateway(router: makeRouter(Self.pricedEndpoints(1)), compliance: [[.public]])
        var draws = ScriptedDraws([0.5])
        var lifecycle = RequestLifecycle()
        var request = Self.req()
        request.classification = .restricted
        _ = gateway.arrived(request, lifecycle: &lifecycle, now: 0, draws: &draws)
        _ = gateway.attemptEnded(Self.a0, .answered(firstTokenAt: ms(10), outputTokens: 1), lifecycle: &lifecycle, now: ms(10), draws: &draws)
        #expect(lifecycle.complianceViolation)
    }
}
