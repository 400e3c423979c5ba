import NexusGateway
import Testing

/// `routing.mode: litellm`: each test checks a decision LiteLLM's router source makes (file named in the test).

/// A LiteLLM-mode router; `groups` are the model groups (tiers) as endpoint lists.
private func litellmRouter(_ endpoints: [ModelEndpoint], groups: [[EndpointID]], _ settings: LiteLLMRouterSettings) -> Router {
    Router(endpoints: endpoints,
           tiers: groups.enumerated().map { RoutingTier(name: "g\($0.offset)", candidates: $0.element) },
           litellm: settings)
}

private func deployments(_ list: [LiteLLMRouterSettings.Deployment]) -> [LiteLLMRouterSettings.Deployment] { list }

private func shares(_ router: inout Router, count: Int) -> [Int] {
    var counts = Array(repeating: 0, count: count)
    for d in drawGrid() { if let e = chosen(&router, request(), draw: d) { counts[e] += 1 } }
    return counts
}

@Suite struct LiteLLMStrategyTests {
    // simple_shuffle.py: weight, else rpm, else tpm, else uniform — decided by the first healthy deployment.
    @Test func simpleShuffleWeighsByWeightThenRpmThenTpm() {
        var byWeight = litellmRouter(plainEndpoints(2), groups: [[0, 1]], LiteLLMRouterSettings(
            deployments: [.init(weight: 1, rpm: 900), .init(weight: 3, rpm: 100)]))
        #expect(shares(&byWeight, count: 2) == [250, 751])
        var byRPM = litellmRouter(plainEndpoints(2), groups: [[0, 1]], LiteLLMRouterSettings(
            deployments: [.init(rpm: 100, tpm: 1), .init(rpm: 300, tpm: 1)]))
        #expect(shares(&byRPM, count: 2) == [250, 751])
        var byTPM = litellmRouter(plainEndpoints(2), groups: [[0, 1]], LiteLLMRouterSettings(
            deployments: [.init(tpm: 4000), .init(tpm: 1000)]))
        #expect(shares(&byTPM, count: 2) == [800, 201])
        // The first deployment has no weight: the second's weight is ignored and the pick is uniform.
        var leadWithout = litellmRouter(plainEndpoints(2), groups: [[0, 1]], LiteLLMRouterSettings(
            deployments: [.init(), .init(weight: 9)]))
        #expect(shares(&leadWithout, count: 2) == [500, 501])
    }

    // least_busy.py: fewest requests in flight.
    @Test func leastBusyTakesTheDeploymentWithFewestInFlight() {
        var router = litellmRouter(plainEndpoints(3), groups: [[0, 1, 2]], LiteLLMRouterSettings(strategy: .leastBusy))
        router.attemptStarted(0, now: 0)
        router.attemptStarted(0, now: 0)
        router.attemptStarted(2, now: 0)
        #expect(chosen(&router, request(), draw: 0.99) == 1)
        router.attemptStarted(1, now: 0)
        router.attemptStarted(1, now: 0)
        #expect(chosen(&router, request(), draw: 0.99) == 2)
    }

