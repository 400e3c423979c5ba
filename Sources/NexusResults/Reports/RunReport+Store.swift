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
        for (definition, summary) in definitions.flatMap({ d in replications.map { (d, $0) } }) {
            let v = definition.value(summary)
            if !v.isNaN { rows.append(MetricRow(name: definition.name, replication: summary.replication, value: v)) }
        }
        return rows
    }

    /// Every replication's time series, one row per window and series (NaN windows left out), produced
    /// lazily one series at a time: a month of one-minute windows is over a million rows, which as an
    /// array took more memory than the simulation itself.
    public var seriesRows: SeriesRows { SeriesRows(replications: replications) }

    /// Every replication's time series as the store keeps them: one column per replication and series, each
    /// holding every window (NaN where a window has no value), windows starting at `i × series_window`.
    public var seriesColumns: [SeriesColumn] {
        replications.flatMap { summary in
            let series = summary.series
            let width = Double(series.windowNanos) / 1e9
            return series.names.map { name in
                SeriesColumn(replication: summary.replication, name: name, windowSeconds: width,
                             values: series.values(named: name) ?? [])
            }
        }
    }
}

/// The rows of ``RunReport/seriesRows``: replication by replication, series by series, window by window.
public struct SeriesRows: Sequence, Sendable {
    let replications: [RunSummary]

    public struct Iterator: IteratorProtocol {
        let replications: [RunSummary]
        var replication = 0
        var names: [String] = []
        var name = -1
        var values: [Double] = []
        var window = 0

        public mutating func next() -> SeriesRow? {
            while replication < replications.count {
                let series = replications[replication].series
                if name < 0 { names = series.names }
                while window < values.count {
                    let i = window
                    window += 1
                    if values[i].isNaN { continue }
                    let width = Double(series.windowNanos) / 1e9
                    return SeriesRow(replication: replications[replication].replication, windowStartSeconds: Double(i) * width,
                                     name: names[name], value: values[i])
                }
                name += 1
                window = 0
                if name < names.count {
                    values = series.values(named: names[name]) ?? []
                } else {
                    replication += 1
                    name = -1
                    values = []
                }
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator { Iterator(replications: replications) }
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
