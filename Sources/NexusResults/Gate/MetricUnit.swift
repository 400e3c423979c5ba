import Foundation

/// The unit a contract metric is reported in, read from its dotted name: `*_ms.*` milliseconds,
/// `cost_usd.*` US dollars, `availability` and `*rate` fractions, everything else a count.
public enum MetricUnit: String, Sendable, Hashable {
    case milliseconds
    case dollars
    case fraction
    case count

    /// The unit of the metric named `name` (a dotted contract name such as `latency_ms.p95`).
    public init(metricName name: String) {
        let head = name.split(separator: ".").first.map(String.init) ?? name
        if head.hasSuffix("_ms") || name.hasSuffix("_ms") {
            self = .milliseconds
        } else if head.hasSuffix("_usd") || name.hasSuffix("_usd") {
            self = .dollars
        } else if name == "availability" || name.hasSuffix("rate") {
            self = .fraction
        } else {
            self = .count
        }
    }

    /// `value` (in this unit) formatted for people: `1.234 s`, `99.950 %`, `$0.001234`, `4521`.
    public func format(_ value: Double) -> String {
        guard value.isFinite else { return "undefined" }
        switch self {
        case .milliseconds:
            return abs(value) >= 1000 ? String(format: "%.3f s", value / 1000) : String(format: "%.1f ms", value)
        case .dollars:
            return abs(value) >= 1 ? String(format: "$%.2f", value) : String(format: "$%.6f", value)
        case .fraction:
            return String(format: "%.3f %%", value * 100)
        case .count:
            return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.2f", value)
        }
    }
}
