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
