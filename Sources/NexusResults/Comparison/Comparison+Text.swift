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
        let listed = shown.filter(Self.isListed)
        let width = max(listed.map(\.metric.count).max() ?? 0, 30) + 2
        for section in Self.sections {
            let sectionRows = listed.filter { $0.section == section }
            guard !sectionRows.isEmpty else { continue }
            lines.append("")
            lines.append("  " + Self.title(section).padding(toLength: width, withPad: " ", startingAt: 0) + pad("A", 16) + pad("B", 16)
                + pad("B − A", 16) + "   95 % interval of B − A")
            for row in sectionRows {
                let u = row.unit
                let ci = row.difference.ci95.map { "[\(signed(u, $0.lowerBound)), \(signed(u, $0.upperBound))]" } ?? "–"
                let change = row.relativeChange.map { " (" + signedPercent($0) + ")" } ?? ""
                lines.append((row.isSignificant ? "* " : "  ") + row.metric.padding(toLength: width, withPad: " ", startingAt: 0)
                    + pad(u.format(row.a.mean), 16) + pad(u.format(row.b.mean), 16) + pad(signed(u, row.difference.mean), 16)
                    + "   " + ci + change)
            }
        }
        if listed.count < shown.count {
            lines.append("")
            lines.append("Per tier, class and model the table lists requests, availability, p95, TTFT p95 and cost; "
                + "compare --json has all \(shown.count) metrics.")
        }
        let significant = listed.filter(\.isSignificant)
        let headline = significant.filter { $0.section == "overall" || $0.section == "cost" }.map(\.metric)
        lines.append("")
        if significant.isEmpty {
            lines.append("No significant differences.")
        } else {
            lines.append("\(significant.count) of \(listed.count) rows differ significantly (*)"
                + (headline.isEmpty ? "." : "; of the headline metrics: \(headline.joined(separator: ", "))."))
        }
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

    /// The keys a group's rows show in the text (the JSON has every one).
    static let listedGroupKeys: Set<String> = ["requests", "availability", "latency_ms.p95", "ttft_ms.p95", "cost_usd.per_request",
                                               "attempts", "successes", "failure_count", "cost_usd", "p95_latency_ms"]

    /// Whether a row is in the text: everything but the less-read keys of per-tier, per-class and per-model groups.
    static func isListed(_ row: Row) -> Bool {
        guard ["by_tier", "by_class", "by_model"].contains(row.section), !row.metric.hasPrefix("cost_usd.by_tier.") else { return true }
        return listedGroupKeys.contains { row.metric.hasSuffix("." + $0) }
    }

    private func signedPercent(_ x: Double) -> String {
        guard x.isFinite else { return "undefined" }
        if abs(x) < 0.0005 { return "0 %" }
        return (x < 0 ? "−" : "+") + String(format: "%.1f %%", abs(x) * 100)
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
