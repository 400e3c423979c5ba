import NexusGateway

/// The gateway model: instance slots, the FIFO queue, and the end of a request.
extension Simulation {
    /// Gives the request an instance slot, or queues it, or refuses it when the queue is full.
    mutating func admit(_ slot: Int32) {
        let generation = requests.generation(of: slot)
        switch pool.admit(slot, generation: generation) {
        case .serve(let instance):
            startService(slot, on: instance)
        case .refused:
            finish(slot, failure: .queueFull)
        case .queued(let timeout):
            requests[slot].phase = .queued
            if pool.queueDepth > window.maxQueueDepth { window.maxQueueDepth = pool.queueDepth }
            if let timeout { events.schedule(.queueTimeout, at: now + timeout, slot: slot, generation: generation) }
        }
    }

    mutating func queueTimedOut(slot: Int32, generation: UInt32) {
        guard pool.queueTimerFired(slot, generation: generation) else { return }
        finish(slot, failure: .queueTimeout)
    }

    /// The instance takes the request: the router chooses the first model (within the budget's room).
    mutating func startService(_ slot: Int32, on instance: Int32) {
        requests[slot].phase = .inFlight
        requests[slot].instance = instance
        if hasCache, lookUpCache(slot) { return }
        pool.startWork(on: instance)
        var decision = routeFirstAttempt(slot)
        if case .fail(.budgetExceeded) = decision, let cheaper = downgradeTier, requests[slot].tier != cheaper {
            // Budget action `downgrade`: the request moves to the cheaper tier and is routed again there.
            requests[slot].tier = cheaper
            if requests[slot].counted { summary.downgraded += 1 }
            decision = routeFirstAttempt(slot)
        }
        if hasBudget, case .fail(.budgetExceeded) = decision { budget!.noteRefusal(user: Int(requests[slot].user), at: now) }
        follow(decision, for: slot, dispatchAt: now + gatewaySpec.overheadNanos)
    }

    /// Looks the request up in the response cache. A hit is answered after the hit latency without
    /// reaching a provider, a rate limit or the budget; a miss is remembered so that the answer is stored.
    /// Returns whether the request was a hit.
    private mutating func lookUpCache(_ slot: Int32) -> Bool {
        let c = Int(requests[slot].classIndex)
        // The key: the prompt, and the parameters that change the answer (the class fixes tier and max_tokens).
        let key = SeedDerivation.splitMix64(UInt64(bitPattern: requests[slot].promptID) ^ UInt64(c) &* 0x9E37_79B9_7F4A_7C15)
        let lookup = cache!.lookup(key, cacheClass: plan.classes[c].cacheClass, classification: plan.classes[c].classification, now: now)
        switch lookup {
        case .hit:
            if requests[slot].counted {
                summary.cacheHits += 1
                let first = plan.tierFirstEndpoint[Int(requests[slot].tier)]
                summary.cacheSaved += plan.endpoints[first].price.cost(
                    inputTokens: Int(requests[slot].inputTokens), outputTokens: Int(requests[slot].outputTokens))
            }
            events.schedule(.cacheAnswer, at: now + cache!.policy.hitLatencyNanos, slot: slot, generation: requests.generation(of: slot))
            return true
        case .miss:
            if requests[slot].counted { summary.cacheMisses += 1 }
            requests[slot].storeInCache = true
            requests[slot].cacheKey = key
            return false
        case .bypass:
            return false
        }
    }

    mutating func cacheAnswered(_ slot: Int32, generation: UInt32) {
        guard requests.isCurrent(slot, generation: generation) else { return }
        requests[slot].firstTokenAt = now
        finish(slot, failure: nil)
    }

