import NexusSim

/// A paired comparison of two runs made with common random numbers (same base seed, same replication
/// indices, hence the same traffic and the same provider draws wherever the two configurations agree).
///
/// For every metric either run reports (the contract's and each scenario's own: per tier, class and model,
/// failure reasons, cache, budget; see ``RunReport/metricDefinitions(for:)``): both means, the paired
/// difference `B − A` with its 95 % interval, and whether the difference is significant (the interval
/// excludes 0). Every difference, relative change and sign is `B − A`.
public struct Comparison: Sendable {
    /// One metric's comparison.
    public struct Row: Sendable {
        public var metric: String
        public var unit: MetricUnit
        public var a: Estimate
        public var b: Estimate
        /// `B − A`, paired over replications (pairs where either value is undefined are left out).
        public var difference: Estimate
        /// `B − A` as if the runs were independent (Welch), for reference.
        public var independentDifference: Estimate

        /// Whether the paired interval excludes 0.
        public var isSignificant: Bool {
            guard let ci = difference.ci95 else { return false }
            return ci.lowerBound > 0 || ci.upperBound < 0
        }

        /// `(B − A) / |A|`; `nil` when A is 0 or undefined.
        public var relativeChange: Double? {
            a.mean.isFinite && a.mean != 0 && difference.mean.isFinite ? difference.mean / abs(a.mean) : nil
        }

        /// The part of the output the metric belongs to: `overall`, `cost`, `by_tier`, `by_class`, `by_model`,
        /// `failure_reasons`, `cache`, `budget`, `autoscaling`, `traffic` or `users`.
        public var section: String { Comparison.section(of: metric) }

        /// Whether the row says anything: some value is defined and not 0 on one side (or it is a headline metric).
        public var isInformative: Bool {
            if section == "overall" { return a.mean.isFinite || b.mean.isFinite }
            return (a.mean.isFinite && a.mean != 0) || (b.mean.isFinite && b.mean != 0)
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
        // A's metrics in A's order, then those only B reports (a tier or class only B has).
        var definitions = a.definitions
        let inA = Set(a.definitions.map(\.name))
        definitions += b.definitions.filter { !inA.contains($0.name) }
        let missing = [Double](repeating: .nan, count: a.replications.count)
        rows = definitions.map { definition in
            let xa = a.definition(definition.name).map { d in a.replications.map(d.value) } ?? missing
            let xb = b.definition(definition.name).map { d in b.replications.map(d.value) } ?? missing
            return Row(metric: definition.name, unit: definition.unit,
                       a: Estimate(xa, range: definition.range), b: Estimate(xb, range: definition.range),
                       difference: .pairedDifference(xa, xb), independentDifference: .independentDifference(xa, xb))
        }
    }

    /// The row of metric `name`.
    public func row(_ name: String) -> Row? { rows.first { $0.metric == name } }

    /// The section of a metric name (see ``Row/section``).
    static func section(of metric: String) -> String {
        let head = metric.split(separator: ".").first.map(String.init) ?? metric
        switch head {
        case "by_tier", "by_class", "by_model", "failure_reasons", "cache", "budget", "autoscaling", "traffic", "users": return head
        case "cost_usd": return metric.hasPrefix("cost_usd.by_tier.") ? "by_tier" : "cost"
        default: return "overall"
        }
    }

    /// The order sections are shown in.
    static let sections = ["overall", "cost", "failure_reasons", "by_tier", "by_class", "by_model", "cache", "budget",
                           "autoscaling", "traffic", "users"]
}