    // lowest_latency.py: seconds per completion token, unmeasured deployments first, buffer, timeout penalty.
    @Test func latencyRanksByTimePerCompletionToken() {
        var router = litellmRouter(plainEndpoints(2), groups: [[0, 1]], LiteLLMRouterSettings(strategy: .latencyBased))
        // 0 has answered; 1 never has, so it scores 0 and is taken.
        router.attemptSucceeded(0, latencyNanos: s(1), now: s(1), outputTokens: 100)
        #expect(chosen(&router, request()) == 1)
        // 1 s for 1000 tokens (1 ms/token) beats 1 s for 100 tokens (10 ms/token), though both took 1 s.
        router.attemptSucceeded(1, latencyNanos: s(1), now: s(1), outputTokens: 1000)
        for d in drawGrid(50) { #expect(chosen(&router, request(), draw: d) == 1) }
        // A timeout records a 1000 s/token sample: mean (0.001 + 1000) / 2 puts 1 far behind 0.
        router.attemptStarted(1, now: s(2))
        router.attemptFailed(1, error: .timeout, now: s(3))
        #expect(router.litellmDeployment(1)!.latencies == [0.001, 1000])
        #expect(chosen(&router, request(), draw: 0.99) == 0)
    }

    @Test func latencyBufferDrawsAmongNearlyFastest() {
        var tight = litellmRouter(plainEndpoints(2), groups: [[0, 1]], LiteLLMRouterSettings(strategy: .latencyBased))
        var loose = litellmRouter(plainEndpoints(2), groups: [[0, 1]],
                                  LiteLLMRouterSettings(strategy: .latencyBased, lowestLatencyBuffer: 0.5))
        for r in [0, 1] {
            // 0: 10 ms/token; 1: 14 ms/token (within 50 % of the best, not within 0 %).
            tight.attemptSucceeded(0, latencyNanos: s(1), now: s(1), outputTokens: 100)
            tight.attemptSucceeded(1, latencyNanos: ms(1400), now: s(1), outputTokens: 100)
            loose.attemptSucceeded(0, latencyNanos: s(1), now: s(1), outputTokens: 100)
            loose.attemptSucceeded(1, latencyNanos: ms(1400), now: s(1), outputTokens: 100)
            _ = r
        }
        #expect(shares(&tight, count: 2) == [1001, 0])
        #expect(shares(&loose, count: 2) == [500, 501])
    }

    // When streaming, time to first token per completion token ranks instead.
    @Test func streamingRanksByFirstTokenPerToken() {
        var router = litellmRouter(plainEndpoints(2), groups: [[0, 1]], LiteLLMRouterSettings(strategy: .latencyBased, stream: true))
        router.attemptSucceeded(0, latencyNanos: s(1), now: s(1), outputTokens: 100, timeToFirstTokenNanos: ms(900))
        router.attemptSucceeded(1, latencyNanos: s(5), now: s(1), outputTokens: 100, timeToFirstTokenNanos: ms(100))
        #expect(chosen(&router, request(), draw: 0.99) == 1)
    }

    // The latency list keeps its first max-1 samples and replaces the last one once full.
    @Test func latencyListReplacesItsLastSampleWhenFull() {
        var state = LiteLLMDeploymentState()
        for i in 1...4 {
            state.succeeded(latencyNanos: s(Int64(i)), timeToFirstTokenNanos: nil, outputTokens: 1, totalTokens: 2,
                            maxSamples: 3, at: 0)
        }
        #expect(state.latencies == [1, 2, 4])
        // No completion tokens: LiteLLM's division by zero skips the sample.
        state.succeeded(latencyNanos: s(9), timeToFirstTokenNanos: nil, outputTokens: 0, totalTokens: 5, maxSamples: 3, at: 0)
        #expect(state.latencies == [1, 2, 4])
        #expect(state.usage(at: 0).tokens == 13)
    }

    // lowest_cost.py: input + output price per token, not this request's cost.
    @Test func costRanksByUnitPriceSum() {
        let eps = [endpoint("a", input: 1, output: 10), endpoint("b", input: 5, output: 5)]
        var router = litellmRouter(eps, groups: [[0, 1]], LiteLLMRouterSettings(strategy: .costBased))
        // For 1000 input and 1 output token a costs 1010 and b 5005, yet b's unit sum (10) is below a's (11).
        #expect(chosen(&router, request(input: 1000, maxOutput: 1)) == 1)
        // A deployment over its rpm this minute (successes + this one) is skipped.
        var limited = litellmRouter(eps, groups: [[0, 1]], LiteLLMRouterSettings(
            strategy: .costBased, deployments: [.init(), .init(rpm: 2)]))
        limited.attemptSucceeded(1, latencyNanos: s(1), now: s(1), outputTokens: 10)
        #expect(chosen(&limited, request(), now: s(2)) == 1)
        limited.attemptSucceeded(1, latencyNanos: s(1), now: s(2), outputTokens: 10)
        #expect(chosen(&limited, request(), now: s(3)) == 0)
        // The next minute starts from zero.
        #expect(chosen(&limited, request(), now: s(61)) == 1)
    }

    // lowest_tpm_rpm_v2.py: lowest tokens this minute, under tpm (with this prompt) and rpm (counted at start).
    @Test func usageBasedTakesLowestTokensUnderLimits() {
        var router = litellmRouter(plainEndpoints(3), groups: [[0, 1, 2]], LiteLLMRouterSettings(
            strategy: .usageBasedV2, deployments: [.init(tpm: 10_000), .init(tpm: 1_000), .init(rpm: 1)]))
        router.attemptSucceeded(0, latencyNanos: s(1), now: s(1), inputTokens: 400, outputTokens: 100)
        router.attemptSucceeded(1, latencyNanos: s(1), now: s(1), inputTokens: 200, outputTokens: 100)
        router.attemptStarted(2, now: s(1))
        // 2 has used its one request this minute; 1 has 300 tokens, 0 has 500.
        #expect(chosen(&router, request(input: 100), now: s(2)) == 1)
        // A 800-token prompt would take 1 past its 1000 tpm.
        #expect(chosen(&router, request(input: 800), now: s(2)) == 0)
    }
}

@Suite struct LiteLLMCooldownTests {
    // cooldown_handlers.py, _should_cooldown_deployment: one 429 cools a deployment of a multi-deployment group
    // for the Retry-After (or cooldown_time); never the only deployment of its group.
    @Test func rateLimitCoolsDownOnlyInMultiDeploymentGroups() {
        var router = litellmRouter(plainEndpoints(3), groups: [[0, 1], [2]], LiteLLMRouterSettings())
        router.attemptStarted(0, now: s(1))
        router.attemptFailed(0, error: .rateLimited(retryAfter: nil), now: s(1))
        #expect(router.litellmDeployment(0)!.cooldownUntil == s(6))
        router.attemptStarted(1, now: s(1))
        router.attemptFailed(1, error: .rateLimited(retryAfter: s(20)), now: s(1))
        #expect(router.litellmDeployment(1)!.cooldownUntil == s(21))
        router.attemptStarted(2, now: s(1))
        router.attemptFailed(2, error: .rateLimited(retryAfter: nil), now: s(1))
        #expect(!router.litellmDeployment(2)!.isCoolingDown(at: s(1)))
        // No half-open probe: once the cooldown has passed the deployment takes traffic like any other.
        #expect(chosen(&router, request(), now: s(5), draw: 0.99) == nil)
        #expect(chosen(&router, request(), now: s(6), draw: 0.99) == 0)
    }

