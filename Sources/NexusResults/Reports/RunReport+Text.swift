import Foundation
import NexusSim

extension RunReport {
    /// A readable summary for a terminal.
    public var text: String {
        var lines: [String] = []
        let reps = replications.count
        lines.append("Scenario \(scenario.name) — seed \(seed), \(reps) replication\(reps == 1 ? "" : "s")"
            + (reps >= 2 ? " (mean and 95 % confidence interval)" : ""))
        if !scenario.description.isEmpty { lines.append(scenario.description.trimmingCharacters(in: .whitespacesAndNewlines)) }
        lines.append("")
        func row(_ label: String, _ name: String, _ format: (Double) -> String) {
            guard let e = estimate(name) else { return }
            var s = label.padding(toLength: 26, withPad: " ", startingAt: 0) + (e.mean.isNaN ? "–" : format(e.mean))
            if let ci = e.ci95 { s += "   [\(format(ci.lowerBound)), \(format(ci.upperBound))]" }
            lines.append("  " + s)
        }
        let count = { (x: Double) in x == x.rounded() ? String(Int64(x)) : String(format: "%.1f", x) }
        let pct = { (x: Double) in String(format: "%.3f %%", x * 100) }
        let ms = { (x: Double) in String(format: "%.1f ms", x) }
        let usd = { (x: Double) in x >= 1 ? String(format: "$%.2f", x) : String(format: "$%.6f", x) }
        row("requests", "requests", count)
        row("succeeded", "succeeded", count)
        row("failed", "failed", count)
        row("rejected", "rejected", count)
        row("availability", "availability", pct)
        row("error rate", "error_rate", pct)
        row("latency p50", "latency_ms.p50", ms)
        row("latency p95", "latency_ms.p95", ms)
        row("latency p99", "latency_ms.p99", ms)
        row("latency mean", "latency_ms.mean", ms)
        row("time to first token p95", "ttft_ms.p95", ms)
        row("cost total", "cost_usd.total", usd)
        row("cost per request", "cost_usd.per_request", usd)
        row("compliance violations", "compliance_violations", count)
        lines.append("")
        lines.append("  by model                                   attempts   successes   failures        cost   p95 ms")
        for i in replications[0].byModel.indices {
            let stats = replications.map { $0.byModel[i] }
            guard stats.contains(where: { $0.attempts > 0 }) else { continue }
            let n = Double(stats.count)
            var latency = LatencyHistogram()
            for s in stats { latency.merge(s.latency) }
            let attempts = Double(stats.map(\.attempts).reduce(0, +)) / n
            let successes = Double(stats.map(\.successes).reduce(0, +)) / n
            let cost = stats.map(\.cost.dollars).reduce(0, +) / n
            lines.append("  " + stats[0].name.padding(toLength: 40, withPad: " ", startingAt: 0)
                + String(format: "%11.0f %11.0f %10.0f %11@ %8.1f", attempts, successes, attempts - successes,
                         usd(cost), latency.percentileMillis(95) ?? .nan))
        }
        lines.append("")
        lines.append("  Percentiles from HdrHistogram (3 significant digits).")
        return lines.joined(separator: "\n")
    }
}
