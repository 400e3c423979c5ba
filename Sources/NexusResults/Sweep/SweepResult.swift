/// The outcome of a sweep: per grid point its report and target verdicts, which points meet every target,
/// and the cost-versus-p95 Pareto front among them.
public struct SweepResult: Sendable {
    public struct Point: Sendable {
        /// The grid's names and this point's values, in grid order.
        public var assignment: [(name: String, value: String)]
        public var report: RunReport
        public var verdicts: [TargetVerdict]
        /// `nil` when the sweep has no targets.
        public var meetsTargets: Bool? { verdicts.isEmpty ? nil : verdicts.allSatisfy(\.passed) }
        /// The targets this point missed, in target order.
        public var missed: [TargetVerdict] { verdicts.filter { !$0.passed } }
        /// Among the points that meet every target, no other is at least as cheap and at least as fast, and
        /// strictly better in one.
        public var onParetoFront = false

        public var costPerRequest: Double { report.estimate(SweepResult.costMetric)?.mean ?? .nan }
        public var p95LatencyMillis: Double { report.estimate(SweepResult.latencyMetric)?.mean ?? .nan }
    }

    /// The two objectives of the Pareto front, both minimised.
    public static let costMetric = "cost_usd.per_request"
    public static let latencyMetric = "latency_ms.p95"

    public var points: [Point]
    /// The targets every point was judged on.
    public var targets: [GateTarget]
    /// Groups of points whose effective scenarios are identical (see ``SweepGrid/identicalPoints(_:)``); the
    /// sweep reports them as a warning.
    public var identicalPoints: [[Int]] = []

    /// Judges each point on `targets` and marks the Pareto front of (cost per request, p95 latency) means among
    /// the points that meet every target (every point when there are no targets): a point that misses a target
    /// is not worth taking however cheap it is (failed requests cost nothing). Points where either objective is
    /// undefined are never on the front.
    public init(points: [(assignment: [(name: String, value: String)], report: RunReport)], targets: [GateTarget]) {
        var built = points.map { p in
            Point(assignment: p.assignment, report: p.report,
                  verdicts: GateReport(report: p.report, targets: targets, targetsSource: "").verdicts)
        }
        let candidates = built.indices.filter { i in
            built[i].meetsTargets != false && built[i].costPerRequest.isFinite && built[i].p95LatencyMillis.isFinite
        }
        for i in candidates {
            let (c, l) = (built[i].costPerRequest, built[i].p95LatencyMillis)
            built[i].onParetoFront = !candidates.contains { j in
                let (cj, lj) = (built[j].costPerRequest, built[j].p95LatencyMillis)
                return j != i && cj <= c && lj <= l && (cj < c || lj < l)
            }
        }
        self.points = built
        self.targets = targets
    }

    /// The points on the Pareto front, cheapest first.
    public var paretoFront: [Point] {
        paretoIndices.map { points[$0] }
    }

    /// The indices of the points on the Pareto front, cheapest first.
    public var paretoIndices: [Int] {
        points.indices.filter { points[$0].onParetoFront }.sorted {
            (points[$0].costPerRequest, $0) < (points[$1].costPerRequest, $1)
        }
    }

    /// The grid's axes with their values in the order the points first use them.
    public var grid: [(name: String, values: [String])] {
        guard let first = points.first else { return [] }
        return first.assignment.indices.map { a in
            var values: [String] = []
            for p in points where !values.contains(p.assignment[a].value) { values.append(p.assignment[a].value) }
            return (first.assignment[a].name, values)
        }
    }
}
