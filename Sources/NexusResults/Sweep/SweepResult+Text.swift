import Foundation

extension SweepResult {
    /// The table of metrics per point with each target's judged value (✓ met, ✗ missed), then which targets
    /// each point missed, the points meeting every target, and the Pareto front among them.
    public var text: String {
        guard let first = points.first else { return "No points." }
        let names = first.assignment.map(\.name)
        let widths = names.map { name in max(name.count, points.map { p in p.assignment.first { $0.name == name }!.value.count }.max() ?? 0) }
        let metrics: [(String, String)] = [("requests", "requests"), ("availability", "availability"), ("error_rate", "error rate"),
                                           ("latency_ms.p95", "p95"), ("cost_usd.per_request", "cost/request")]
        let targetCells = points.map { p in
            p.verdicts.map { v in v.target.unit.format(v.judgedValue) + (v.passed ? " ✓" : " ✗") }
        }
        let targetWidths = targets.indices.map { t in max(targetCells.map { $0[t].count }.max() ?? 0, "T\(t + 1)".count) + 2 }
        func right(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(w - s.count, 0)) + s }
        var header = "  #  "
        for (name, w) in zip(names, widths) { header += name.padding(toLength: w, withPad: " ", startingAt: 0) + "  " }
        for (_, label) in metrics { header += right(label, 14) }
        for (t, w) in targetWidths.enumerated() { header += right("T\(t + 1)", w) }
        header += "  pareto"
        var lines = [header]
        for (index, p) in points.enumerated() {
            var line = String(format: "%3d  ", index)
            for (pair, w) in zip(p.assignment, widths) { line += pair.value.padding(toLength: w, withPad: " ", startingAt: 0) + "  " }
            for (metric, _) in metrics {
                line += right(MetricUnit(metricName: metric).format(p.report.estimate(metric)?.mean ?? .nan), 14)
            }
            for (cell, w) in zip(targetCells[index], targetWidths) { line += right(cell, w) }
            line += "  " + (p.onParetoFront ? "*" : "")
            lines.append(line)
        }
        lines.append("")
        let reps = first.report.replications.count
        lines.append("Means over \(reps) replication\(reps == 1 ? "" : "s") per point (same seeds at every point).")
        if !targets.isEmpty {
            let basis = first.verdicts.first?.basis.rawValue ?? TargetVerdict.Basis.pointEstimate.rawValue
            lines.append("Targets (T columns: the judged value, on the \(reps >= 2 ? "conservative end of the 95 % interval" : basis); ✓ met, ✗ missed):")
            for (t, target) in targets.enumerated() { lines.append("  T\(t + 1)  \(target.spec.text)") }
            for (index, p) in points.enumerated() where p.meetsTargets == false {
                lines.append("  point \(index) missed " + p.missed.map { "\($0.target.spec.text) (judged \($0.target.unit.format($0.judgedValue)))" }
                    .joined(separator: ", "))
            }
            let meeting = points.indices.filter { points[$0].meetsTargets == true }
            lines.append(meeting.isEmpty ? "No point meets every target."
                : "Points meeting every target: \(meeting.map(String.init).joined(separator: ", ")).")
        }
        let front = paretoIndices
        let among = targets.isEmpty ? "" : " among the points meeting every target"
        if front.isEmpty {
            lines.append(targets.isEmpty ? "No point has both a cost per request and a p95 latency: no Pareto front."
                : "No Pareto front: no point meets every target.")
        } else {
            lines.append("Pareto front (cost per request vs p95 latency\(among), cheapest first): \(front.map(String.init).joined(separator: ", ")).")
        }
        for group in identicalPoints {
            lines.append("warning: points \(group.map(String.init).joined(separator: ", ")) simulate identical scenarios "
                + "(the grid values that tell them apart change nothing); their results are the same run repeated.")
        }
        return lines.joined(separator: "\n")
    }
}
