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

    /// Asks the simulated provider for its answer, then lets the attempt timeout, or the request's deadline if
    /// sooner, cut it short.
    mutating func decideOutcome(of a: Int32, for slot: Int32, endpoint: EndpointID, start: Nanoseconds) {
        let blocks = Int(slot) < prefixBlocks.count ? prefixBlocks[Int(slot)] : nil
        let request = ProviderRequest(inputTokens: Int(requests[slot].inputTokens),
                                      maxOutputTokens: Int(requests[slot].maxOutputTokens),
                                      outputTokens: Int(requests[slot].outputTokens), prefixBlocks: blocks)
        let answer = providers.answer(endpoint: endpoint, request: request, at: start)
        attempts[a].holds = answer.holds
        attempts[a].cachedInputTokens = answer.cachedInputTokens
        attempts[a].tokensPerSecond = answer.tokensPerSecond
        if answer.firstTokenAfter >= 0 { attempts[a].firstTokenAt = start + answer.firstTokenAfter }
        var endsAt = start + answer.endsAfter
        var error = answer.error
        // A refusal comes back at the provider's fast-failure latency and is not cut short; an attempt the
        // provider processes can run into the limit.
        if !answer.isRefusal {
            var limit = plan.attemptTimeouts[Int(requests[slot].tier)].map { start + $0 } ?? Nanoseconds.max
            if let deadline = requests[slot].routing.deadline { limit = min(limit, deadline) }
            if endsAt > limit {
                endsAt = max(limit, start)
                error = .timeout
            }
        }
        attempts[a].endsAt = endsAt
        attempts[a].error = error
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
            router.attemptSucceeded(endpoint, latencyNanos: now - startedAt, now: now)
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
        providers.ended(endpoint: endpoint, holds: attempts[a].holds, producedTokens: producedTokens, at: now)
        let firstTokenAt = attempts[a].firstTokenAt, cachedInputTokens = attempts[a].cachedInputTokens
        let billed = firstTokenAt >= 0 && firstTokenAt <= now
        var cost = USD.zero
        if billed {
            let input = Int(requests[slot].inputTokens)
            let price = plan.endpoints[endpoint].price
            cost = price.cost(inputTokens: input, outputTokens: producedTokens, cachedInputTokens: cachedInputTokens)
            requests[slot].cost += cost
            if requests[slot].counted, providers.hasPromptCache(provider: plan.endpoints[endpoint].provider) {
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
