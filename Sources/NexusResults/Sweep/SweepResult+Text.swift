import Foundation

extension SweepResult {
    /// The table of metrics per point, the points meeting the targets, and the Pareto front.
    public var text: String {
        guard let first = points.first else { return "No points." }
        let names = first.assignment.map(\.name)
        let widths = names.map { name in max(name.count, points.map { p in p.assignment.first { $0.name == name }!.value.count }.max() ?? 0) }
        let metrics: [(String, String)] = [("requests", "requests"), ("availability", "availability"), ("error_rate", "error rate"),
                                           ("latency_ms.p95", "p95"), ("cost_usd.per_request", "cost/request")]
        var header = "  #  "
        for (name, w) in zip(names, widths) { header += name.padding(toLength: w, withPad: " ", startingAt: 0) + "  " }
        for (_, label) in metrics { header += String(repeating: " ", count: max(14 - label.count, 0)) + label }
        header += "  targets  pareto"
        var lines = [header]
        for (index, p) in points.enumerated() {
            var line = String(format: "%3d  ", index)
            for (pair, w) in zip(p.assignment, widths) { line += pair.value.padding(toLength: w, withPad: " ", startingAt: 0) + "  " }
            for (metric, _) in metrics {
                let value = MetricUnit(metricName: metric).format(p.report.estimate(metric)?.mean ?? .nan)
                line += String(repeating: " ", count: max(14 - value.count, 0)) + value
            }
            line += "  " + (p.meetsTargets.map { $0 ? "met    " : "missed " } ?? "–      ") + "  " + (p.onParetoFront ? "*" : "")
            lines.append(line)
        }
        lines.append("")
        let reps = first.report.replications.count
        lines.append("Means over \(reps) replication\(reps == 1 ? "" : "s") per point (same seeds at every point).")
        if first.meetsTargets != nil {
            let meeting = points.indices.filter { points[$0].meetsTargets == true }
            lines.append(meeting.isEmpty ? "No point meets every target."
                : "Points meeting every target: \(meeting.map(String.init).joined(separator: ", ")).")
        }
        let front = points.indices.filter { points[$0].onParetoFront }.sorted { points[$0].costPerRequest < points[$1].costPerRequest }
        lines.append("Pareto front (cost per request vs p95 latency, cheapest first): \(front.map(String.init).joined(separator: ", ")).")
        return lines.joined(separator: "\n")
    }
}
