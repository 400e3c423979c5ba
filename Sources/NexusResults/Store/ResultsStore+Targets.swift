extension ResultsStore {
    /// Stores the verdicts of a run's targets (replacing any stored before for that run), in one transaction.
    public func saveTargets(_ verdicts: [TargetVerdict], runID: Int64) throws {
        try inTransaction {
            let delete = try prepare("DELETE FROM targets WHERE run_id = ?")
            try delete.bind(runID, at: 1)
            try delete.step()
            let insert = try prepare("""
                INSERT INTO targets (run_id, position, target, metric, comparison, threshold, mean, ci_low, ci_high,
                                     basis, judged_value, passed)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for (position, v) in verdicts.enumerated() {
                insert.reset()
                try insert.bind(runID, at: 1)
                try insert.bind(position, at: 2)
                try insert.bind(v.target.spec.text, at: 3)
                try insert.bind(v.target.metric, at: 4)
                try insert.bind(v.target.comparison.rawValue, at: 5)
                try insert.bind(v.target.threshold, at: 6)
                try insert.bind(v.mean.isFinite ? v.mean : nil, at: 7)
                try insert.bind(v.ci95?.lowerBound, at: 8)
                try insert.bind(v.ci95?.upperBound, at: 9)
                try insert.bind(StoredTarget.basisKey(v.basis), at: 10)
                try insert.bind(v.judgedValue.isFinite ? v.judgedValue : nil, at: 11)
                try insert.bind(v.passed ? 1 : 0, at: 12)
                try insert.step()
            }
        }
    }

    /// The stored target verdicts of a run, in the order they were written.
    public func targets(runID: Int64) throws -> [StoredTarget] {
        let query = try prepare("""
            SELECT target, metric, comparison, threshold, mean, ci_low, ci_high, basis, judged_value, passed
            FROM targets WHERE run_id = ? ORDER BY position
            """)
        try query.bind(runID, at: 1)
        var rows: [StoredTarget] = []
        while try query.step() {
            rows.append(StoredTarget(
                target: query.text(0), metric: query.text(1), comparison: query.text(2), threshold: query.double(3),
                mean: query.optionalDouble(4), ciLow: query.optionalDouble(5), ciHigh: query.optionalDouble(6),
                basis: query.text(7), judgedValue: query.optionalDouble(8), passed: query.int64(9) == 1))
        }
        return rows
    }
}

/// A target verdict as stored in the `targets` table. Values are in the metric's unit.
public struct StoredTarget: Sendable, Hashable {
    /// The target as written, e.g. `p95_latency < 2s`.
    public var target: String
    /// Dotted contract name, e.g. `latency_ms.p95`.
    public var metric: String
    /// `<`, `<=`, `>` or `>=`.
    public var comparison: String
    public var threshold: Double
    public var mean: Double?
    public var ciLow: Double?
    public var ciHigh: Double?
    /// `point_estimate`, `upper_bound` or `lower_bound`.
    public var basis: String
    public var judgedValue: Double?
    public var passed: Bool

    static func basisKey(_ basis: TargetVerdict.Basis) -> String { basis.key }
}
