/// The events of a request's lifecycle.
extension Gateway {
    /// A request reaches a gateway worker: the cache is consulted (the exact key, then, with a semantic cache,
    /// the prompt's embedding by intent, priced and timed), then the router chooses the first model (within the
    /// budget's room, downgrading the request when the budget says so) and the first attempt is sent after the
    /// gateway's overhead (and the semantic lookup's time).
    ///
    /// - Parameters:
    ///   - request: the request; its `receivedAt` starts the deadline.
    ///   - lifecycle: the request's state, reset here (any previous content is discarded).
    ///   - draws: the router's uniform draws (used only by weighted and latency choices).
    /// - Returns: `answerFromCache`; or `send` (and a hedge `startTimer`); or `refuse` / `finish`.
    public mutating func arrived(_ request: GatewayRequest, lifecycle: inout RequestLifecycle, now: Nanoseconds,
                                 draws: inout some UniformDraws) -> LifecycleActions {
        lifecycle.reset(for: request)
        var actions = LifecycleActions()
        var semanticDelay: Nanoseconds = 0
        if hasCache {
            let key = request.cacheKey
            let lookup = cache!.lookup(key, cacheClass: request.cacheClass, classification: request.classification, now: now)
            lifecycle.cacheLookup = lookup
            switch lookup {
            case .hit:
                lifecycle.phase = .finished
                actions.append(.answerFromCache(key: key, after: cache!.policy.hitLatencyNanos))
                return actions
            case .miss:
                lifecycle.storeInCache = true
                if let semantic = cache!.policy.semantic {
                    // Exact first; then the prompt is embedded (priced, and its time added) and matched.
                    lifecycle.embeddingCost = semantic.embeddingPricePerToken * Double(request.inputTokens)
                    lifecycle.cost += lifecycle.embeddingCost
                    semanticDelay = semantic.lookupLatencyNanos
                    let found = cache!.semanticLookup(intent: request.semanticKey, draw: draws.nextUniform(), now: now)
                    lifecycle.semanticLookup = found
                    switch found {
                    case .hit(let key, _), .falseHit(let key, _):
                        lifecycle.phase = .finished
                        let wrong = if case .falseHit = found { true } else { false }
                        actions.append(wrong && semantic.falseHitsFail ? .finish(.failed(.wrongCachedAnswer))
                            : .answerFromCache(key: key, after: semanticDelay + cache!.policy.hitLatencyNanos))
                        return actions
                    case .miss:
                        break
                    }
                }
            case .bypass:
                break
            }
        }
        var decision = routeFirstAttempt(&lifecycle, now: now, draws: &draws)
        if case .fail(.budgetExceeded) = decision, let cheaper = downgradeTier, lifecycle.tier != cheaper {
            // Budget action `downgrade`: the request moves to the cheaper tier and is routed again there.
            lifecycle.tier = cheaper
            lifecycle.downgraded = true
            decision = routeFirstAttempt(&lifecycle, now: now, draws: &draws)
        }
        if hasBudget, case .fail(.budgetExceeded) = decision {
            budget!.noteRefusal(user: request.user, team: request.team, at: now, events: &budgetEvents)
        }
        follow(decision, &lifecycle, start: now + overheadNanos + semanticDelay, now: now, kind: .first, into: &actions)
        return actions
    }

