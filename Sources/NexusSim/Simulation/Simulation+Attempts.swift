import NexusGateway
import NexusScenario

/// Attempts at providers: dispatch, the provider's answer, retries, fallbacks and hedging.
extension Simulation {
    /// Carries out a router decision for request `slot`.
    mutating func follow(_ decision: RouteDecision, for slot: Int32, dispatchAt start: Nanoseconds) {
        switch decision {
        case .dispatch(let endpoint):
            if !startAttempt(slot, endpoint: endpoint, at: start, isRetry: false) { finish(slot, failure: .budgetExceeded) }
        case .retry(_, let delay):
            // The request keeps its instance slot while it waits, as a gateway worker would.
            events.schedule(.retryDue, at: now + delay, slot: slot, generation: requests.generation(of: slot))
        case .fail(let reason):
            finish(slot, failure: reason)
        }
    }

    mutating func retryDue(_ slot: Int32, generation: UInt32) {
        guard requests.isCurrent(slot, generation: generation) else { return }
        if !startAttempt(slot, endpoint: requests[slot].routing.endpoint, at: now, isRetry: true) {
            finish(slot, failure: .budgetExceeded)
        }
    }

    /// Sends an attempt to `endpoint` at `start`. The provider's answer is decided now and delivered by
    /// an `attemptFinished` event at its end. Returns `false`, sending nothing, when the budget cannot
    /// reserve the attempt's worst case.
    @discardableResult
    mutating func startAttempt(_ slot: Int32, endpoint: EndpointID, at start: Nanoseconds, isRetry: Bool) -> Bool {
        var reservation = BudgetGuard.Reservation.none
        if hasBudget {
            let worstCase = plan.endpoints[endpoint].price.cost(
                inputTokens: Int(requests[slot].inputTokens), outputTokens: Int(requests[slot].maxOutputTokens))
            guard let granted = budget!.reserve(worstCase, user: Int(requests[slot].user), at: start) else { return false }
            reservation = granted
        }
        router.attemptStarted(endpoint, now: start)
        let a = attempts.allocate()
        attempts[a].reservation = reservation
        attempts[a].request = slot
        attempts[a].endpoint = Int32(endpoint)
        attempts[a].startedAt = start
        decideOutcome(of: a, for: slot, endpoint: endpoint, start: start)
        let generation = attempts.generation(of: a)
        events.schedule(.attemptFinished, at: attempts[a].endsAt, slot: a, generation: generation)
        if requests[slot].attempt.0 < 0 {
            requests[slot].attempt.0 = a
            requests[slot].attemptGeneration.0 = generation
        } else {
            requests[slot].attempt.1 = a
            requests[slot].attemptGeneration.1 = generation
        }
        if requests[slot].counted { summary.byModel[endpoint].countAttempt(isFirstOnModel: !isRetry) }
        let tier = Int(requests[slot].tier)
        if let hedge = plan.hedgeDelays[tier], !requests[slot].hedged, start + hedge < attempts[a].endsAt {
            events.schedule(.hedgeDue, at: start + hedge, slot: a, generation: generation)
        }
        return true
    }

