import Foundation
import NexusScenario
import NexusSim

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
    /// The run rebuilt from its stored scenario and replications: the scenario as simulated (start, warm-up,
    /// drain, budget), every replication's summary and series. `nil` when the run stored no replications or
    /// its scenario no longer loads (``reportNote`` says why); the page then shows the stored series only.
    public var report: RunReport?
    public var reportNote: String?
    /// For a forecast: the month, and what the forecast added to the run (demand pass, affordable volume).
    public var forecast: MonthForecast?
    public var forecastJSON: JSONValue?
    /// The sweep this run is a point of, with every point's run and aggregate metrics.
    public var sweep: StoredSweep?
    public var sweepPoints: [(point: SweepRecord.Point, run: StoredRun?, metrics: [MetricRow], targets: [StoredTarget])] = []

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
        var document = RunDocument(
            run: run,
            metrics: try store.metrics(runID: run.id).filter { $0.replication == nil },
            targets: try store.targets(runID: run.id),
            series: series, seriesRows: rows,
            costByModel: Self.costByModel(summaryJSON: run.summaryJSON))
        try document.rebuild(from: store)
        if let sweep = try store.sweep(containingRun: run.id) {
            document.sweep = sweep
            document.sweepPoints = try sweep.points.map { point in
                (point, try store.run(id: point.runID), try store.metrics(runID: point.runID).filter { $0.replication == nil },
                 try store.targets(runID: point.runID))
            }
        }
        return document
    }

    /// Rebuilds ``report`` (and ``forecast``) from the stored replications and scenario.
    private mutating func rebuild(from store: ResultsStore) throws {
        let replications = try store.replications(runID: run.id)
        guard !replications.isEmpty else {
            reportNote = "This run stored no replication summaries, so the report shows its stored series only (no intervals, no clock times)."
            return
        }
        var scenario: Scenario
        do {
            scenario = try run.scenario()
        } catch {
            reportNote = "The run's scenario no longer loads (\(error)), so the report shows its stored series only."
            return
        }
        var month: (year: Int, month: Int)?
        if let text = run.forecastMonth {
            let parts = text.split(separator: "-").compactMap { Int($0) }
            if parts.count == 2, (1...12).contains(parts[1]) {
                month = (parts[0], parts[1])
                scenario = MonthForecast.scenario(scenario, year: parts[0], month: parts[1])
            }
        }
        let summaries: [RunSummary]
        do {
            summaries = try replications.map { try RunSummary(storedJSON: $0.summaryJSON) }.sorted { $0.replication < $1.replication }
        } catch {
            reportNote = "The run's stored replications do not decode (\(error)), so the report shows its stored series only."
            return
        }
        let report = RunReport(scenario: scenario, seed: run.seed, replications: summaries)
        self.report = report
        if let month {
            forecast = MonthForecast(year: month.year, month: month.month, report: report)
            forecastJSON = try store.forecastJSON(runID: run.id).flatMap(JSONValue.parse)
        }
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
