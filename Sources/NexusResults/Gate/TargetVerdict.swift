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
}
