import Foundation
import NexusGateway
import NexusSim

extension RunDocument {
    /// The simulated period's geometry, from the rebuilt report: where the counted window starts and ends,
    /// the series window, and the wall-clock axis.
    struct Timeline {
        var windowSeconds: Double
        var warmupSeconds: Double
        var durationSeconds: Double
        var axis: TimeAxis

        /// The warm-up as a shaded band, when there is one.
        var warmupBand: [SVGChart.Band] {
            warmupSeconds > 0 ? [.init(label: "warm-up (not counted)", x: 0...warmupSeconds, color: "#d5d8dc")] : []
        }
    }

    var timeline: Timeline? {
        guard let report else { return nil }
        let sim = report.scenario.simulation
        return Timeline(windowSeconds: Double(sim.seriesWindowNanos) / 1e9, warmupSeconds: Double(sim.warmupNanos) / 1e9,
                        durationSeconds: Double(sim.durationNanos) / 1e9,
                        axis: TimeAxis(startEpochSeconds: Double(sim.startEpochNanos) / 1e9))
    }

    /// Per window up to the end of the run's duration (the drain tail, where only late requests finish, left
    /// out): the mean over replications and, with two or more, its 95 % Student-t interval.
    /// Each point is drawn at its window's middle; the interval is clipped to `range` (a latency is not negative).
    func windowed(_ name: String, color: String, label: String, range: ClosedRange<Double> = 0...Double.infinity,
                  transform: (Double) -> Double = { $0 }) -> SVGChart.Line? {
        guard let report, let timeline else { return nil }
        let perReplication = report.replications.map { ($0.series.values(named: name) ?? []).map(transform) }
        let windows = min(perReplication.map(\.count).max() ?? 0, Int((timeline.durationSeconds / timeline.windowSeconds).rounded(.up)))
        guard windows > 0 else { return nil }
        var points: [(x: Double, y: Double)] = []
        var band: [(x: Double, low: Double, high: Double)] = []
        let n = perReplication.count
        let t = n >= 2 ? Estimate.tQuantile975(degreesOfFreedom: Double(n - 1)) : .nan
        for w in 0..<windows {
            let values = perReplication.compactMap { w < $0.count && $0[w].isFinite ? $0[w] : nil }
            let x = (Double(w) + 0.5) * timeline.windowSeconds
            guard !values.isEmpty else { points.append((x, .nan)); band.append((x, .nan, .nan)); continue }
            let mean = values.reduce(0, +) / Double(values.count)
            points.append((x, mean))
            if values.count >= 2, values.count == n {
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
                let half = t * (variance / Double(values.count)).squareRoot()
                band.append((x, min(max(mean - half, range.lowerBound), range.upperBound), min(max(mean + half, range.lowerBound), range.upperBound)))
            } else {
                band.append((x, .nan, .nan))
            }
        }
        return SVGChart.Line(label: label, color: color, points: points, band: n >= 2 ? band : [])
    }

    /// A chart over the run's time with clock-time ticks and the warm-up shaded.
    func timeChart(id: String, title: String, yLabel: String, timeline: Timeline) -> SVGChart {
        var chart = SVGChart(id: id, title: title, xLabel: "", yLabel: yLabel)
        let domain = 0...max(timeline.durationSeconds, timeline.windowSeconds)
        chart.xDomain = domain
        chart.xTicks = timeline.axis.ticks(domain)
        chart.xLabel = timeline.axis.label(domain)
        chart.bands = timeline.warmupBand
        return chart
    }

