import Foundation

extension RunDocument {
    /// For a forecast: the month's key figures (served, spend, demand, affordable volume), the daily spend
    /// with its P10–P90 band against the daily budget, cumulative spend against the monthly budget, and the
    /// daily table.
    var forecastSection: String? {
        guard let forecast else { return nil }
        let n = forecast.report.replications.count
        var s = "<h2>Forecast for \(String(format: "%04d-%02d", forecast.year, forecast.month))</h2>\n"
        if let caveat = MonthForecast.percentileCaveat(replications: n) { s += "<p class=\"meta\">\(XML.escape(caveat)).</p>\n" }
        func mean(_ name: String) -> Double { forecast.report.estimate(name)?.mean ?? .nan }
        let spend = forecast.monthlySpend
        var rows: [(String, String)] = [
            ("requests", ReportFormat.grouped(mean("requests"))),
            ("succeeded / rejected / failed", "\(ReportFormat.grouped(mean("succeeded"))) / \(ReportFormat.grouped(mean("rejected"))) / \(ReportFormat.grouped(mean("failed")))"),
            ("availability", ReportFormat.percent(mean("availability"))),
            ("monthly spend (mean · P50 · P90 · P99)", [spend.reduce(0, +) / Double(n), MonthForecast.percentile(spend, 50),
                MonthForecast.percentile(spend, 90), MonthForecast.percentile(spend, 99)].map(ReportFormat.usd).joined(separator: " · ")),
            ("cost per served request", ReportFormat.usd(mean("cost_usd.per_succeeded_request"))),
        ]
        if let demand = forecastJSON?["demand_usd"] {
            let values = ["mean", "p50", "p90", "p99"].map { demand[$0]?.number ?? .nan }
            rows.append(("demand, limits lifted (mean · P50 · P90 · P99)", values.map(ReportFormat.usd).joined(separator: " · ")))
            if let share = forecastJSON?["served_share_of_demand"]?.number {
                rows.append(("share of the demand the budget paid for", ReportFormat.percent(share, digits: 1)))
            }
            if let needed = forecastJSON?["budget_needed_usd"] {
                rows.append(("budget the traffic needs (monthly P50 · P90)",
                             [needed["monthly_p50"]?.number, needed["monthly_p90"]?.number].map { ReportFormat.usd($0 ?? .nan) }.joined(separator: " · ")))
            }
        }
        if let affordable = forecastJSON?["affordable"] {
            if let scale = affordable["scale"]?.number, let perDay = affordable["requests_per_day"]?.number {
                rows.append(("affordable traffic (P90 spend within the monthly budget)",
                             String(format: "%.3f× = ", scale) + ReportFormat.grouped(perDay) + " requests/day"))
            } else {
                rows.append(("affordable traffic", "none of the probed scales"))
            }
        }
        s += "<table id=\"forecast\">\n" + rows.map { "<tr><td>\(XML.escape($0.0))</td><td>\(XML.escape($0.1))</td></tr>\n" }.joined() + "</table>\n"

        let daily = forecast.dailySpend
        var chart = SVGChart(id: "chart-forecast-daily", title: "Daily spend: mean, P10–P90 band over \(n) replications", xLabel: "date (UTC)", yLabel: "USD")
        chart.lines = [SVGChart.Line(label: "mean daily spend", color: "#2e86c1",
                                     points: daily.enumerated().map { (Double($0.offset), $0.element.mean) },
                                     band: daily.enumerated().map { (Double($0.offset), $0.element.p10, $0.element.p90) })]
        chart.xTicks = daily.enumerated().filter { $0.offset % max(daily.count / 8, 1) == 0 }.map { (Double($0.offset), String($0.element.date.suffix(5))) }
        chart.xDomain = 0...Double(max(daily.count - 1, 1))
        chart.yFormat = { ReportFormat.usd($0) }
        if let d = forecast.report.scenario.budget?.policy.dailyLimit {
            chart.references = [.init(label: "daily budget \(ReportFormat.usd(d.dollars))", y: d.dollars, color: "#d68910")]
        }
        s += "<figure>\(chart.svg)</figure>\n"

        var cumulative = SVGChart(id: "chart-forecast-cumulative", title: "Cumulative spend over the month (mean)", xLabel: "date (UTC)", yLabel: "USD")
        var total = 0.0
        cumulative.lines = [SVGChart.Line(label: "cumulative mean spend", color: "#2e86c1",
                                          points: daily.enumerated().map { total += $0.element.mean; return (Double($0.offset + 1), total) })]
        cumulative.xTicks = chart.xTicks?.map { ($0.x + 1, $0.label) }
        cumulative.xDomain = 0...Double(daily.count)
        cumulative.yFormat = { ReportFormat.usd($0) }
        if let m = forecast.report.scenario.budget?.policy.monthlyLimit {
            cumulative.references = [.init(label: "monthly budget \(ReportFormat.usd(m.dollars))", y: m.dollars, color: "#d68910")]
        }
        s += "<figure>\(cumulative.svg)</figure>\n"

        s += "<table id=\"forecast-daily\">\n<tr><th>date</th><th>day</th><th>mean</th><th>P10</th><th>P90</th><th>cumulative</th></tr>\n"
        total = 0
        for d in daily {
            total += d.mean
            s += "<tr><td>\(d.date)</td><td>\(MonthForecast.weekdays[d.weekday])</td><td>\(ReportFormat.usd(d.mean))</td>"
                + "<td>\(ReportFormat.usd(d.p10))</td><td>\(ReportFormat.usd(d.p90))</td><td>\(ReportFormat.usd(total))</td></tr>\n"
        }
        return s + "</table>\n"
    }

