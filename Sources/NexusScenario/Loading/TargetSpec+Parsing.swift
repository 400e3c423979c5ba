import Foundation

extension TargetSpec {
    /// Parses `METRIC OP VALUE`, e.g. `p95_latency < 2s`.
    ///
    /// `OP` is `<`, `<=`, `>`, `>=` (or `≤`, `≥`). `VALUE` is a number (`1000`, `4k`), a percentage (`99.9%`),
    /// a duration (`2s`, `500ms`) or money (`$0.01`).
    /// - Parameters:
    ///   - location: where `text` starts; the error's column is moved to the offending part when it is a file.
    ///   - keyPath: key path for errors, e.g. `targets[0]`.
    public static func parse(_ text: String, location: SourceLocation?, keyPath: String) throws -> TargetSpec {
        let chars = Array(text)
        func located(_ offset: Int) -> SourceLocation? {
            guard case let .file(file, line, column) = location else { return location }
            return .file(file, line: line, column: column + offset)
        }
        func fail(_ message: String, at offset: Int, suggestion: String? = nil) -> ScenarioError {
            ScenarioError(location: located(offset), keyPath: keyPath, message: message, suggestion: suggestion)
        }
        let usage = "write a target as METRIC OP VALUE, e.g. 'p95_latency < 2s', 'availability >= 99.9%' or 'cost_per_request < $0.01'"
        var i = 0
        while i < chars.count, chars[i] == " " { i += 1 }
        let metricStart = i
        // Key paths name tiers, classes and models too (`by_model.openrouter/mistral-7b-instruct:free.cost_usd`).
        while i < chars.count, chars[i].isLetter || chars[i].isNumber || "_.-/:".contains(chars[i]) { i += 1 }
        let metric = String(chars[metricStart..<i])
        guard !metric.isEmpty else {
            throw fail("expected a metric name, found '\(text)'; \(usage)", at: metricStart)
        }
        while i < chars.count, chars[i] == " " { i += 1 }
        let operatorStart = i
        var op = ""
        while i < chars.count, "<>=≤≥!".contains(chars[i]) { op.append(chars[i]); i += 1 }
        let comparison: Comparison
        switch op {
        case "<": comparison = .lessThan
        case "<=", "≤": comparison = .lessThanOrEqual
        case ">": comparison = .greaterThan
        case ">=", "≥": comparison = .greaterThanOrEqual
        default:
            let found = op.isEmpty ? (i < chars.count ? "'\(chars[i])'" : "the end of the target") : "'\(op)'"
            throw fail("expected a comparison <, <=, > or >= after '\(metric)', found \(found); \(usage)", at: operatorStart)
        }
        while i < chars.count, chars[i] == " " { i += 1 }
        let valueStart = i
        let valueText = String(chars[valueStart...]).trimmingCharacters(in: .whitespaces)
        guard !valueText.isEmpty else {
            throw fail("expected a value after '\(metric) \(op)'; \(usage)", at: valueStart)
        }
        guard let threshold = Threshold(parsing: valueText) else {
            throw fail("expected a number (1000, 4k), a percentage (99.9%), a duration (2s, 500ms) or money ($0.01), found '\(valueText)'",
                        at: valueStart)
        }
        return TargetSpec(text: text.trimmingCharacters(in: .whitespaces), metric: metric, comparison: comparison,
                          threshold: threshold, location: located(metricStart), keyPath: keyPath)
    }
}

extension TargetSpec.Threshold {
    /// Reads `4k`, `99.9%`, `2s`, `500ms` or `$0.01`; `nil` for anything else (or a value that is not finite).
    init?(parsing text: String) {
        if text.hasPrefix("$") {
            guard let v = Units.dollars(text) else { return nil }
            self = .dollars(v)
        } else if text.hasSuffix("%") {
            guard let v = Units.fraction(text) else { return nil }
            self = .percent(v)
        } else if let v = Units.count(text) {
            self = .number(v)
        } else if let v = Units.durationSeconds(text) {
            self = .seconds(v)
        } else {
            return nil
        }
    }
}
