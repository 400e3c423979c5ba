/// A service-level target as written in a scenario's `targets:` block or a targets file, e.g.
/// `p95_latency < 2s`, `availability >= 99.9%`, `cost_per_request < $0.01`.
///
/// The loader checks the syntax (metric, comparison, value with its unit); which metric the name denotes
/// and whether the unit fits it is decided by the results module, which owns the metric contract.
public struct TargetSpec: Hashable, Sendable {
    /// How the measured value must relate to the threshold.
    public enum Comparison: String, CaseIterable, Hashable, Sendable {
        case lessThan = "<"
        case lessThanOrEqual = "<="
        case greaterThan = ">"
        case greaterThanOrEqual = ">="

        /// Whether `value` satisfies `value <op> threshold`.
        public func holds(_ value: Double, _ threshold: Double) -> Bool {
            switch self {
            case .lessThan: value < threshold
            case .lessThanOrEqual: value <= threshold
            case .greaterThan: value > threshold
            case .greaterThanOrEqual: value >= threshold
            }
        }

        /// Whether smaller values are better (an upper limit).
        public var isUpperLimit: Bool { self == .lessThan || self == .lessThanOrEqual }
    }

    /// The threshold with the unit it was written in.
    public enum Threshold: Hashable, Sendable {
        /// A plain number (`1000`, `4k`), in the metric's own unit.
        case number(Double)
        /// A percentage (`99.9%`), as a fraction (0.999).
        case percent(Double)
        /// A duration (`2s`, `500ms`), in seconds.
        case seconds(Double)
        /// Money (`$0.01`), in US dollars.
        case dollars(Double)
    }

    /// The target exactly as written.
    public var text: String
    /// The metric name as written: a friendly alias (`p95_latency`) or a dotted contract name (`latency_ms.p95`).
    public var metric: String
    public var comparison: Comparison
    public var threshold: Threshold
    /// Where the target was written (its metric name), for error messages.
    public var location: SourceLocation?
    /// Key path for error messages, e.g. `targets[2]`.
    public var keyPath: String

    public init(text: String, metric: String, comparison: Comparison, threshold: Threshold,
                location: SourceLocation?, keyPath: String) {
        self.text = text
        self.metric = metric
        self.comparison = comparison
        self.threshold = threshold
        self.location = location
        self.keyPath = keyPath
    }

    /// A ``ScenarioError`` about this target, located at its metric name.
    public func error(_ message: String, suggestion: String? = nil) -> ScenarioError {
        ScenarioError(location: location, keyPath: keyPath, message: message, suggestion: suggestion)
    }
}
