import Foundation

/// Everything stored about one run, read back for the HTML report and the CSV export.
public struct RunDocument: Sendable {
    public var run: StoredRun
    /// Aggregate metric rows (replication `nil`), in contract order.
    public var metrics: [MetricRow]
    public var targets: [StoredTarget]
    /// Series by name; each value is the per-window mean over the replications that have that window.
    public var series: [String: [(windowStartSeconds: Double, value: Double)]]
    /// Every stored series point, for the CSV export.
    public var seriesRows: [SeriesRow]
    /// Per model cost in US dollars (mean per replication), from the stored summary.
    public var costByModel: [(model: String, dollars: Double)]

    /// Reads run `id` (or, when `nil`, the latest finished run); `nil` when there is no such run.
    public static func load(from store: ResultsStore, run id: Int64?) throws -> RunDocument? {
        guard let run = try id.map({ try store.run(id: $0) }) ?? store.latestRun() else { return nil }
        let rows = try store.allSeries(runID: run.id)
        var grouped: [String: [Double: (sum: Double, n: Int)]] = [:]
        for row in rows {
            let cell = grouped[row.name, default: [:]][row.windowStartSeconds] ?? (0, 0)
            grouped[row.name, default: [:]][row.windowStartSeconds] = (cell.sum + row.value, cell.n + 1)
        }
        let series = grouped.mapValues { windows in
            windows.keys.sorted().map { (windowStartSeconds: $0, value: windows[$0]!.sum / Double(windows[$0]!.n)) }
        }
        return RunDocument(
            run: run,
            metrics: try store.metrics(runID: run.id).filter { $0.replication == nil },
            targets: try store.targets(runID: run.id),
            series: series, seriesRows: rows,
            costByModel: Self.costByModel(summaryJSON: run.summaryJSON))
    }

    private static func costByModel(summaryJSON: String?) -> [(model: String, dollars: Double)] {
        guard let text = summaryJSON,
              let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
              let models = object["by_model"] as? [[String: Any]] else { return [] }
        return models.compactMap { m in
            guard let name = m["model"] as? String, let cost = (m["cost_usd"] as? NSNumber)?.doubleValue else { return nil }
            // `model` is already qualified (provider/model).
            return (name, cost)
        }
    }

    /// The series' names in the CSV's column order: the simulator's own order first, then any others.
    var seriesNames: [String] {
        let known = ["arrivals", "succeeded", "failed", "rejected", "p95_latency_ms", "mean_latency_ms", "availability",
                     "queue_depth", "max_queue_depth", "in_flight", "instances", "spend_usd"]
        let present = Set(seriesRows.map(\.name))
        return known.filter(present.contains) + present.subtracting(known).sorted()
    }
}
