import Foundation

extension Comparison {
    /// A table for a terminal: A, B, the paired difference with its interval, and significance.
    public var text: String {
        var lines = [
            "Comparison  A = \(labelA)",
            "            B = \(labelB)",
            "Seed \(a.seed), \(a.replications.count) replications each, common random numbers; differences are B − A "
                + "with paired 95 % Student-t intervals; * = significant (interval excludes 0).",
            "",
            "  " + "metric".padding(toLength: 30, withPad: " ", startingAt: 0) + pad("A", 16) + pad("B", 16)
                + pad("B − A", 16) + "   95 % interval of B − A",
        ]
        for row in rows where row.a.mean.isFinite || row.b.mean.isFinite {
            let u = row.unit
            let ci = row.difference.ci95.map { "[\(signed(u, $0.lowerBound)), \(signed(u, $0.upperBound))]" } ?? "–"
            let change = row.relativeChange.map { String(format: " (%+.1f %%)", $0 * 100) } ?? ""
            lines.append((row.isSignificant ? "* " : "  ") + row.metric.padding(toLength: 30, withPad: " ", startingAt: 0)
                + pad(u.format(row.a.mean), 16) + pad(u.format(row.b.mean), 16) + pad(signed(u, row.difference.mean), 16)
                + "   " + ci + change)
        }
        let significant = rows.filter(\.isSignificant).map(\.metric)
        lines.append("")
        lines.append(significant.isEmpty ? "No significant differences."
            : "Significant differences: \(significant.joined(separator: ", ")).")
        return lines.joined(separator: "\n")
    }

    private func pad(_ s: String, _ width: Int) -> String {
        String(repeating: " ", count: max(width - s.count, 0)) + s
    }

    private func signed(_ unit: MetricUnit, _ x: Double) -> String {
        guard x.isFinite else { return "undefined" }
        let s = unit.format(abs(x))
        return (x < 0 ? "−" : "+") + s
    }
}