    @Test func failureShareOverHalfWithFiveCallsCoolsDown() {
        var state = LiteLLMDeploymentState()
        let settings = LiteLLMRouterSettings()
        func fail(_ at: Nanoseconds) -> Nanoseconds? {
            state.failed(status: 500, errorClass: .internalServer, retryAfter: nil, isTimeout: false,
                         isSingleDeploymentGroup: false, deployment: .init(), settings: settings, at: at)
        }
        state.succeeded(latencyNanos: s(1), timeToFirstTokenNanos: nil, outputTokens: 1, totalTokens: 1, maxSamples: 10, at: s(1))
        state.succeeded(latencyNanos: s(1), timeToFirstTokenNanos: nil, outputTokens: 1, totalTokens: 1, maxSamples: 10, at: s(1))
        #expect(fail(s(2)) == nil)   // 1 of 3
        #expect(fail(s(3)) == nil)   // 2 of 4: not over half
        #expect(fail(s(4)) == s(9))  // 3 of 5
        // In the next minute the counters restart: one failure of one call is no share at all.
        var fresh = state
        #expect(fresh.failed(status: 500, errorClass: .internalServer, retryAfter: nil, isTimeout: false,
                             isSingleDeploymentGroup: false, deployment: .init(), settings: settings, at: s(70)) == nil)
    }

    @Test func authAndNotFoundAlwaysCoolConnectionErrorsAndBadRequestsNever() {
        let settings = LiteLLMRouterSettings(cooldownNanos: s(30))
        for (status, cools) in [(401, true), (404, true), (400, false), (403, false), (nil, false)] as [(Int?, Bool)] {
            var state = LiteLLMDeploymentState()
            let until = state.failed(status: status, errorClass: nil, retryAfter: nil, isTimeout: false,
                                     isSingleDeploymentGroup: true, deployment: .init(), settings: settings, at: s(1))
            #expect((until != nil) == cools, "status \(String(describing: status))")
            if cools { #expect(until == s(31)) }
        }
        var router = litellmRouter(plainEndpoints(2), groups: [[0, 1]], settings)
        for _ in 0..<10 {
            router.attemptStarted(0, now: s(1))
            router.attemptFailed(0, error: .connectionError, now: s(1))
        }
        #expect(!router.litellmDeployment(0)!.isCoolingDown(at: s(1)))
    }

    // Setting allowed_fails selects the legacy rule: cool down when this failure makes more than allowed_fails.
    @Test func allowedFailsCountsFailuresWithinTheCooldownTime() {
        var router = litellmRouter(plainEndpoints(2), groups: [[0, 1]], LiteLLMRouterSettings(allowedFails: 2, cooldownNanos: s(10)))
        for t in [1, 2] as [Int64] {
            router.attemptStarted(0, now: s(t))
            router.attemptFailed(0, error: .serverError(status: 503), now: s(t))
            #expect(!router.litellmDeployment(0)!.isCoolingDown(at: s(t)))
        }
        router.attemptStarted(0, now: s(3))
        router.attemptFailed(0, error: .serverError(status: 503), now: s(3))
        #expect(router.litellmDeployment(0)!.cooldownUntil == s(13))
        // The counter lives for cooldown_time after its last update: after that it starts again from zero.
        var other = litellmRouter(plainEndpoints(2), groups: [[0, 1]], LiteLLMRouterSettings(allowedFails: 1, cooldownNanos: s(10)))
        other.attemptFailed(0, error: .serverError(status: 500), now: s(1))
        other.attemptFailed(0, error: .serverError(status: 500), now: s(20))
        #expect(!other.litellmDeployment(0)!.isCoolingDown(at: s(20)))
        other.attemptFailed(0, error: .serverError(status: 500), now: s(21))
        #expect(other.litellmDeployment(0)!.isCoolingDown(at: s(21)))
    }

    // router.py, deployment_callback_on_failure: the cooldown lasts the deployment's own cooldown_time when it
    // has one, else the provider's Retry-After, else the router's cooldown_time ("deployment config > response
    // header > router default").
    @Test func deploymentCooldownTimeWinsOverRetryAfter() {
        var settings = LiteLLMRouterSettings(cooldownNanos: s(5))
        settings.deployments = [LiteLLMRouterSettings.Deployment(cooldownNanos: s(10)), LiteLLMRouterSettings.Deployment()]
        var router = litellmRouter(plainEndpoints(2), groups: [[0, 1]], settings)
        router.attemptFailed(0, error: .rateLimited(retryAfter: s(30)), now: s(1))
        #expect(router.litellmDeployment(0)!.cooldownUntil == s(11))
        router.attemptFailed(1, error: .rateLimited(retryAfter: s(30)), now: s(1))
        #expect(router.litellmDeployment(1)!.cooldownUntil == s(31))
        // A Retry-After of 0 is a cooldown of 0: _should_run_cooldown_logic skips it.
        var zero = litellmRouter(plainEndpoints(2), groups: [[0, 1]], LiteLLMRouterSettings(cooldownNanos: s(5)))
        zero.attemptFailed(0, error: .rateLimited(retryAfter: 0), now: s(1))
        #expect(!zero.litellmDeployment(0)!.isCoolingDown(at: s(1)))
    }

    @Test func disabledCooldownsNeverCool() {
        var router = litellmRouter(plainEndpoints(2), groups: [[0, 1]], LiteLLMRouterSettings(disableCooldowns: true))
        router.attemptFailed(0, error: .rateLimited(retryAfter: s(30)), now: s(1))
        #expect(!router.litellmDeployment(0)!.isCoolingDown(at: s(1)))
    }
}

