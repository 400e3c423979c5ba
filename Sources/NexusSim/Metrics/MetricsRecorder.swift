import NexusGateway

/// What one replication measures, told by the simulation what happened: the ``RunSummary`` being filled, the
/// counters of the time-series window being filled, and the ``BudgetLog``. It decides what counts — requests
/// that arrived after the warm-up for the summary, every request for the series — so the run loop only reports
/// events. Every method is O(1) (amortised for the histograms and the series).
struct MetricsRecorder {
    var summary: RunSummary
    /// Counters of the series window being filled, and when it ends.
    var window: WindowCounters
    var windowEndsAt: Nanoseconds
    let seriesWindowNanos: Nanoseconds
    /// Latency of the counted answers that arrived whole with their first token (no streaming): their TTFT
    /// equals their latency, so each is recorded once here and the histogram is added to both at the end.
    var answeredAtFirstToken = LatencyHistogram()
    /// What the gateway's budget guard observed (alerts, exhaustion, spend by day).
    var budgetLog = BudgetLog()
    /// Attempts whose `max_tokens` the budget's `clamp` reservation lowered.
    var clampedAttempts = 0

    init(plan: SimulationPlan, seed: UInt64, replication: Int) {
        let settings = plan.scenario.simulation
        seriesWindowNanos = settings.seriesWindowNanos
        summary = RunSummary(scenarioName: plan.scenario.name, seed: seed, replication: replication,
                             seriesWindowNanos: settings.seriesWindowNanos)
        summary.costByTier = Array(repeating: .zero, count: plan.scenario.tiers.count)
        summary.byClass = Array(repeating: RequestGroupStats(), count: max(plan.classes.count, 1))
        summary.byModel = plan.endpoints.map { ModelStats(name: $0.name, provider: plan.providers[$0.provider].name) }
        summary.series.providers = plan.providers.map(\.name)
        summary.series.reserveWindows(Int((settings.durationNanos + settings.drainNanos) / settings.seriesWindowNanos) + 2)
        summary.traffic.users = TrafficStats.UserCosts(population: plan.scenario.traffic.users?.count ?? 0)
        windowEndsAt = settings.seriesWindowNanos
        window = WindowCounters(providers: plan.providers.count)
    }

    // MARK: Requests

    /// A request arrived (warm-up included).
    @inline(__always) mutating func arrived(inputTokens: Int32, outputTokens: Int32) {
        summary.requestsSimulated += 1
        window.arrivals += 1
        summary.traffic.inputTokens += Int(inputTokens)
        summary.traffic.outputTokens += Int(outputTokens)
    }

    /// A request waits in the gateway's queue, now `depth` long.
    @inline(__always) mutating func queued(depth: Int) {
        if depth > window.maxQueueDepth { window.maxQueueDepth = depth }
    }

    /// A counted request's cache look-up; `saved` is what a hit saved (its first model's price).
    mutating func cacheLookedUp(_ lookup: CacheLookup?, saved: USD, downgraded: Bool) {
        switch lookup {
        case .hit:
            summary.cacheHits += 1
            summary.cacheSaved += saved
        case .miss: summary.cacheMisses += 1
        case .bypass, nil: break
        }
        if downgraded { summary.downgraded += 1 }
    }

    /// A request ended (`failure == nil`: answered) at `now`: counted in the summary when `counted`, and in
    /// the series window always.
    @inline(__always)
    mutating func requestEnded(counted: Bool, failure: FailureReason?, arrivalAt: Nanoseconds, firstTokenAt: Nanoseconds,
                               now: Nanoseconds, cost: USD, tier: Int, classIndex: Int, lastTurn: Bool, user: Int32) {
        if counted {
            summary.countRequest(failure: failure, cost: cost, tier: tier, classIndex: classIndex,
                                 latencyNanos: now - arrivalAt, ttftNanos: firstTokenAt - arrivalAt, lastTurn: lastTurn, user: user)
            if failure == nil {
                if firstTokenAt == now {
                    answeredAtFirstToken.record(nanos: now - arrivalAt)
                } else {
                    summary.latency.record(nanos: now - arrivalAt)
                    summary.ttft.record(nanos: firstTokenAt - arrivalAt)
                }
            }
        }
        if let failure {
            if failure.isRejection { window.rejected += 1 } else { window.failed += 1 }
        } else {
            window.succeeded += 1
            window.latency.record(nanos: now - arrivalAt)
        }
        window.spend += cost
    }