    /// Stores an answered request's response when its lookup missed.
    mutating func storeAnswerInCache(_ slot: Int32) {
        guard requests[slot].storeInCache, let spec = plan.scenario.cache else { return }
        let c = Int(requests[slot].classIndex)
        cache!.insert(requests[slot].cacheKey, cacheClass: plan.classes[c].cacheClass, classification: plan.classes[c].classification,
                      sizeBytes: Int(requests[slot].outputTokens) * spec.bytesPerOutputToken, now: now)
    }

    private mutating func routeFirstAttempt(_ slot: Int32) -> RouteDecision {
        let request = routeRequest(slot)
        let deadline = plan.deadlines[request.tier].map { requests[slot].arrivalAt + $0 }
        requests[slot].routing = RequestRouting(deadline: deadline)
        // The router stream is drawn only when the tier's strategy randomises its choice.
        let draw = router.choiceUsesDraw(tier: request.tier) ? routingStream.uniform() : 0
        return router.route(request, state: &requests[slot].routing, now: now, draw: draw)
    }

    /// The router's view of the request, with the most its next attempt may cost under the budget.
    mutating func routeRequest(_ slot: Int32) -> RouteRequest {
        let c = Int(requests[slot].classIndex)
        return RouteRequest(tier: Int(requests[slot].tier), classification: plan.classes[c].classification,
                            inputTokens: Int(requests[slot].inputTokens), maxOutputTokens: Int(requests[slot].maxOutputTokens),
                            expectedOutputTokens: plan.classes[c].expectedOutputTokens,
                            costCeiling: hasBudget ? budget!.ceiling(user: Int(requests[slot].user), at: now) : nil)
    }

    /// Ends a request (`failure == nil` means answered), records it, and frees its slots.
    mutating func finish(_ slot: Int32, failure: FailureReason?) {
        // Fields are read in place: the record is large, and copying it showed in profiles.
        let arrivalAt = requests[slot].arrivalAt, firstTokenAt = requests[slot].firstTokenAt
        let cost = requests[slot].cost, instance = requests[slot].instance
        if requests[slot].counted {
            countTraffic(lastTurn: requests[slot].lastTurn, user: requests[slot].user, cost: cost)
            summary.requests += 1
            if let failure {
                summary.outcomes[failure.index] += 1
                if failure.isRejection { summary.rejected += 1 } else { summary.failed += 1 }
            } else {
                summary.succeeded += 1
                if firstTokenAt == now {
                    answeredAtFirstToken.record(nanos: now - arrivalAt)
                } else {
                    summary.latency.record(nanos: now - arrivalAt)
                    summary.ttft.record(nanos: firstTokenAt - arrivalAt)
                }
            }
            summary.costByTier[Int(requests[slot].tier)] += cost
            summary.byClass[Int(requests[slot].classIndex)].count(
                failure: failure, latencyNanos: now - arrivalAt, ttftNanos: firstTokenAt - arrivalAt, cost: cost)
        }
        // The series cover every request, warm-up included.
        if let failure {
            if failure.isRejection { window.rejected += 1 } else { window.failed += 1 }
        } else {
            window.succeeded += 1
            window.latency.record(nanos: now - arrivalAt)
            // The autoscaler reads response time as time to first byte: for a streamed answer, the first token.
            pool.recordResponseTime(nanos: firstTokenAt - arrivalAt)
        }
        window.spend += cost
        if instance >= 0 { releaseInstanceSlot(instance) }
        if Int(slot) < prefixBlocks.count { prefixBlocks[Int(slot)] = nil }
        requests.release(slot)
    }

    /// The request holding a slot on `instance` has ended: the pool hands the slot to a queued request or keeps it.
    mutating func releaseInstanceSlot(_ instance: Int32) {
        if case .serve(let next, let on) = pool.releaseSlot(on: instance, now: now) { startService(next, on: on) }
    }

    /// A slot on `instance` is free: the pool hands it to the oldest queued request or keeps it.
    mutating func offerSlot(_ instance: Int32) {
        if case .serve(let next, let on) = pool.offerSlot(on: instance) { startService(next, on: on) }
    }
}
