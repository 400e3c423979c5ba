import Foundation
import NexusScenario

extension ResultsStore {
    /// Begins a run of `scenario` (status `running`) and returns its id: the scenario's text, resolved
    /// parameters and overrides, so the run can be reproduced, re-reported and merged.
    /// - Parameters:
    ///   - replications: the run's replication count (the whole run's, for a shard).
    ///   - forecastMonth: `YYYY-MM` for a forecast (its scenario is the month's adaptation of `scenario`).
    @discardableResult
    public func beginRun(
        command: String, scenario: Scenario, scenarioPath: String?, seed: UInt64, replications: Int,
        shard: Shard = .whole, forecastMonth: String? = nil, toolVersion: String, at date: Date = Date()
    ) throws -> Int64 {
        try beginRun(RunRecord(
            command: command, scenarioName: scenario.name, scenarioPath: scenarioPath, scenarioText: scenario.sourceText,
            parameters: scenario.parameters.map { ($0.name, $0.value) },
            overrides: scenario.overrides.map { ($0.path, $0.value) },
            seed: seed, replications: replications, toolVersion: toolVersion, shard: shard, forecastMonth: forecastMonth),
            at: date)
    }

    /// Stores `report` as the results of run `id` and marks it finished: metrics, series, every replication's
    /// full summary, the warm-up used and the `--json` object in one transaction, then the target verdicts.
    public func finishRun(id: Int64, report: RunReport, verdicts: [TargetVerdict], at date: Date = Date()) throws {
        try finishRun(id: id, metrics: report.metricRows, encodedSeries: Self.encodedSeries(of: report),
                      replications: try report.replicationRows(), warmupNanos: report.scenario.simulation.warmupNanos,
                      summaryJSON: report.json.rendered(), at: date)
        if !verdicts.isEmpty { try saveTargets(verdicts, runID: id) }
    }

    /// The report's series columns compressed on all cores, one replication at a time per core, so that only
    /// a replication's uncompressed columns exist at once per core (a month of one-minute windows is ~10 MB).
    static func encodedSeries(of report: RunReport) -> [EncodedSeriesColumn] {
        let parts = EncodedParts(count: report.replications.count)
        DispatchQueue.concurrentPerform(iterations: report.replications.count) { i in
            let summary = report.replications[i]
            let width = Double(summary.series.windowNanos) / 1e9
            parts.store(summary.series.names.map { name in
                EncodedSeriesColumn(SeriesColumn(replication: summary.replication, name: name, windowSeconds: width,
                                                 values: summary.series.values(named: name) ?? []))
            }, at: i)
        }
        return parts.values.flatMap { $0 }
    }
}

/// Encoded columns written by several threads, each index by exactly one.
private final class EncodedParts: @unchecked Sendable {
    private var slots: [[ResultsStore.EncodedSeriesColumn]]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: [], count: count) }

    func store(_ columns: [ResultsStore.EncodedSeriesColumn], at index: Int) {
        lock.lock()
        slots[index] = columns
        lock.unlock()
    }

    var values: [[ResultsStore.EncodedSeriesColumn]] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}