    /// An attempt ended; `outcome` says how (answered, failed, or cancelled as asked). The attempt is billed for
    /// what it produced and its reservation settled; the router learns the outcome. An answer finishes the
    /// request (after cancelling a hedged partner); a failure, once no partner still runs, leads to a retry
    /// timer, a fallback attempt, or the end.
    ///
    /// An attempt that is not running (reported twice, or never sent) is ignored: no actions.
    public mutating func attemptEnded(_ attempt: AttemptID, _ outcome: AttemptOutcome, lifecycle: inout RequestLifecycle,
                                      now: Nanoseconds, draws: inout some UniformDraws) -> LifecycleActions {
        var actions = LifecycleActions()
        let ended: RequestLifecycle.InFlight
        if lifecycle.first.id == attempt.rawValue {
            ended = lifecycle.first
            lifecycle.first = RequestLifecycle.InFlight()
        } else if lifecycle.second.id == attempt.rawValue {
            ended = lifecycle.second
            lifecycle.second = RequestLifecycle.InFlight()
        } else {
            return actions
        }
        let endpoint = ended.endpoint
        var cost = USD.zero
        // An attempt that produced tokens costs its prompt and what it produced (a cut or cancelled stream is
        // paid for); one that ended before its first token costs nothing.
        if let firstToken = outcome.firstTokenAt, firstToken <= now {
            cost = prices[endpoint].cost(inputTokens: outcome.inputTokens ?? lifecycle.request.inputTokens,
                                         outputTokens: outcome.outputTokens, cachedInputTokens: outcome.cachedInputTokens)
            lifecycle.cost += cost
        }
        lifecycle.lastAttemptCost = cost
        if hasBudget { budget!.settle(ended.reservation, actualCost: cost, at: now, events: &budgetEvents) }

        switch outcome.status {
        case .cancelled:
            router.attemptCancelled(endpoint)
        case .answered:
            router.attemptSucceeded(endpoint, latencyNanos: now - ended.startedAt, now: now,
                                    inputTokens: outcome.inputTokens ?? lifecycle.request.inputTokens,
                                    outputTokens: outcome.outputTokens,
                                    timeToFirstTokenNanos: (outcome.firstTokenAt ?? now) - ended.startedAt)
            if lifecycle.phase == .attempting {
                lifecycle.firstTokenAt = outcome.firstTokenAt ?? now
                lifecycle.answeredBy = endpoint
                // Checked on every answer, independently of the router's filtering.
                if !compliance[endpoint].contains(lifecycle.request.classification) { lifecycle.complianceViolation = true }
                if lifecycle.storeInCache {
                    cache!.insert(lifecycle.request.cacheKey, intent: lifecycle.request.semanticKey, cacheClass: lifecycle.request.cacheClass,
                                  classification: lifecycle.request.classification,
                                  sizeBytes: outcome.outputTokens * cacheBytesPerOutputToken, now: now)
                }
                lifecycle.pendingOutcome = .answered
                lifecycle.phase = .answering
                // The other attempt is abandoned; it is billed for what it produced when reported.
                if !lifecycle.first.isEmpty { actions.append(.cancelAttempt(AttemptID(lifecycle.first.id))) }
                if !lifecycle.second.isEmpty { actions.append(.cancelAttempt(AttemptID(lifecycle.second.id))) }
            }
        case .failed(let error):
            router.attemptFailed(endpoint, error: error, now: now)
            // While a hedged partner is still running, its outcome decides.
            if lifecycle.phase == .attempting, lifecycle.activeAttempts == 0 {
                let decision = router.afterFailure(routeRequest(&lifecycle, now: now), state: &lifecycle.routing, error: error,
                                                   now: now, draw: draws.nextUniform())
                lifecycle.pendingRetry = attempt.rawValue
                follow(decision, &lifecycle, start: now, now: now, kind: .fallback, into: &actions)
            }
        }
        if lifecycle.activeAttempts == 0, lifecycle.phase == .answering || lifecycle.phase == .cancelling {
            lifecycle.phase = .finished
            actions.append(.finish(lifecycle.pendingOutcome))
        }
        return actions
    }

    /// A timer started by a `startTimer` action fired. A retry timer sends the retry (the budget permitting);
    /// a hedge timer sends a second attempt to another model if the hedged one still runs alone (a hedge the
    /// budget cannot cover is not sent, and the first attempt carries on). A timer that no longer matters is
    /// ignored: no actions.
    public mutating func timerFired(_ timer: TimerID, lifecycle: inout RequestLifecycle, now: Nanoseconds,
                                    draws: inout some UniformDraws) -> LifecycleActions {
        var actions = LifecycleActions()
        switch timer.kind {
        case .retry:
            guard lifecycle.phase == .waitingToRetry, lifecycle.pendingRetry == timer.attempt.rawValue else { return actions }
            if !startAttempt(lifecycle.routing.endpoint, &lifecycle, start: now, now: now, kind: .retry, into: &actions) {
                end(&lifecycle, .budgetExceeded, into: &actions)
            }
        case .hedge:
            guard lifecycle.phase == .attempting, !lifecycle.hedged, lifecycle.activeAttempts == 1,
                  lifecycle.endpoint(of: timer.attempt) != nil,
                  let endpoint = router.hedge(routeRequest(&lifecycle, now: now), state: &lifecycle.routing, now: now,
                                              draw: draws.nextUniform())
            else { return actions }
            lifecycle.hedged = true
            _ = startAttempt(endpoint, &lifecycle, start: now, now: now, kind: .hedge, into: &actions)
        }
        return actions
    }

    /// The client went away. Running attempts are cancelled (each is billed for what it produced when the
    /// driver reports it, and its reservation settled); `finish(.cancelled)` follows the last report, or comes
    /// at once when no attempt runs. Nothing happens to a request already over.
    public mutating func cancelled(lifecycle: inout RequestLifecycle, now: Nanoseconds) -> LifecycleActions {
        var actions = LifecycleActions()
        switch lifecycle.phase {
        case .finished, .cancelling:
            return actions
        case .answering:
            // The losing attempt's cancellation is already asked for; only the outcome changes.
            lifecycle.phase = .cancelling
            lifecycle.pendingOutcome = .cancelled
            return actions
        case .idle, .attempting, .waitingToRetry:
            break
        }
        lifecycle.pendingOutcome = .cancelled
        if lifecycle.activeAttempts == 0 {
            lifecycle.phase = .finished
            actions.append(.finish(.cancelled))
            return actions
        }
        lifecycle.phase = .cancelling
        for attempt in lifecycle.runningAttempts { actions.append(.cancelAttempt(attempt)) }
        return actions
    }