    /// The simulated provider's answer: outage, limits, context window, background errors, latency,
    /// and the attempt timeout or deadline that may cut it short.
    mutating func decideOutcome(of a: Int32, for slot: Int32, endpoint: EndpointID, start: Nanoseconds) {
        // Fields are read in place: copying an endpoint or a tier policy out of its array would
        // reference-count its strings, arrays and sets on every attempt.
        let provider = plan.endpoints[endpoint].provider
        let fast = start + plan.providers[provider].fastFailureNanos
        let errors = errorStreams[endpoint]
        let effect = outages[provider].effect(at: start, model: plan.endpoints[endpoint].modelIndex)
        if let effect {
            switch effect.mode {
            case .down where errors.bernoulli(effect.errorRate):
                return fail(a, with: .connectionError, at: fast)
            case .throttled where errors.bernoulli(effect.errorRate):
                return fail(a, with: .rateLimited(retryAfter: Nanoseconds(effect.retryAfterSeconds * 1e9)), at: fast)
            default: break
            }
        }
        let input = Int(requests[slot].inputTokens)
        if input > plan.endpoints[endpoint].contextWindowTokens { return fail(a, with: .contextWindowExceeded, at: fast) }
        let tokens = input + Int(requests[slot].maxOutputTokens)
        // Both the account's and the model's limits must admit the request; a refused one counts against neither.
        // Unlimited ones are skipped: they would admit everything, and they are the common case.
        let providerLimited = limitedProviders[provider], modelLimited = limitedModels[endpoint]
        if providerLimited, case .refused(let after) = providerLimits[provider].check(tokens: tokens, now: start) {
            return fail(a, with: .rateLimited(retryAfter: after), at: fast)
        }
        if modelLimited, case .refused(let after) = modelLimits[endpoint].check(tokens: tokens, now: start) {
            return fail(a, with: .rateLimited(retryAfter: after), at: fast)
        }
        if providerLimited {
            providerLimits[provider].commit(tokens: tokens)
            attempts[a].holdsProviderLimit = true
        }
        if modelLimited {
            modelLimits[endpoint].commit(tokens: tokens)
            attempts[a].holdsModelLimit = true
        }

        let latency = latencyStreams[endpoint]
        let factor = effect?.mode == .degraded ? effect!.latencyFactor : 1
        // Draws and the latency factor are bounded where they enter; the products are capped at the largest draw
        // so that an attempt's end always fits the clock.
        let ttft = Nanoseconds(roundingSeconds: min(plan.endpoints[endpoint].timeToFirstToken.sample(latency) * factor, Sampler.largestDraw))
        var endsAt = start + ttft
        var error: AttemptError?
        // No draw for a model without background errors: its error stream is its own, so skipping it
        // changes no other draw.
        let errorRate = plan.endpoints[endpoint].errorRateTotal
        let draw = errorRate > 0 ? errors.uniform() : 1
        if draw < errorRate {
            let i = plan.endpoints[endpoint].errorCumulative.firstIndex { draw < $0 } ?? 0
            let status = plan.endpoints[endpoint].errorStatuses[i]
            error = status == 429 ? .rateLimited(retryAfter: plan.endpoints[endpoint].retryAfterNanos) : .serverError(status: status)
        } else if let effect, effect.mode == .degraded, errors.bernoulli(effect.errorRate) {
            error = .serverError(status: 503)
        }
        if error == nil {
            attempts[a].firstTokenAt = endsAt
            if prefixCaches[provider] != nil, Int(slot) < prefixBlocks.count, let blocks = prefixBlocks[Int(slot)] {
                attempts[a].cachedInputTokens = prefixCaches[provider]!.serve(
                    blocks: blocks.lazy.map { UInt64(bitPattern: $0) }, inputTokens: input, now: start)
            }
            let output = Int(requests[slot].outputTokens)
            if output > 0, let speed = plan.endpoints[endpoint].tokensPerSecond?.sample(latency) {
                let tokensPerSecond = max(speed, 1e-3) / factor
                attempts[a].tokensPerSecond = tokensPerSecond
                endsAt += Nanoseconds(roundingSeconds: min(Double(output) / tokensPerSecond, Sampler.largestDraw))
            } else {
                attempts[a].tokensPerSecond = .infinity
            }
        }
        // The attempt timeout, or the request's deadline if sooner, cuts the attempt short.
        var limit = plan.attemptTimeouts[Int(requests[slot].tier)].map { start + $0 } ?? Nanoseconds.max
        if let deadline = requests[slot].routing.deadline { limit = min(limit, deadline) }
        if endsAt > limit {
            endsAt = max(limit, start)
            error = .timeout
        }
        attempts[a].endsAt = endsAt
        attempts[a].error = error
    }

    private mutating func fail(_ a: Int32, with error: AttemptError, at time: Nanoseconds) {
        attempts[a].error = error
        attempts[a].endsAt = time
    }