@Suite struct LiteLLMRetryAndFallbackTests {
    private func failOnce(_ router: inout Router, _ state: inout RequestRouting, _ error: AttemptError,
                          now: Nanoseconds, draw: Double = 0.5) -> RouteDecision {
        router.attemptStarted(state.endpoint, now: now)
        router.attemptFailed(state.endpoint, error: error, now: now)
        return router.afterFailure(request(), state: &state, error: error, now: now, draw: draw)
    }

    // get_retry_from_policy.py, time_to_sleep_before_retry: no sleep while another healthy deployment remains;
    // the retry re-picks within the group.
    @Test func retriesRepickWithoutSleepingWhileHealthyDeploymentsRemain() {
        var router = litellmRouter(plainEndpoints(3), groups: [[0, 1, 2]], LiteLLMRouterSettings(numRetries: 2))
        var state = RequestRouting()
        #expect(router.route(request(), state: &state, now: s(1), draw: 0) == .dispatch(endpoint: 0))
        // A 503 does not cool 0 down (one failure), so all three stay healthy and the retry is immediate.
        #expect(failOnce(&router, &state, .serverError(status: 503), now: s(2), draw: 0.9) == .retry(endpoint: 2, after: 0))
        #expect(failOnce(&router, &state, .serverError(status: 503), now: s(3), draw: 0.4) == .retry(endpoint: 1, after: 0))
        // Two retries spent and no fallback: the request fails.
        #expect(failOnce(&router, &state, .serverError(status: 503), now: s(4)) == .fail(.providerError))
        #expect(state.attempts == 3)
    }

