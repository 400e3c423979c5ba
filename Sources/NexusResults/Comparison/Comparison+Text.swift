import Foundation

extension Comparison {
    /// A table for a terminal, section by section (headline metrics, cost, failure reasons, per tier, per
    /// class, per model, cache, budget, ...): A, B, the paired difference `B − A` with its interval, the
    /// relative change, and significance. Rows that are 0 or undefined on both sides are left out.
    public var text: String {
        var lines = [
            "Comparison  A = \(labelA)",
            "            B = \(labelB)",
            "Seed \(a.seed), \(a.replications.count) replications each, common random numbers; every difference is B − A "
                + "(positive: B is higher) with its paired 95 % Student-t interval; * = significant (interval excludes 0).",
        ]
        let shown = rows.filter(\.isInformative)
        for section in Self.sections {
            let sectionRows = shown.filter { $0.section == section }
            guard !sectionRows.isEmpty else { continue }
            lines.append("")
            lines.append("  " + Self.title(section).padding(toLength: 44, withPad: " ", startingAt: 0) + pad("A", 16) + pad("B", 16)
                + pad("B − A", 16) + "   95 % interval of B − A")
            for row in sectionRows {
                let u = row.unit
                let ci = row.difference.ci95.map { "[\(signed(u, $0.lowerBound)), \(signed(u, $0.upperBound))]" } ?? "–"
                let change = row.relativeChange.map { String(format: " (%+.1f %%)", $0 * 100) } ?? ""
                lines.append((row.isSignificant ? "* " : "  ") + row.metric.padding(toLength: 44, withPad: " ", startingAt: 0)
                    + pad(u.format(row.a.mean), 16) + pad(u.format(row.b.mean), 16) + pad(signed(u, row.difference.mean), 16)
                    + "   " + ci + change)
            }
        }
        let significant = shown.filter(\.isSignificant).map(\.metric)
        lines.append("")
        lines.append(significant.isEmpty ? "No significant differences."
            : "Significant differences (B − A): \(significant.joined(separator: ", ")).")
        return lines.joined(separator: "\n")
    }

    static func title(_ section: String) -> String {
        switch section {
        case "overall": "metric"
        case "cost": "cost"
        case "failure_reasons": "not answered, by reason"
        case "by_tier": "per tier"
        case "by_class": "per class"
        case "by_model": "per model"
        default: section
        }
    }

    private func pad(_ s: String, _ width: Int) -> String {
        String(repeating: " ", count: max(width - s.count, 0)) + s
    }

    private func signed(_ unit: MetricUnit, _ x: Double) -> String {
        guard x.isFinite else { return "undefined" }
        if x == 0 { return "0" }
        return (x < 0 ? "−" : "+") + unit.format(abs(x))
    }
}
