extension GateReport {
    /// A Markdown summary for a CI job summary (e.g. appended to `$GITHUB_STEP_SUMMARY`): a heading with
    /// the verdict, how targets were judged, and one table row per target.
    public var markdown: String {
        var lines: [String] = []
        lines.append("### \(passed ? "✅" : "❌") nexus-sim gate: \(scenarioName) — "
            + (passed ? "all \(verdicts.count) targets met" : "\(missedCount) of \(verdicts.count) targets missed"))
        lines.append("")
        lines.append("Seed \(seed). \(basisDescription). Targets from `\(targetsSource)`.")
        lines.append("")
        lines.append("| | target | metric | value | 95 % interval | judged on | judged value |")
        lines.append("|---|---|---|---:|---|---|---:|")
        for v in verdicts {
            let u = v.target.unit
            let ci = v.ci95.map { "[\(u.format($0.lowerBound)), \(u.format($0.upperBound))]" } ?? "–"
            lines.append("| \(v.passed ? "✅" : "❌") | `\(escape(v.target.spec.text))` | `\(v.target.metric)` | \(escape(u.format(v.mean))) "
                + "| \(escape(ci)) | \(v.basis.rawValue) | \(escape(u.format(v.judgedValue))) |")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|")
    }
}
