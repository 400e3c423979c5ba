import NexusGateway

/// The driver of the gateway's ``RequestLifecycle``: a request that reaches an instance is handed to the
/// ``Gateway``, and its actions become scheduled events (attempts at the simulated providers, timers, the
/// cache's answer) and the request's end. The gateway rules live in NexusGateway; what is here is the
/// simulator's side: time, the providers, and the measurements.
extension Simulation {
    /// The instance takes the request: the gateway's lifecycle starts (cache, budget, first route).
    mutating func startService(_ slot: Int32, on instance: Int32) {
        requests[slot].phase = .inFlight
        requests[slot].instance = instance
        let c = Int(requests[slot].classIndex)
        // The cache key's parameters: the class fixes the tier and max_tokens, which change the answer.
        let user = Int(requests[slot].user)
        let team: Int? = if let teams = plan.teamCount, user >= 0 { user % teams } else { nil }
        let request = GatewayRequest(
            tier: plan.classes[c].tier, classification: plan.classes[c].classification, cacheClass: plan.classes[c].cacheClass,
            inputTokens: Int(requests[slot].inputTokens), maxOutputTokens: Int(requests[slot].maxOutputTokens),
            expectedOutputTokens: plan.classes[c].expectedOutputTokens, user: user, team: team,
            promptFingerprint: UInt64(bitPattern: requests[slot].promptID), parametersFingerprint: UInt64(c),
            receivedAt: requests[slot].arrivalAt,
            intentFingerprint: plan.hasSemanticCache ? UInt64(bitPattern: Arrival.intent(of: requests[slot].promptID)) : nil)
        var draws = routingStream
        // The record is reached by its address: through the (non-copyable) simulation while its gateway is
        // being modified, it would be an overlapping access, and through the slab it would keep the slab
        // retained for the call (which showed in profiles). Nothing allocates a request during the call.
        let record = requests.address(of: slot)
        let actions = gateway.arrived(request, lifecycle: &record.pointee.lifecycle, now: now, draws: &draws)
        if requests[slot].counted {
            let lookup = requests[slot].lifecycle.cacheLookup, semantic = requests[slot].lifecycle.semanticLookup
            // What an answer from the cache saves: the tier's first model's price of it (priced only when needed).
            let exactHit = if case .hit = lookup { true } else { false }
            let saved = exactHit || semantic != nil ? answerPrice(request, outputTokens: requests[slot].outputTokens) : .zero
            metrics.cacheLookedUp(lookup, saved: saved, downgraded: requests[slot].lifecycle.downgraded)
            if let semantic {
                metrics.semanticLookedUp(semantic, saved: saved, embeddingCost: requests[slot].lifecycle.embeddingCost)
            }
        }
        // A cache hit (exact or semantic) does no routing work on the instance.
        let isCacheHit = switch (requests[slot].lifecycle.cacheLookup, requests[slot].lifecycle.semanticLookup) {
        case (.hit?, _), (_, .hit?), (_, .falseHit?): true
        default: false
        }
        if !isCacheHit { pool.startWork(on: instance) }
        perform(actions, for: slot)
    }

    /// The price of `request`'s answer at its tier's first model: what an answer from the cache saves.
    private func answerPrice(_ request: GatewayRequest, outputTokens: Int32) -> USD {
        plan.endpoints[plan.tierFirstEndpoint[request.tier]].price.cost(inputTokens: request.inputTokens,
                                                                        outputTokens: Int(outputTokens))
    }

    /// Carries out the lifecycle's actions for request `slot`, in order.
    mutating func perform(_ actions: LifecycleActions, for slot: Int32) {
        if !gateway.budgetEvents.isEmpty {
            metrics.budgetObserved(gateway.budgetEvents)
            gateway.clearBudgetEvents()
        }
        for action in actions {
            switch action {
            case .answerFromCache(_, let after):
                events.schedule(.cacheAnswer, at: now + after, slot: slot, generation: requests.generation(of: slot))
            case .send(let id, let endpoint, let maxTokens, let timeout, let after, let kind):
                // The budget's `clamp` reservation lowered the attempt's max_tokens.
                if maxTokens < Int(requests[slot].maxOutputTokens) { metrics.attemptClamped() }
                startAttempt(slot, id: id, endpoint: endpoint, maxTokens: maxTokens, at: now + after, timeout: timeout,
                             isRetry: kind == .retry)
            case .startTimer(let timer, let after):
                switch timer.kind {
                case .retry:
                    // The request keeps its instance slot while it waits, as a gateway worker would.
                    requests[slot].retryTimerAttempt = timer.attempt.rawValue
                    events.schedule(.retryDue, at: now + after, slot: slot, generation: requests.generation(of: slot))
                case .hedge:
                    // A hedge timer that would fire at or after its attempt's (already drawn) end would find it
                    // gone and do nothing: it is not scheduled.
                    let a = attemptSlot(of: timer.attempt, request: slot)
                    if a >= 0, now + after < attempts[a].endsAt {
                        events.schedule(.hedgeDue, at: now + after, slot: a, generation: attempts.generation(of: a))
                    }
                }
            case .cancelAttempt(let id):
                let a = attemptSlot(of: id, request: slot)
                if a >= 0 { cancelAttempt(a, of: slot) }
            case .refuse(let reason):
                finish(slot, failure: reason)
            case .finish(.answered):
                requests[slot].firstTokenAt = requests[slot].lifecycle.firstTokenAt ?? now
                finish(slot, failure: nil)
            case .finish(.failed(let reason)):
                finish(slot, failure: reason)
            case .finish(.cancelled):
                // Simulated clients never go away: the simulator cancels a request only when the instance
                // serving it is terminated.
                finish(slot, failure: .instanceTerminated)
            }
        }
    }