    /// An attempt ended: bill it, tell the router, and either answer the request or decide what next.
    mutating func attemptFinished(_ a: Int32, generation: UInt32) {
        guard attempts.isCurrent(a, generation: generation) else { return }  // cancelled hedge
        // Fields are read in place (the record is released by `endAttempt`, but its storage stays valid).
        let slot = attempts[a].request
        let endpoint = Int(attempts[a].endpoint)
        let startedAt = attempts[a].startedAt, firstTokenAt = attempts[a].firstTokenAt, attemptError = attempts[a].error
        let output = Int(requests[slot].outputTokens)
        endAttempt(a, producedTokens: attempts[a].tokensProduced(by: now, outputTokens: output))
        let provider = plan.endpoints[endpoint].provider
        window.providerAttempts[provider] += 1

        guard let error = attemptError else {
            router.attemptSucceeded(endpoint, latencyNanos: now - startedAt, now: now, inputTokens: Int(requests[slot].inputTokens),
                                    outputTokens: output, timeToFirstTokenNanos: firstTokenAt - startedAt)
            requests[slot].firstTokenAt = firstTokenAt
            if requests[slot].counted {
                summary.byModel[endpoint].countSuccess(latencyNanos: now - startedAt)
                // Compliance is checked here, on every served attempt, independently of the router.
                let classification = plan.classes[Int(requests[slot].classIndex)].classification
                if !plan.endpoints[endpoint].allowedClassifications.contains(classification) { summary.complianceViolations += 1 }
            }
            cancelOtherAttempts(of: slot)
            if hasCache { storeAnswerInCache(slot) }
            finish(slot, failure: nil)
            return
        }
        window.providerFailures[provider] += 1
        router.attemptFailed(endpoint, error: error, now: now)
        if requests[slot].counted { summary.byModel[endpoint].failures[error.category.index] += 1 }
        // While a hedged partner is still running, its outcome decides.
        guard requests[slot].activeAttempts == 0 else { return }
        let decision = router.afterFailure(routeRequest(slot), state: &requests[slot].routing, error: error, now: now,
                                           draw: routingStream.uniform())
        follow(decision, for: slot, dispatchAt: now)
    }

    /// The tier's hedge delay has passed and the attempt is still running: send a second one elsewhere.
    mutating func hedgeDue(_ a: Int32, generation: UInt32) {
        guard attempts.isCurrent(a, generation: generation) else { return }
        let slot = attempts[a].request
        guard !requests[slot].hedged, requests[slot].activeAttempts == 1 else { return }
        guard let endpoint = router.hedge(routeRequest(slot), state: &requests[slot].routing, now: now, draw: routingStream.uniform())
        else { return }
        requests[slot].hedged = true
        // A hedge the budget cannot cover is simply not sent; the first attempt carries on.
        startAttempt(slot, endpoint: endpoint, at: now, isRetry: false)
    }

    /// Abandons the request's other attempt once one has answered; it is billed for what it produced.
    mutating func cancelOtherAttempts(of slot: Int32) {
        let (first, second) = requests[slot].attempt
        if first >= 0 { cancelAttempt(first, of: slot) }
        if second >= 0 { cancelAttempt(second, of: slot) }
    }

    private mutating func cancelAttempt(_ other: Int32, of slot: Int32) {
        let endpoint = Int(attempts[other].endpoint)
        router.attemptCancelled(endpoint)
        if requests[slot].counted { summary.byModel[endpoint].failures[AttemptFailure.cancelled.index] += 1 }
        let produced = attempts[other].tokensProduced(by: now, outputTokens: Int(requests[slot].outputTokens))
        endAttempt(other, producedTokens: produced)
    }

    /// Bills an attempt, releases its provider limits and its slot, and detaches it from its request.
    ///
    /// An attempt that produced tokens costs its prompt and the tokens it produced (a timed-out or
    /// cancelled stream is still paid for); an error before any token costs nothing.
    mutating func endAttempt(_ a: Int32, producedTokens: Int) {
        let slot = attempts[a].request
        let endpoint = Int(attempts[a].endpoint)
        if attempts[a].holdsProviderLimit { providerLimits[plan.endpoints[endpoint].provider].release() }
        if attempts[a].holdsModelLimit { modelLimits[endpoint].release() }
        let firstTokenAt = attempts[a].firstTokenAt, cachedInputTokens = attempts[a].cachedInputTokens
        let billed = firstTokenAt >= 0 && firstTokenAt <= now
        var cost = USD.zero
        if billed {
            let input = Int(requests[slot].inputTokens)
            let price = plan.endpoints[endpoint].price
            cost = price.cost(inputTokens: input, outputTokens: producedTokens, cachedInputTokens: cachedInputTokens)
            requests[slot].cost += cost
            if requests[slot].counted, prefixCaches[plan.endpoints[endpoint].provider] != nil {
                summary.promptCacheInputTokens += input
                summary.promptCacheCachedTokens += cachedInputTokens
                summary.promptCacheSaved += price.cost(inputTokens: input, outputTokens: producedTokens) - cost
            }
            if requests[slot].counted {
                summary.byModel[endpoint].bill(inputTokens: input, outputTokens: producedTokens, cost: cost)
            }
        }
        if hasBudget { budget!.settle(attempts[a].reservation, actualCost: cost, at: now) }
        if requests[slot].attempt.0 == a { requests[slot].attempt.0 = -1 } else { requests[slot].attempt.1 = -1 }
        attempts.release(a)
    }
}
