import Foundation
import NexusSim

extension RunReport {
    /// Rows for the results database: the aggregate of every metric (replication `nil`, with its interval)
    /// and each replication's own value.
    public var metricRows: [MetricRow] {
        var rows: [MetricRow] = []
        for (name, estimate) in estimates where !estimate.mean.isNaN {
            rows.append(MetricRow(name: name, replication: nil, value: estimate.mean,
                                  ciLow: estimate.ci95?.lowerBound, ciHigh: estimate.ci95?.upperBound))
        }
        for (definition, summary) in Self.metricDefinitions.flatMap({ d in replications.map { (d, $0) } }) {
            let v = definition.value(summary)
            if !v.isNaN { rows.append(MetricRow(name: definition.name, replication: summary.replication, value: v)) }
        }
        return rows
    }

    /// Every replication's time series, one row per window and series (NaN windows left out).
    public var seriesRows: [SeriesRow] {
        var rows: [SeriesRow] = []
        for summary in replications {
            let width = Double(summary.series.windowNanos) / 1e9
            for (name, values) in summary.series.named {
                for (i, v) in values.enumerated() where !v.isNaN {
                    rows.append(SeriesRow(replication: summary.replication, windowStartSeconds: Double(i) * width, name: name, value: v))
                }
            }
        }
        return rows
    }
}

extension RunReport {
    /// Every replication's full summary for the `replications` table (see ``RunSummary/storedJSON()``),
    /// serialised on all cores (a month of one-minute series is a few megabytes of JSON per replication).
    public func replicationRows() throws -> [ReplicationRow] {
        let slots = EncodedSlots(count: replications.count)
        DispatchQueue.concurrentPerform(iterations: replications.count) { i in
            slots.store(Result { try replications[i].storedJSON() }, at: i)
        }
        return try zip(replications, slots.values).map { summary, json in
            ReplicationRow(replication: summary.replication, seed: summary.seed, summaryJSON: try json.get())
        }
    }
}

/// Results written by several threads, each index by exactly one.
private final class EncodedSlots: @unchecked Sendable {
    private var slots: [Result<String, any Error>?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ result: Result<String, any Error>, at index: Int) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    var values: [Result<String, any Error>] { slots.map { $0! } }
}