    /// The slab slot of the request's running attempt `id`, `-1` when it is not running.
    private func attemptSlot(of id: AttemptID, request slot: Int32) -> Int32 {
        let (first, second) = requests[slot].attempt
        if first >= 0, attempts[first].lifecycleID == id.rawValue { return first }
        if second >= 0, attempts[second].lifecycleID == id.rawValue { return second }
        return -1
    }

    mutating func cacheAnswered(_ slot: Int32, generation: UInt32) {
        guard requests.isCurrent(slot, generation: generation) else { return }
        requests[slot].firstTokenAt = now
        finish(slot, failure: nil)
    }

    mutating func retryDue(_ slot: Int32, generation: UInt32) {
        guard requests.isCurrent(slot, generation: generation) else { return }
        var draws = routingStream
        let timer = TimerID.retry(after: AttemptID(requests[slot].retryTimerAttempt))
        let record = requests.address(of: slot)
        let actions = gateway.timerFired(timer, lifecycle: &record.pointee.lifecycle, now: now, draws: &draws)
        perform(actions, for: slot)
    }

    /// The tier's hedge delay has passed and the attempt is still running.
    mutating func hedgeDue(_ a: Int32, generation: UInt32) {
        guard attempts.isCurrent(a, generation: generation) else { return }
        let slot = attempts[a].request
        var draws = routingStream
        let id = AttemptID(attempts[a].lifecycleID)
        let record = requests.address(of: slot)
        let actions = gateway.timerFired(.hedge(of: id), lifecycle: &record.pointee.lifecycle, now: now, draws: &draws)
        perform(actions, for: slot)
    }

    /// Sends an attempt to `endpoint` at `start`. The provider's answer is decided now and delivered by an
    /// `attemptFinished` event at its end.
    mutating func startAttempt(_ slot: Int32, id: AttemptID, endpoint: EndpointID, maxTokens: Int, at start: Nanoseconds,
                               timeout: Nanoseconds?, isRetry: Bool) {
        let a = attempts.allocate()
        attempts[a].request = slot
        attempts[a].maxTokens = Int32(clamping: maxTokens)
        attempts[a].endpoint = Int32(endpoint)
        attempts[a].startedAt = start
        attempts[a].lifecycleID = id.rawValue
        decideOutcome(of: a, for: slot, endpoint: endpoint, start: start, timeout: timeout)
        let generation = attempts.generation(of: a)
        events.schedule(.attemptFinished, at: attempts[a].endsAt, slot: a, generation: generation)
        if requests[slot].attempt.0 < 0 {
            requests[slot].attempt.0 = a
            requests[slot].attemptGeneration.0 = generation
        } else {
            requests[slot].attempt.1 = a
            requests[slot].attemptGeneration.1 = generation
        }
        if requests[slot].counted { metrics.attemptSent(endpoint: endpoint, isFirstOnModel: !isRetry) }
    }

    /// An attempt ended: the lifecycle bills it and decides what follows.
    mutating func attemptFinished(_ a: Int32, generation: UInt32) {
        guard attempts.isCurrent(a, generation: generation) else { return }  // cancelled
        // Fields are read in place (the record is released by `endAttempt`, but its storage stays valid).
        let slot = attempts[a].request
        let endpoint = Int(attempts[a].endpoint)
        let startedAt = attempts[a].startedAt, attemptError = attempts[a].error, id = AttemptID(attempts[a].lifecycleID)
        let outcome = endAttempt(a, status: attemptError.map { .failed($0) } ?? .answered)
        metrics.providerAttemptEnded(provider: plan.endpoints[endpoint].provider, failed: attemptError != nil)
        var draws = routingStream
        let record = requests.address(of: slot)
        let actions = gateway.attemptEnded(id, outcome, lifecycle: &record.pointee.lifecycle, now: now, draws: &draws)
        countBilling(slot, endpoint: endpoint, outcome)
        if requests[slot].counted {
            // The lifecycle's compliance check, made on every answer independently of the router.
            metrics.attemptEnded(endpoint: endpoint, failure: attemptError?.category, latencyNanos: now - startedAt,
                                 complianceViolation: requests[slot].lifecycle.complianceViolation)
        }
        perform(actions, for: slot)
    }

