import Foundation

/// The unit a metric is reported in, read from its key: a `*_ms` key milliseconds, a `cost_usd` group or a
/// `*_usd` key US dollars, a `*_s` key seconds, `availability`, `*rate` and `*_share` fractions, everything
/// else a count.
public enum MetricUnit: String, Sendable, Hashable, Codable {
    case milliseconds
    case seconds
    case dollars
    case fraction
    case count

    /// The unit of the metric named `name`, a dotted key path of the JSON output such as `latency_ms.p95`,
    /// `cost_usd.per_request` or `budget.exhausted_at_s`. Read from the path's own keys, so it holds for the
    /// keys of a group too (`by_tier.X.latency_ms.p95` is in milliseconds) when the group's name (a tier or
    /// class named by the scenario) is left out, as ``RunReport/metricDefinitions(for:)`` does.
    public init(metricName name: String) {
        let segments = name.split(separator: ".").map(String.init)
        let last = segments.last ?? name
        if segments.contains(where: { $0.hasSuffix("_ms") }) {
            self = .milliseconds
        } else if segments.contains(where: { $0 == "cost_usd" || $0.hasSuffix("_usd") }) {
            self = .dollars
        } else if last.hasSuffix("_s") {
            self = .seconds
        } else if last == "availability" || last.hasSuffix("rate") || last.hasSuffix("_share") {
            self = .fraction
        } else {
            self = .count
        }
    }

    /// The unit's symbol in documents and JSON: `ms`, `s`, `USD`, `fraction`, `count`.
    public var symbol: String {
        switch self {
        case .milliseconds: "ms"
        case .seconds: "s"
        case .dollars: "USD"
        case .fraction: "fraction"
        case .count: "count"
        }
    }

    /// `value` (in this unit) formatted for people: `1.234 s`, `99.950 %`, `$0.001234`, `4521`.
    public func format(_ value: Double) -> String {
        guard value.isFinite else { return "undefined" }
        switch self {
        case .milliseconds:
            return abs(value) >= 1000 ? String(format: "%.3f s", value / 1000) : String(format: "%.1f ms", value)
        case .seconds:
            return abs(value) >= 3600 ? String(format: "%.0f s (%.2f h)", value, value / 3600) : String(format: "%.1f s", value)
        case .dollars:
            if value == 0 { return "$0" }
            return abs(value) >= 1 ? String(format: "$%.2f", value) : String(format: "$%.6f", value)
        case .fraction:
            return String(format: "%.3f %%", value * 100)
        case .count:
            return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.2f", value)
        }
    }
}