    // MARK: Rules

    private mutating func routeFirstAttempt(_ lifecycle: inout RequestLifecycle, now: Nanoseconds,
                                            draws: inout some UniformDraws) -> RouteDecision {
        let tier = lifecycle.tier
        lifecycle.routing = RequestRouting(deadline: deadlines[tier].map { lifecycle.request.receivedAt + $0 })
        // Drawn only when the tier's strategy randomises its choice.
        let draw = router.choiceUsesDraw(tier: tier) ? draws.nextUniform() : 0
        return router.route(routeRequest(&lifecycle, now: now), state: &lifecycle.routing, now: now, draw: draw)
    }

    /// The router's view of the request, with the most its next attempt may cost under the budget.
    /// Fields are read in place: the lifecycle (and its request) is large, and copying it showed in profiles.
    private mutating func routeRequest(_ lifecycle: inout RequestLifecycle, now: Nanoseconds) -> RouteRequest {
        let ceiling = hasBudget ? budget!.ceiling(user: lifecycle.request.user, team: lifecycle.request.team, at: now) : nil
        // With the `clamp` reservation a model is affordable when its prompt and one output token fit: the
        // attempt's `max_tokens` is lowered to the rest.
        let clamps = hasBudget && budget!.policy.reservation == .clamp
        let affordableOutput = clamps ? min(1, lifecycle.request.maxOutputTokens) : lifecycle.request.maxOutputTokens
        return RouteRequest(tier: lifecycle.tier, classification: lifecycle.request.classification,
                            inputTokens: lifecycle.request.inputTokens, maxOutputTokens: affordableOutput,
                            expectedOutputTokens: lifecycle.request.expectedOutputTokens, costCeiling: ceiling)
    }

    /// Carries out a router decision: an attempt starting at `start`, a retry timer, or the end.
    private mutating func follow(_ decision: RouteDecision, _ lifecycle: inout RequestLifecycle, start: Nanoseconds,
                                 now: Nanoseconds, kind: AttemptKind, into actions: inout LifecycleActions) {
        switch decision {
        case .dispatch(let endpoint):
            if !startAttempt(endpoint, &lifecycle, start: start, now: now, kind: kind, into: &actions) {
                end(&lifecycle, .budgetExceeded, into: &actions)
            }
        case .retry(_, let delay):
            // The request keeps its gateway worker while it waits.
            lifecycle.phase = .waitingToRetry
            actions.append(.startTimer(.retry(after: AttemptID(lifecycle.pendingRetry)), after: delay))
        case .fail(let reason):
            end(&lifecycle, reason, into: &actions)
        }
    }

    /// Has the budget admit the attempt (its reservation mode decides what is held and its `max_tokens`) and
    /// sends it at `start`; returns `false`, sending nothing, when the budget refuses it.
    private mutating func startAttempt(_ endpoint: EndpointID, _ lifecycle: inout RequestLifecycle, start: Nanoseconds,
                                       now: Nanoseconds, kind: AttemptKind, into actions: inout LifecycleActions) -> Bool {
        var reservation = BudgetGuard.Reservation.none
        var maxTokens = lifecycle.request.maxOutputTokens
        if hasBudget {
            guard let granted = budget!.admit(price: prices[endpoint], inputTokens: lifecycle.request.inputTokens,
                                              maxOutputTokens: maxTokens, user: lifecycle.request.user,
                                              team: lifecycle.request.team, at: start, events: &budgetEvents)
            else { return false }
            reservation = granted.reservation
            maxTokens = granted.maxTokens
        }
        router.attemptStarted(endpoint, now: start)
        let id = lifecycle.attemptsSent
        lifecycle.attemptsSent += 1
        let attempt = RequestLifecycle.InFlight(id: id, endpoint: endpoint, startedAt: start, reservation: reservation)
        if lifecycle.first.isEmpty { lifecycle.first = attempt } else { lifecycle.second = attempt }
        lifecycle.phase = .attempting
        // The attempt timeout, or the request's deadline if sooner, cuts the attempt short.
        let tier = lifecycle.tier
        var limit = attemptTimeouts[tier].map { start + $0 } ?? .max
        if let deadline = lifecycle.routing.deadline { limit = min(limit, deadline) }
        let timeout: Nanoseconds? = limit == .max ? nil : max(limit - start, 0)
        actions.append(.send(AttemptID(id), to: endpoint, maxTokens: maxTokens, timeout: timeout,
                             after: start - now, kind: kind))
        if let hedge = hedgeDelays[tier], !lifecycle.hedged {
            actions.append(.startTimer(.hedge(of: AttemptID(id)), after: start - now + hedge))
        }
        return true
    }

    private func end(_ lifecycle: inout RequestLifecycle, _ reason: FailureReason, into actions: inout LifecycleActions) {
        lifecycle.phase = .finished
        actions.append(reason.isRejection ? .refuse(reason) : .finish(.failed(reason)))
    }
}