    /// For a sweep point: every point of its sweep with the key metrics, its verdict and the Pareto front.
    var sweepSection: String? {
        guard let sweep, !sweepPoints.isEmpty else { return nil }
        let names = sweepPoints[0].point.assignment.map(\.0)
        var s = "<h2>Sweep \(sweep.id): \(sweepPoints.count) points of \(XML.escape(sweep.scenarioName))</h2>\n"
        s += "<p class=\"meta\">Every point ran \(sweep.replications) replication\(sweep.replications == 1 ? "" : "s") with seed \(sweep.seed) "
            + "(common random numbers). The Pareto front (cost per request against p95 latency) is marked ★; this run is in bold.</p>\n"
        s += "<table id=\"sweep\">\n<tr>" + names.map { "<th>\(XML.escape($0))</th>" }.joined()
            + "<th>p95 latency</th><th>availability</th><th>cost / request</th><th>targets</th><th>Pareto</th></tr>\n"
        for entry in sweepPoints {
            func metric(_ name: String) -> Double { entry.metrics.first { $0.name == name }?.value ?? .nan }
            let missed = entry.targets.filter { !$0.passed }.map(\.target)
            let verdict = entry.point.meetsTargets.map { $0 ? "met" : "missed: " + missed.joined(separator: ", ") } ?? "–"
            let cls = entry.point.meetsTargets.map { $0 ? "pass" : "fail" } ?? ""
            let open = entry.point.runID == run.id ? "<b>" : "", close = entry.point.runID == run.id ? "</b>" : ""
            s += "<tr>" + entry.point.assignment.map { "<td>\(open)\(XML.escape($0.1))\(close)</td>" }.joined()
                + "<td>\(ReportFormat.millis(metric("latency_ms.p95")))</td><td>\(ReportFormat.percent(metric("availability"), digits: 3))</td>"
                + "<td>\(ReportFormat.usd(metric("cost_usd.per_request")))</td><td class=\"\(cls)\">\(XML.escape(verdict))</td>"
                + "<td>\(entry.point.onParetoFront ? "★" : "")</td></tr>\n"
        }
        return s + "</table>\n"
    }
}
