import NexusGateway

/// How a counted request is tallied, the same for a simulation and a live load.
extension RunSummary {
    /// Counts one request that ended after the warm-up: its outcome, its cost against its tier and class, its
    /// class's latency, and its user's spend and conversation. The overall latency and TTFT histograms are
    /// the caller's (a simulation records some answers in one histogram for both).
    ///
    /// - Parameters:
    ///   - failure: why it failed or was refused; `nil` when answered.
    ///   - tier: the tier it ended in (after a budget downgrade, the cheaper one).
    ///   - classIndex: its traffic class, or an index past ``byClass`` for none.
    ///   - latencyNanos, ttftNanos: arrival (or scheduled send) to the last and the first byte.
    @inline(__always)
    package mutating func countRequest(failure: FailureReason?, cost: USD, tier: Int, classIndex: Int,
                                       latencyNanos: Nanoseconds, ttftNanos: Nanoseconds, lastTurn: Bool, user: Int32) {
        requests += 1
        if let failure {
            outcomes[failure.index] += 1
            if failure.isRejection { rejected += 1 } else { failed += 1 }
        } else {
            succeeded += 1
        }
        if tier < costByTier.count { costByTier[tier] += cost }
        if classIndex < byClass.count {
            byClass[classIndex].count(failure: failure, latencyNanos: latencyNanos, ttftNanos: ttftNanos, cost: cost)
        }
        if lastTurn { traffic.conversations += 1 }
        if user >= 0 { traffic.users.add(cost.dollars, user: Int(user)) }
    }

    /// Fills ``byTier`` from ``byClass``: each class's requests in its tier (`classTiers[c]`).
    package mutating func groupClassesIntoTiers(classTiers: [Int], tierCount: Int) {
        byTier = Array(repeating: RequestGroupStats(), count: tierCount)
        for (c, stats) in byClass.enumerated() where c < classTiers.count {
            byTier[classTiers[c]].merge(stats)
        }
    }
}
