import NexusSim

/// A paired comparison of two runs made with common random numbers (same base seed, same replication
/// indices, hence the same traffic and the same provider draws wherever the two configurations agree).
///
/// For every contract metric: both means, the paired difference `B − A` with its 95 % interval, and whether
/// the difference is significant (the interval excludes 0).
public struct Comparison: Sendable {
    /// One metric's comparison.
    public struct Row: Sendable {
        public var metric: String
        public var unit: MetricUnit
        public var a: Estimate
        public var b: Estimate
        /// `B − A`, paired over replications.
        public var difference: Estimate
        /// `B − A` as if the runs were independent (Welch), for reference.
        public var independentDifference: Estimate

        /// Whether the paired interval excludes 0.
        public var isSignificant: Bool {
            guard let ci = difference.ci95 else { return false }
            return ci.lowerBound > 0 || ci.upperBound < 0
        }

        /// `(B − A) / A`; `nil` when A is 0 or undefined.
        public var relativeChange: Double? {
            a.mean.isFinite && a.mean != 0 && difference.mean.isFinite ? difference.mean / abs(a.mean) : nil
        }
    }

    public var a: RunReport
    public var b: RunReport
    public var labelA: String
    public var labelB: String
    public var rows: [Row]

    /// Compares `a` and `b`, which must share the seed and the number of replications.
    public init(a: RunReport, b: RunReport, labelA: String, labelB: String) {
        precondition(a.seed == b.seed && a.replications.count == b.replications.count,
                     "a paired comparison needs the same seed and replication count on both sides")
        self.a = a
        self.b = b
        self.labelA = labelA
        self.labelB = labelB
        rows = RunReport.metricDefinitions.map { definition in
            let xa = a.replications.map(definition.value), xb = b.replications.map(definition.value)
            return Row(metric: definition.name, unit: MetricUnit(metricName: definition.name),
                       a: Estimate(xa, range: definition.range), b: Estimate(xb, range: definition.range),
                       difference: .pairedDifference(xa, xb), independentDifference: .independentDifference(xa, xb))
        }
    }

    /// The row of metric `name`.
    public func row(_ name: String) -> Row? { rows.first { $0.metric == name } }
}
