import NexusGateway

extension RunSummary {
    /// Adds the requests of `other`, a summary of *other requests of the same replication* — another share of
    /// one traffic stream's arrivals, as live load shards (`load --shard i/N`) and a load generator's event
    /// loops each send — so that the result counts every request once.
    ///
    /// Counts, token totals, costs and per-user costs add; latency, TTFT and per-model histograms merge
    /// exactly (HdrHistogram). Time-series windows add their counts and spend; a window's p95 latency becomes
    /// the largest of the parts' (an upper bound: per-window percentiles cannot be merged exactly) and its mean
    /// the request-weighted mean. Both summaries must come from the same scenario (same models, classes and
    /// tiers, same series window).
    public mutating func combine(withSharesOf other: RunSummary) {
        requests += other.requests
        succeeded += other.succeeded
        failed += other.failed
        rejected += other.rejected
        unfinished += other.unfinished
        for i in outcomes.indices where i < other.outcomes.count { outcomes[i] += other.outcomes[i] }
        latency.merge(other.latency)
        ttft.merge(other.ttft)
        infrastructureCost += other.infrastructureCost
        for i in byModel.indices where i < other.byModel.count {
            let o = other.byModel[i]
            byModel[i].requests += o.requests
            byModel[i].attempts += o.attempts
            byModel[i].successes += o.successes
            for f in byModel[i].failures.indices where f < o.failures.count { byModel[i].failures[f] += o.failures[f] }
            byModel[i].bill(inputTokens: o.inputTokens, outputTokens: o.outputTokens, cost: o.cost)
            byModel[i].latency.merge(o.latency)
        }
        cacheHits += other.cacheHits
        cacheMisses += other.cacheMisses
        cacheSaved += other.cacheSaved
        complianceViolations += other.complianceViolations
        traffic.inputTokens += other.traffic.inputTokens
        traffic.outputTokens += other.traffic.outputTokens
        traffic.conversations += other.traffic.conversations
        traffic.skippedRows += other.traffic.skippedRows
        traffic.users.merge(other.traffic.users)
        for i in costByTier.indices where i < other.costByTier.count { costByTier[i] += other.costByTier[i] }
        for i in byClass.indices where i < other.byClass.count { byClass[i].merge(other.byClass[i]) }
        for i in byTier.indices where i < other.byTier.count { byTier[i].merge(other.byTier[i]) }
        requestsSimulated += other.requestsSimulated
        peakRequestsInFlight += other.peakRequestsInFlight
        endedAtNanos = max(endedAtNanos, other.endedAtNanos)
        series.combine(withSharesOf: other.series)
        switch (live, other.live) {
        case (nil, let theirs?): live = theirs
        case (var mine?, let theirs?):
            mine.merge(theirs)
            live = mine
        default: break
        }
    }
}

extension TimeSeries {
    /// Adds `other`'s windows to these, window by window (see ``RunSummary/combine(withSharesOf:)``).
    mutating func combine(withSharesOf other: TimeSeries) {
        let providerCount = providers.count
        for w in other.windows.indices {
            let o = other.windows[w]
            if w >= windows.count {
                windows.append(o)
                for p in 0..<providerCount {
                    providerCounts.append(other.providerCounts.indices.contains(w * providerCount + p)
                        ? other.providerCounts[w * providerCount + p] : ProviderCounts(attempts: 0, failures: 0))
                }
                continue
            }
            var m = windows[w]
            let mineAnswered = Float(m.succeeded), theirsAnswered = Float(o.succeeded)
            m.arrivals &+= o.arrivals
            m.succeeded &+= o.succeeded
            m.failed &+= o.failed
            m.rejected &+= o.rejected
            m.inFlight &+= o.inFlight
            m.queueDepth &+= o.queueDepth
            m.maxQueueDepth &+= o.maxQueueDepth
            m.spendUSD += o.spendUSD
            switch (m.p95LatencyMillis.isNaN, o.p95LatencyMillis.isNaN) {
            case (true, _): m.p95LatencyMillis = o.p95LatencyMillis; m.meanLatencyMillis = o.meanLatencyMillis
            case (false, true): break
            case (false, false):
                m.p95LatencyMillis = max(m.p95LatencyMillis, o.p95LatencyMillis)
                m.meanLatencyMillis = (m.meanLatencyMillis * mineAnswered + o.meanLatencyMillis * theirsAnswered)
                    / max(mineAnswered + theirsAnswered, 1)
            }
            windows[w] = m
            for p in 0..<providerCount where other.providerCounts.indices.contains(w * providerCount + p) {
                providerCounts[w * providerCount + p].attempts &+= other.providerCounts[w * providerCount + p].attempts
                providerCounts[w * providerCount + p].failures &+= other.providerCounts[w * providerCount + p].failures
            }
        }
    }
}
