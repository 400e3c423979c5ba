/// The outcome of a sweep: per grid point its report and target verdicts, which points meet every target,
/// and the cost-versus-p95 Pareto front.
public struct SweepResult: Sendable {
    public struct Point: Sendable {
        /// The grid's names and this point's values, in grid order.
        public var assignment: [(name: String, value: String)]
        public var report: RunReport
        public var verdicts: [TargetVerdict]
        /// `nil` when the sweep has no targets.
        public var meetsTargets: Bool? { verdicts.isEmpty ? nil : verdicts.allSatisfy(\.passed) }
        /// No other point is at least as cheap and at least as fast, and strictly better in one.
        public var onParetoFront = false

        public var costPerRequest: Double { report.estimate(SweepResult.costMetric)?.mean ?? .nan }
        public var p95LatencyMillis: Double { report.estimate(SweepResult.latencyMetric)?.mean ?? .nan }
    }

    /// The two objectives of the Pareto front, both minimised.
    public static let costMetric = "cost_usd.per_request"
    public static let latencyMetric = "latency_ms.p95"

    public var points: [Point]

    /// Judges each point on `targets` and marks the Pareto front of (cost per request, p95 latency) means.
    /// Points where either is undefined are never on the front.
    public init(points: [(assignment: [(name: String, value: String)], report: RunReport)], targets: [GateTarget]) {
        var built = points.map { p in
            Point(assignment: p.assignment, report: p.report,
                  verdicts: GateReport(report: p.report, targets: targets, targetsSource: "").verdicts)
        }
        for i in built.indices {
            let (c, l) = (built[i].costPerRequest, built[i].p95LatencyMillis)
            guard c.isFinite, l.isFinite else { continue }
            built[i].onParetoFront = !built.indices.contains { j in
                let (cj, lj) = (built[j].costPerRequest, built[j].p95LatencyMillis)
                return j != i && cj.isFinite && lj.isFinite && cj <= c && lj <= l && (cj < c || lj < l)
            }
        }
        self.points = built
    }

    /// The points on the Pareto front, cheapest first.
    public var paretoFront: [Point] {
        points.filter(\.onParetoFront).sorted { $0.costPerRequest < $1.costPerRequest }
    }
}