    /// Charts over time from the rebuilt report: p95 latency and availability with intervals and targets,
    /// arrivals and outcomes, instances, queue depth, cumulative spend over the counted window with budget
    /// lines, provider outages.
    func timeCharts(_ timeline: Timeline) -> [(SVGChart?, String?)] {
        guard let report else { return [] }
        var out: [(SVGChart?, String?)] = []
        let intervals = report.replications.count >= 2 ? " (shaded: 95 % interval over \(report.replications.count) replications)" : ""

        var p95 = timeChart(id: "chart-p95", title: "p95 latency per window" + intervals, yLabel: "latency", timeline: timeline)
        if let l = windowed("p95_latency_ms", color: "#2e86c1", label: "p95 latency") {
            p95.lines = [l]
            p95.references = targetLines("latency_ms.p95") { ReportFormat.millis($0) }
            p95.yFormat = { ReportFormat.millis($0) }
            out.append((p95, p95.references.isEmpty ? "No p95 latency target was checked for this run, so the p95 chart has no target line." : nil))
        }

        var availability = timeChart(id: "chart-availability", title: "Availability per window" + intervals, yLabel: "%", timeline: timeline)
        if let l = windowed("availability", color: "#1e8449", label: "availability", range: 0...100, transform: { $0 * 100 }) {
            availability.lines = [l]
            availability.references = targetLines("availability", transform: { $0 * 100 }) { ReportFormat.percent($0, digits: 2) }
            availability.yIncludesZero = false
            availability.yFormat = { String(format: "%g", ($0 * 1000).rounded() / 1000) + " %" }
            out.append((availability, nil))
        }

        var traffic = timeChart(id: "chart-traffic", title: "Requests per window", yLabel: "requests", timeline: timeline)
        traffic.lines = [windowed("arrivals", color: "#7f8c8d", label: "arrived"), windowed("succeeded", color: "#1e8449", label: "succeeded"),
                         windowed("failed", color: "#c0392b", label: "failed"), windowed("rejected", color: "#d68910", label: "rejected")]
            .compactMap { $0 }.filter { line in line.points.contains { $0.y.isFinite && $0.y > 0 } }
        traffic.lines = traffic.lines.map { var l = $0; l.band = []; return l }
        traffic.yFormat = { ReportFormat.count($0) }
        if !traffic.lines.isEmpty { out.append((traffic, nil)) }

        var instances = timeChart(id: "chart-instances", title: "Gateway instances", yLabel: "instances", timeline: timeline)
        if let l = windowed("instances", color: "#884ea0", label: "instances") { instances.lines = [l]; out.append((instances, nil)) }

        var queue = timeChart(id: "chart-queue", title: "Queue depth", yLabel: "requests", timeline: timeline)
        queue.lines = [windowed("max_queue_depth", color: "#d68910", label: "max in window"),
                       windowed("queue_depth", color: "#7f8c8d", label: "at window end")].compactMap { $0 }
        queue.yFormat = { ReportFormat.count($0) }
        if queue.lines.contains(where: { $0.points.contains { $0.y.isFinite && $0.y > 0 } }) {
            out.append((queue, nil))
        } else if !queue.lines.isEmpty {
            out.append((nil, "No request waited in the gateway queue, so there is no queue-depth chart."))
        }

        out.append(cumulativeSpend(timeline))

        let outages = outageBands
        if outages.isEmpty {
            out.append((nil, "No provider was in an outage during this run, so there is no outage chart."))
        } else {
            var chart = timeChart(id: "chart-outages", title: "Provider outages", yLabel: "arrivals", timeline: timeline)
            chart.bands += outages
            chart.lines = [windowed("arrivals", color: "#7f8c8d", label: "arrivals per window")].compactMap { $0 }.map { var l = $0; l.band = []; return l }
            out.append((chart, nil))
        }
        return out
    }