    // router.py, _time_to_sleep_before_retry: in a group of more than one deployment the retry sleeps only when
    // no deployment is healthy — one healthy deployment (here the other one, after a 429 cooled the first) is
    // enough to retry at once, whatever the Retry-After.
    @Test func oneHealthyDeploymentLeftRetriesAtOnce() {
        var router = litellmRouter(plainEndpoints(2), groups: [[0, 1]], LiteLLMRouterSettings(numRetries: 2))
        var state = RequestRouting()
        #expect(router.route(request(), state: &state, now: s(1), draw: 0) == .dispatch(endpoint: 0))
        #expect(failOnce(&router, &state, .rateLimited(retryAfter: s(30)), now: s(2)) == .retry(endpoint: 1, after: 0))
        #expect(router.litellmDeployment(0)!.cooldownUntil == s(32))
        // A 500 of a deployment that stays healthy: the retry is immediate too, and may pick it again.
        var other = litellmRouter(plainEndpoints(2), groups: [[0, 1]], LiteLLMRouterSettings(numRetries: 2))
        var again = RequestRouting()
        _ = other.route(request(), state: &again, now: s(1), draw: 0)
        #expect(failOnce(&other, &again, .serverError(status: 500), now: s(2), draw: 0) == .retry(endpoint: 0, after: 0))
    }

    // A single healthy deployment: the Retry-After when in (0, 60 s], else min(0.5 s·2^n, 8 s)·0.75·u.
    @Test func singleDeploymentWaitsForRetryAfterOrBackoff() {
        let settings = LiteLLMRouterSettings(numRetries: 3)
        var router = litellmRouter(plainEndpoints(1), groups: [[0]], settings)
        var state = RequestRouting()
        _ = router.route(request(), state: &state, now: s(1), draw: 0)
        #expect(failOnce(&router, &state, .rateLimited(retryAfter: s(30)), now: s(2)) == .retry(endpoint: 0, after: s(30)))
        let u1 = Router.derivedDraw(0.5, 1)
        let expected = Nanoseconds((min(0.5 * 2, 8.0) * 0.75 * u1 * 1e9).rounded(.down))
        #expect(failOnce(&router, &state, .rateLimited(retryAfter: s(90)), now: s(40)) == .retry(endpoint: 0, after: expected))
        #expect(settings.backoff(retryIndex: 6, retryAfter: nil, draw: 1) == s(6))
        #expect(LiteLLMRouterSettings(retryAfterNanos: s(2)).backoff(retryIndex: 0, retryAfter: nil, draw: 0.1) == s(2))
        // utils.py, _calculate_retry_after: the provider's Retry-After is returned before min_timeout is applied.
        #expect(LiteLLMRouterSettings(retryAfterNanos: s(2)).backoff(retryIndex: 0, retryAfter: s(1), draw: 0.1) == s(1))
    }