    /// A counted request's semantic-cache lookup after an exact miss: its verdict, the embedding's cost, and
    /// what an answer from the cache saved (`saved`: the tier's first model's price of the answer; a wrong
    /// answer saves it too, at the price of being wrong).
    mutating func semanticLookedUp(_ lookup: SemanticLookup, saved: USD, embeddingCost: USD) {
        summary.semanticEmbeddingCost = (summary.semanticEmbeddingCost ?? .zero) + embeddingCost
        switch lookup {
        case .hit:
            summary.semanticHits = (summary.semanticHits ?? 0) + 1
            summary.semanticSaved = (summary.semanticSaved ?? .zero) + saved
        case .falseHit:
            summary.semanticFalseHits = (summary.semanticFalseHits ?? 0) + 1
            summary.semanticSaved = (summary.semanticSaved ?? .zero) + saved
        case .miss:
            summary.semanticMisses = (summary.semanticMisses ?? 0) + 1
        }
    }

    // MARK: Attempts

    /// An attempt (warm-up included) was sent with its `max_tokens` lowered by the budget's `clamp` reservation.
    @inline(__always) mutating func attemptClamped() { clampedAttempts += 1 }

    /// An attempt of a counted request was sent to `endpoint`.
    @inline(__always) mutating func attemptSent(endpoint: Int, isFirstOnModel: Bool) {
        summary.byModel[endpoint].countAttempt(isFirstOnModel: isFirstOnModel)
    }

    /// An attempt at `provider` ended at the provider (answered or failed; warm-up included in the series).
    @inline(__always) mutating func providerAttemptEnded(provider: Int, failed: Bool) {
        window.providerAttempts[provider] += 1
        if failed { window.providerFailures[provider] += 1 }
    }

    /// How a counted request's attempt at `endpoint` ended: failed with `failure`, or answered after `latencyNanos`.
    @inline(__always) mutating func attemptEnded(endpoint: Int, failure: AttemptFailure?, latencyNanos: Nanoseconds,
                                                 complianceViolation: Bool) {
        if let failure {
            summary.byModel[endpoint].failures[failure.index] += 1
        } else {
            summary.byModel[endpoint].countSuccess(latencyNanos: latencyNanos)
            if complianceViolation { summary.complianceViolations += 1 }
        }
    }

    /// What a counted request's attempt at `endpoint` was billed; `promptCache` carries the provider's
    /// prompt-cache accounting when it has one (the input, its cached part, and the price without the cache).
    @inline(__always) mutating func attemptBilled(endpoint: Int, inputTokens: Int, outputTokens: Int, cost: USD,
                                                  promptCache: (cachedTokens: Int, uncachedCost: USD)?) {
        if let promptCache {
            summary.promptCacheInputTokens += inputTokens
            summary.promptCacheCachedTokens += promptCache.cachedTokens
            summary.promptCacheSaved += promptCache.uncachedCost - cost
        }
        summary.byModel[endpoint].bill(inputTokens: inputTokens, outputTokens: outputTokens, cost: cost)
    }

    // MARK: Gateway-wide

    /// The budget guard's events since the last call.
    @inline(__always) mutating func budgetObserved(_ events: [BudgetEvent]) { budgetLog.record(events) }

    /// The autoscaler changed the instance count.
    mutating func scaled(_ event: ScaleEvent, desired: Int) {
        summary.scaleEvents.append(event)
        summary.minInstances = min(summary.minInstances, desired)
        summary.maxInstances = max(summary.maxInstances, desired)
    }

    /// Closes the series window being filled: `w` carries the gateway's state at its end (queue, in flight,
    /// instances), filled by the caller; the counters fill the rest and start the next window.
    mutating func closeWindow(_ w: TimeSeries.Window, queueDepth: Int) {
        var w = w
        window.fill(&w)
        w.maxQueueDepth = Int32(clamping: max(window.maxQueueDepth, queueDepth))
        summary.series.append(w, providerAttempts: window.providerAttempts, providerFailures: window.providerFailures)
        window.reset()
        window.maxQueueDepth = queueDepth
        windowEndsAt += seriesWindowNanos
    }

    /// The summary at the end of the run, with the budget's log and the classes grouped into tiers.
    consuming func finish(plan: SimulationPlan, hasBudget: Bool) -> RunSummary {
        summary.latency.merge(answeredAtFirstToken)
        summary.ttft.merge(answeredAtFirstToken)
        summary.groupClassesIntoTiers(classTiers: plan.classes.map(\.tier), tierCount: plan.scenario.tiers.count)
        if hasBudget {
            summary.budgetAlerts = budgetLog.alerts
            summary.budgetExhaustedAt = budgetLog.firstExhaustion?.at
            summary.budgetExhaustedWindow = budgetLog.firstExhaustion?.window
            summary.budgetExhaustedAtByWindow = budgetLog.firstExhaustionByWindow
            summary.overspend = budgetLog.overspend
            summary.budgetClampedAttempts = clampedAttempts
            summary.budgetUsedShareAtExhaustion = budgetLog.usedShareAtExhaustion
            summary.usersAtCap = budgetLog.usersAtCap.count
            summary.usersAtCapIDs = budgetLog.usersAtCap.sorted()
            summary.dailySpend = budgetLog.dailySpendInOrder
        }
        return summary
    }
}