    /// Abandons a running attempt (the losing half of a hedge); it is billed for what it produced.
    private mutating func cancelAttempt(_ a: Int32, of slot: Int32) {
        let endpoint = Int(attempts[a].endpoint)
        if requests[slot].counted {
            metrics.attemptEnded(endpoint: endpoint, failure: .cancelled, latencyNanos: 0, complianceViolation: false)
        }
        let id = AttemptID(attempts[a].lifecycleID)
        let outcome = endAttempt(a, status: .cancelled)
        var draws = routingStream
        let record = requests.address(of: slot)
        let actions = gateway.attemptEnded(id, outcome, lifecycle: &record.pointee.lifecycle, now: now, draws: &draws)
        countBilling(slot, endpoint: endpoint, outcome)
        perform(actions, for: slot)
    }

    /// Ends an attempt at the provider: releases its limits and its slot, detaches it from its request, and
    /// says what it produced by now.
    private mutating func endAttempt(_ a: Int32, status: AttemptOutcome.Status) -> AttemptOutcome {
        let slot = attempts[a].request
        let endpoint = Int(attempts[a].endpoint)
        let firstTokenAt = attempts[a].firstTokenAt, cachedInputTokens = attempts[a].cachedInputTokens
        let produced = attempts[a].tokensProduced(by: now, outputTokens: Int(min(requests[slot].outputTokens, attempts[a].maxTokens)))
        providers.ended(endpoint: endpoint, holds: attempts[a].holds, producedTokens: produced, at: now)
        if requests[slot].attempt.0 == a { requests[slot].attempt.0 = -1 } else { requests[slot].attempt.1 = -1 }
        attempts.release(a)
        return AttemptOutcome(status, firstTokenAt: firstTokenAt >= 0 ? firstTokenAt : nil, outputTokens: produced,
                              cachedInputTokens: cachedInputTokens)
    }

    /// Records what the lifecycle billed for an attempt that produced tokens.
    private mutating func countBilling(_ slot: Int32, endpoint: Int, _ outcome: AttemptOutcome) {
        guard requests[slot].counted, let firstToken = outcome.firstTokenAt, firstToken <= now else { return }
        let cost = requests[slot].lifecycle.lastAttemptCost
        let input = Int(requests[slot].inputTokens)
        let promptCache = providers.hasPromptCache(provider: plan.endpoints[endpoint].provider)
            ? (outcome.cachedInputTokens, plan.endpoints[endpoint].price.cost(inputTokens: input, outputTokens: outcome.outputTokens))
            : nil
        metrics.attemptBilled(endpoint: endpoint, inputTokens: input, outputTokens: outcome.outputTokens, cost: cost,
                              promptCache: promptCache)
    }

    /// Ends a request (`failure == nil` means answered), records it, and frees its slots.
    mutating func finish(_ slot: Int32, failure: FailureReason?) {
        // Fields are read in place: the record is large, and copying it showed in profiles.
        let arrivalAt = requests[slot].arrivalAt, firstTokenAt = requests[slot].firstTokenAt
        let instance = requests[slot].instance
        // A request that never reached the lifecycle (queue full, queue timeout) cost nothing and is counted
        // in its class's tier.
        let started = requests[slot].hasLifecycle
        let cost = started ? requests[slot].lifecycle.cost : .zero
        let tier = started ? requests[slot].lifecycle.tier : plan.classes[Int(requests[slot].classIndex)].tier
        metrics.requestEnded(counted: requests[slot].counted, failure: failure, arrivalAt: arrivalAt, firstTokenAt: firstTokenAt,
                             now: now, cost: cost, tier: tier, classIndex: Int(requests[slot].classIndex),
                             lastTurn: requests[slot].lastTurn, user: requests[slot].user)
        // The autoscaler reads response time as time to first byte: for a streamed answer, the first token.
        if failure == nil { pool.recordResponseTime(nanos: firstTokenAt - arrivalAt) }
        if instance >= 0 { releaseInstanceSlot(instance) }
        if Int(slot) < prefixBlocks.count { prefixBlocks[Int(slot)] = nil }
        requests.release(slot)
    }
}