    // Retries spent: the group's fallbacks in order, each with its own retries; at most max_fallbacks groups.
    @Test func fallbacksGoGroupToGroupUpToMaxFallbacks() {
        let groups = (0..<8).map { [$0] }
        var router = litellmRouter(plainEndpoints(8), groups: groups, LiteLLMRouterSettings(
            numRetries: 0, fallbacks: [[1, 2, 3, 4, 5, 6, 7]]))
        var state = RequestRouting()
        #expect(router.route(request(), state: &state, now: s(1), draw: 0) == .dispatch(endpoint: 0))
        var visited: [EndpointID] = [0]
        while case .dispatch(let e) = failOnce(&router, &state, .serverError(status: 500), now: s(2)) { visited.append(e) }
        #expect(visited == [0, 1, 2, 3, 4, 5])
        #expect(state.attempts == 6)
    }

    // No healthy deployment left in the group: straight to the fallbacks without sleeping.
    @Test func cooledDownGroupFallsBackAtOnce() {
        var router = litellmRouter(plainEndpoints(3), groups: [[0, 1], [2]], LiteLLMRouterSettings(numRetries: 3, fallbacks: [[1]]))
        var state = RequestRouting()
        _ = router.route(request(), state: &state, now: s(1), draw: 0)
        router.attemptFailed(1, error: .rateLimited(retryAfter: nil), now: s(1))   // 1 cools down
        #expect(failOnce(&router, &state, .rateLimited(retryAfter: nil), now: s(1)) == .dispatch(endpoint: 2))
        #expect(state.group == 1)
        // A fresh request while both are cooling down goes straight to the fallback group too.
        #expect(chosen(&router, request(), now: s(2)) == 2)
    }

    // Without fallbacks, a request finding every deployment cooling down waits until a retry finds one healthy.
    @Test func allCoolingWithoutFallbacksWaitsForTheCooldown() {
        var router = litellmRouter(plainEndpoints(2), groups: [[0, 1]], LiteLLMRouterSettings(numRetries: 5, cooldownNanos: s(1)))
        router.attemptFailed(0, error: .rateLimited(retryAfter: nil), now: s(10))
        router.attemptFailed(1, error: .rateLimited(retryAfter: nil), now: s(10))
        var state = RequestRouting()
        guard case .retry(let e, let delay) = router.route(request(), state: &state, now: s(10), draw: 0.5) else {
            Issue.record("expected a wait")
            return
        }
        #expect([0, 1].contains(e))
        #expect(delay >= s(1))
        #expect(!router.litellmDeployment(e)!.isCoolingDown(at: s(10) + delay))
        // With no retries at all it fails at once.
        var none = litellmRouter(plainEndpoints(2), groups: [[0, 1]], LiteLLMRouterSettings(numRetries: 0))
        none.attemptFailed(0, error: .rateLimited(retryAfter: nil), now: s(10))
        none.attemptFailed(1, error: .rateLimited(retryAfter: nil), now: s(10))
        #expect(firstDecision(&none, request(), now: s(10)) == .fail(.noAvailableRoute))
    }

    // retry_policy sets retries per error class.
    @Test func retryPolicyOverridesRetriesPerErrorClass() {
        var router = litellmRouter(plainEndpoints(2), groups: [[0, 1]], LiteLLMRouterSettings(
            numRetries: 3, retryPolicy: [.internalServer: 0], disableCooldowns: true))
        var state = RequestRouting()
        _ = router.route(request(), state: &state, now: s(1), draw: 0)
        #expect(failOnce(&router, &state, .serverError(status: 500), now: s(2)) == .fail(.providerError))
        var other = RequestRouting()
        _ = router.route(request(), state: &other, now: s(1), draw: 0)
        #expect(failOnce(&router, &other, .timeout, now: s(2), draw: 0) == .retry(endpoint: 0, after: 0))
    }

    // A context-window error goes to context_window_fallbacks.
    @Test func contextWindowErrorsGoToContextWindowFallbacks() {
        var router = litellmRouter(plainEndpoints(3), groups: [[0], [1], [2]], LiteLLMRouterSettings(
            fallbacks: [[1]], contextWindowFallbacks: [[2]]))
        var state = RequestRouting()
        _ = router.route(request(), state: &state, now: s(1), draw: 0)
        #expect(failOnce(&router, &state, .contextWindowExceeded, now: s(1)) == .dispatch(endpoint: 2))
    }
}
