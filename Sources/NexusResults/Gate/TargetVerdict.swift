import NexusScenario

/// How one target fared against a run.
public struct TargetVerdict: Sendable, Hashable {
    /// What the target was judged on.
    public enum Basis: String, Sendable, Hashable {
        /// One replication: the measured value itself.
        case pointEstimate = "point estimate"
        /// Two or more replications and an upper limit (`<`, `<=`): the interval's upper bound.
        case upperBound = "upper bound of the 95 % interval"
        /// Two or more replications and a lower limit (`>`, `>=`): the interval's lower bound.
        case lowerBound = "lower bound of the 95 % interval"

        /// The JSON and database spelling: `point_estimate`, `upper_bound`, `lower_bound`.
        public var key: String {
            switch self {
            case .pointEstimate: "point_estimate"
            case .upperBound: "upper_bound"
            case .lowerBound: "lower_bound"
            }
        }
    }

    public var target: GateTarget
    /// The metric's mean over replications, in the metric's unit.
    public var mean: Double
    /// Its 95 % Student-t interval; `nil` with one replication.
    public var ci95: ClosedRange<Double>?
    public var basis: Basis
    /// The value the target was judged on (the mean, or the conservative end of the interval).
    public var judgedValue: Double
    /// Whether the target was met. An undefined metric (NaN, e.g. a latency when nothing succeeded) never is.
    public var passed: Bool

    /// Judges `target` on `estimate`: with an interval, on its conservative end (the upper bound for `<`/`<=`,
    /// the lower bound for `>`/`>=`), so that a pass is not luck; otherwise on the point estimate.
    public init(target: GateTarget, estimate: Estimate) {
        self.target = target
        mean = estimate.mean
        ci95 = estimate.ci95
        if let ci = estimate.ci95 {
            basis = target.comparison.isUpperLimit ? .upperBound : .lowerBound
            judgedValue = target.comparison.isUpperLimit ? ci.upperBound : ci.lowerBound
        } else {
            basis = .pointEstimate
            judgedValue = estimate.mean
        }
        passed = judgedValue.isFinite && target.comparison.holds(judgedValue, target.threshold)
    }

    /// One line for people: `p95_latency < 2s  ✔ met  (value 1.530 s, 95 % CI [1.500 s, 1.560 s]; judged on the upper bound …)`.
    public var explanation: String {
        let unit = target.unit
        var s = "value \(unit.format(mean))"
        if let ci = ci95 { s += ", 95 % CI [\(unit.format(ci.lowerBound)), \(unit.format(ci.upperBound))]" }
        s += "; judged on the \(basis.rawValue) \(unit.format(judgedValue))"
        s += "; target \(target.metric) \(target.comparison.rawValue) \(unit.format(target.threshold))"
        return s
    }

    /// The verdict as in `run --json`'s `targets` array: `{target, metric, op, bound, unit, value, ci95, judged,
    /// judged_on, met}`, every number in the metric's unit (`ci95` only with an interval).
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("target", .string(target.spec.text)),
            ("metric", .string(target.metric)),
            ("op", .string(target.comparison.rawValue)),
            // `99.9%` parses to 0.9990000000000001; the bound is printed as written.
            ("bound", .num(Double(String(format: "%.12g", target.threshold)) ?? target.threshold)),
            ("unit", .string(target.unit.rawValue)),
            ("value", .num(mean)),
        ]
        if let ci = ci95 { members.append(("ci95", .array([.num(ci.lowerBound), .num(ci.upperBound)]))) }
        members += [("judged", .num(judgedValue)), ("judged_on", .string(basis.key)), ("met", .bool(passed))]
        return .object(members)
    }

    /// The verdict in a few words: `met: judged 1.530 s (upper bound of the 95 % interval) < 2.000 s`.
    public var summary: String {
        let unit = target.unit
        guard judgedValue.isFinite else {
            return "missed: \(target.metric) is undefined in this run (nothing to measure it on)"
        }
        let op = passed ? target.comparison.rawValue : Self.negation(target.comparison)
        return (passed ? "met: " : "missed: ") + "judged \(unit.format(judgedValue)) (\(basis.rawValue)) \(op) \(unit.format(target.threshold))"
    }

    private static func negation(_ c: TargetSpec.Comparison) -> String {
        switch c {
        case .lessThan: ">="
        case .lessThanOrEqual: ">"
        case .greaterThan: "<="
        case .greaterThanOrEqual: "<"
        }
    }
}
