import Foundation
import NexusGateway
import NexusScenario
import NexusSim

extension RunDocument {
    /// Failure and rejection reasons (mean per replication), per-provider cost and attempts, cost by model,
    /// cache hit rates: bar charts and tables from the rebuilt report.
    func breakdownCharts() -> [(SVGChart?, String?)] {
        guard let report else {
            guard !costByModel.isEmpty else { return [] }
            var cost = SVGChart(id: "chart-cost-by-model", title: "Cost by model (mean per replication)", xLabel: "", yLabel: "USD")
            cost.bars = costByModel.sorted { $0.dollars > $1.dollars }.map { ($0.model, $0.dollars) }
            cost.yFormat = { ReportFormat.usd($0) }
            return [(cost, nil)]
        }
        var out: [(SVGChart?, String?)] = []
        let reasons = FailureReason.allCases.map { r in (r.rawValue, report.mean { Double($0.count(r)) }) }.filter { $0.1 > 0 }
        if reasons.isEmpty {
            out.append((nil, "No request failed or was rejected, so there is no failure-reason chart."))
        } else {
            var chart = SVGChart(id: "chart-failure-reasons", title: "Failed and rejected requests by reason (mean per replication)", xLabel: "", yLabel: "")
            chart.bars = reasons.sorted { $0.1 > $1.1 }.map { ($0.0, $0.1) }
            chart.yFormat = { ReportFormat.grouped($0) }
            out.append((chart, nil))
        }
        var providers: [String: (cost: Double, attempts: Double, failures: Double)] = [:]
        let n = Double(report.replications.count)
        for s in report.replications {
            for m in s.byModel {
                var p = providers[m.provider] ?? (0, 0, 0)
                p.cost += m.cost.dollars / n
                p.attempts += Double(m.attempts) / n
                p.failures += Double(m.attempts - m.successes) / n
                providers[m.provider] = p
            }
        }
        if !providers.isEmpty {
            var cost = SVGChart(id: "chart-cost-by-provider", title: "Cost by provider (mean per replication)", xLabel: "", yLabel: "USD")
            cost.bars = providers.sorted { $0.value.cost > $1.value.cost }.map { ($0.key, $0.value.cost) }
            cost.yFormat = { ReportFormat.usd($0) }
            out.append((cost, nil))
            var attempts = SVGChart(id: "chart-attempts-by-provider", title: "Attempts by provider, and the share that failed", xLabel: "", yLabel: "")
            attempts.bars = providers.sorted { $0.value.attempts > $1.value.attempts }.map {
                ("\($0.key) (\(ReportFormat.percent($0.value.attempts > 0 ? $0.value.failures / $0.value.attempts : 0, digits: 1)) failed)", $0.value.attempts)
            }
            attempts.yFormat = { ReportFormat.count($0) }
            out.append((attempts, nil))
        }
        let models = report.replications[0].byModel.indices.map { i in
            (report.replications[0].byModel[i].name, report.mean { $0.byModel[i].cost.dollars })
        }.filter { $0.1 > 0 }
        if !models.isEmpty {
            var cost = SVGChart(id: "chart-cost-by-model", title: "Cost by model (mean per replication)", xLabel: "", yLabel: "USD")
            cost.bars = models.sorted { $0.1 > $1.1 }.map { ($0.0, $0.1) }
            cost.yFormat = { ReportFormat.usd($0) }
            out.append((cost, nil))
        }
        if report.scenario.cache != nil {
            let classes = CacheClass.allCases.enumerated().compactMap { i, c -> (String, Double)? in
                let h = report.mean { $0.cacheByClass.indices.contains(i) ? Double($0.cacheByClass[i].hits) : 0 }
                let m = report.mean { $0.cacheByClass.indices.contains(i) ? Double($0.cacheByClass[i].misses) : 0 }
                return h + m > 0 ? (c.rawValue, h / (h + m) * 100) : nil
            }
            var chart = SVGChart(id: "chart-cache", title: "Response-cache hit rate by cache class (whole run)", xLabel: "", yLabel: "%")
            chart.bars = classes
            chart.yFormat = { String(format: "%.1f %%", $0) }
            let hits = report.mean { Double($0.cacheHits) }, misses = report.mean { Double($0.cacheMisses) }
            let note = "Cache: \(ReportFormat.percent(hits + misses > 0 ? hits / (hits + misses) : 0)) of the counted lookups hit, "
                + "saving \(ReportFormat.usd(report.mean { $0.cacheSaved.dollars })) per replication at the tiers' first models' prices."
            out.append((classes.isEmpty ? nil : chart, note))
        }
        return out
    }

    /// The budget's limits and what happened to them, as a table; `nil` without a budget.
    var budgetSection: String? {
        guard let report, let policy = report.scenario.budget?.policy else { return nil }
        let forecast = MonthForecast(year: 1970, month: 1, report: report)
        var s = "<h2>Budget</h2>\n<p>Action <b>\(policy.action.rawValue)</b>"
            + (policy.action == .alert ? " (limits are recorded when reached; nothing is refused)" : "")
            + ". Alerts at \(policy.alertThresholds.map { ReportFormat.percent($0, digits: 0) }.joined(separator: ", ")).</p>\n"
        s += "<table id=\"budget\">\n<tr><th>limit</th><th>amount</th><th>ran out in</th><th>first time (earliest)</th><th>latest</th></tr>\n"
        for limit in forecast.limitExhaustions {
            let first = limit.times.first.map(forecast.dateTime) ?? "–", last = limit.times.last.map(forecast.dateTime) ?? "–"
            s += "<tr><td>\(limit.label)</td><td>\(ReportFormat.usd(limit.limitUSD))</td>"
                + "<td>\(limit.times.count) of \(limit.replications) replications</td><td>\(XML.escape(first))</td><td>\(XML.escape(last))</td></tr>\n"
        }
        s += "</table>\n"
        var facts: [String] = []
        facts.append("rejected by the budget: \(ReportFormat.grouped(report.mean { Double($0.count(.budgetExceeded)) })) requests (mean per replication)")
        if policy.action == .downgrade { facts.append("downgraded: \(ReportFormat.grouped(report.mean { Double($0.downgraded) }))") }
        if policy.perUserMonthlyLimit != nil {
            let users = forecast.usersAtCap
            facts.append("users who hit their cap: \(String(format: "%.1f", report.mean { Double($0.usersAtCap) })) (mean)"
                + (users.isEmpty ? "" : ", most often " + users.prefix(5).map { "user \($0.user)" }.joined(separator: ", ")))
        }
        let overspend = report.mean { $0.overspend.dollars }
        if overspend > 0 { facts.append("spend above a limit: \(ReportFormat.usd(overspend))") }
        let alerts = report.replications[0].budgetAlerts
        if !alerts.isEmpty {
            facts.append("alerts in replication 1: " + alerts.prefix(6).map {
                "\($0.window.rawValue) \(ReportFormat.percent($0.threshold, digits: 0)) at \(forecast.dateTime($0.at))"
            }.joined(separator: "; ") + (alerts.count > 6 ? "; and \(alerts.count - 6) more" : ""))
        }
        s += "<ul>\n" + facts.map { "<li>\(XML.escape($0))</li>\n" }.joined() + "</ul>\n"
        return s
    }
}