    /// Cumulative spend per replication from the end of the warm-up (the window the summary counts), mean
    /// with its interval, against the budget's limits; with a warm-up and a budget also the spend as the budget
    /// counts it (every request, warm-up included).
    private func cumulativeSpend(_ timeline: Timeline) -> (SVGChart?, String?) {
        guard let report else { return (nil, nil) }
        // The first window wholly after the warm-up.
        let first = Int((timeline.warmupSeconds / timeline.windowSeconds).rounded(.up))
        let last = Int((timeline.durationSeconds / timeline.windowSeconds).rounded(.up))
        func cumulative(from start: Int) -> [[Double]] {
            report.replications.map { s in
                let spend = s.series.spendUSD
                var total = 0.0
                return (start..<max(min(last, spend.count), start)).map { total += spend[$0].isFinite ? spend[$0] : 0; return total }
            }
        }
        func line(_ values: [[Double]], start: Int, label: String, color: String, interval: Bool) -> SVGChart.Line? {
            let windows = values.map(\.count).min() ?? 0
            guard windows > 0 else { return nil }
            let n = values.count
            let t = n >= 2 ? Estimate.tQuantile975(degreesOfFreedom: Double(n - 1)) : .nan
            var points: [(x: Double, y: Double)] = [], band: [(x: Double, low: Double, high: Double)] = []
            for w in 0..<windows {
                let v = values.map { $0[w] }
                let mean = v.reduce(0, +) / Double(n)
                let x = Double(start + w + 1) * timeline.windowSeconds
                points.append((x, mean))
                if n >= 2, interval {
                    let half = t * (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1) / Double(n)).squareRoot()
                    band.append((x, max(mean - half, 0), mean + half))
                }
            }
            return SVGChart.Line(label: label, color: color, points: points, band: band)
        }
        guard let counted = line(cumulative(from: first), start: first, label: "cumulative spend (counted window)", color: "#2e86c1", interval: true) else {
            return (nil, "No spend series is stored for this run.")
        }
        let intervals = report.replications.count >= 2 ? " (shaded: 95 % interval)" : ""
        var chart = timeChart(id: "chart-spend", title: "Cumulative model spend" + intervals, yLabel: "USD", timeline: timeline)
        chart.lines = [counted]
        chart.yFormat = { ReportFormat.usd($0) }
        let end = counted.points.last?.y ?? .nan
        var notes = ["Cumulative spend sums the model spend of the requests that finished in each window from "
            + (first == 0 ? "the start" : "the end of the warm-up") + "; it ends at \(ReportFormat.usd(end)) (mean), against a summary "
            + "model cost of \(ReportFormat.usd(report.estimate("cost_usd.models")?.mean ?? .nan)) (requests that arrived in the counted "
            + "window, whenever they finished)."]
        if timeline.warmupSeconds.truncatingRemainder(dividingBy: timeline.windowSeconds) != 0 {
            notes.append("The \(Self.span(timeline.windowSeconds)) series windows do not align with the \(Self.span(timeline.warmupSeconds)) "
                + "warm-up, so the line starts at the first whole window after it.")
        }
        guard let policy = report.scenario.budget?.policy else {
            notes.append("The scenario has no budget, so the spend chart has no budget lines.")
            return (chart, notes.joined(separator: " "))
        }
        var top = end
        if first > 0, let all = line(cumulative(from: 0), start: 0, label: "as the budget counts it (warm-up included)", color: "#7f8c8d", interval: false) {
            chart.lines.append(all)
            top = all.points.last?.y ?? top
        }
        let oneDay = timeline.durationSeconds <= 86_400
        if let d = policy.dailyLimit {
            if oneDay {
                chart.references.append(.init(label: "daily budget \(ReportFormat.usd(d.dollars))", y: d.dollars, color: "#b9770e"))
            } else {
                notes.append("The daily budget (\(ReportFormat.usd(d.dollars))) applies to each calendar day, not to this cumulative line.")
            }
        }
        if let m = policy.monthlyLimit {
            // A monthly line far above a short run's spend would flatten the chart to nothing.
            if !oneDay || top >= 0.2 * m.dollars {
                chart.references.append(.init(label: "monthly budget \(ReportFormat.usd(m.dollars))", y: m.dollars, color: "#d68910"))
            } else {
                notes.append("The monthly budget (\(ReportFormat.usd(m.dollars))) is not drawn: this run spends "
                    + "\(ReportFormat.percent(top / m.dollars, digits: 1)) of it.")
            }
        }
        return (chart, notes.joined(separator: " "))
    }

    /// Target lines for `metric` from the stored verdicts.
    func targetLines(_ metric: String, transform: (Double) -> Double = { $0 }, format: (Double) -> String) -> [SVGChart.Reference] {
        targets.filter { $0.metric == metric }.map { .init(label: "target \($0.comparison) \(format($0.threshold))", y: transform($0.threshold)) }
    }

    /// Outage intervals from the series `provider.<name>.outage` (the share of each window the provider spent
    /// in an outage): every window with any outage becomes a band.
    var outageBands: [SVGChart.Band] {
        series.keys.filter { $0.hasPrefix("provider.") && $0.hasSuffix(".outage") }.sorted().flatMap { name -> [SVGChart.Band] in
            let points = series[name]!
            let provider = name.dropFirst("provider.".count).dropLast(".outage".count)
            let width = points.count >= 2 ? points[1].windowStartSeconds - points[0].windowStartSeconds : 60
            return points.filter { $0.value > 0 }.map {
                .init(label: "\(provider) outage", x: $0.windowStartSeconds...($0.windowStartSeconds + width))
            }
        }
    }
}
