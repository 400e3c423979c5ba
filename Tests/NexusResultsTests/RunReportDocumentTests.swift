import Foundation
import NexusResults
import NexusScenario
import NexusSim
import Testing

/// Reports rebuilt from stored replications: what the page says must match the run.
@Suite("HTML report of a stored run, forecast, sweep and comparison")
struct RunReportDocumentTests {
    static func budgeted(warmup: String = "30m", duration: String = "3h", drain: String = "10m") throws -> Scenario {
        try ScenarioLoader.parse(text: """
            name: budgeted
            simulation: {duration: \(duration), warmup: \(warmup), drain: \(drain), start: 2026-12-01T08:00:00Z, series_window: 5m}
            gateway: {instances: 1, concurrency: 1000}
            budget: {daily: $3, alerts: [50%]}
            providers:
              - name: p
                classifications: [public]
                models: [{name: m, price: {input_per_mtok: $1, output_per_mtok: $3}, ttft: {dist: exponential, mean: 1s}}]
            tiers: [{name: t, models: [p/m]}]
            traffic:
              arrivals: {process: poisson, rate: 1/s}
              classes: [{name: c, share: 100%, tier: t, input_tokens: 300, output_tokens: 100, max_output_tokens: 100}]
            targets: [p95_latency < 10s]
            """)
    }

    static func store(_ report: RunReport, command: String = "run", in store: ResultsStore, forecastMonth: String? = nil) throws -> Int64 {
        let id = try store.beginRun(command: command, scenario: report.scenario, scenarioPath: nil, seed: report.seed,
                                    replications: report.replications.count, forecastMonth: forecastMonth, toolVersion: "test")
        let verdicts = GateReport(report: report, targets: try report.scenario.resolvedTargets(), targetsSource: "test").verdicts
        try store.finishRun(id: id, report: report, verdicts: verdicts)
        return id
    }

    @Test func theReportSaysWhatTheRunDid() throws {
        try withTemporaryStorePath { path in
            let scenario = try Self.budgeted()
            let report = Scenarios.report(scenario, replications: 3)
            let store = try ResultsStore(path: path)
            let id = try Self.store(report, in: store)
            let document = try #require(try RunDocument.load(from: store, run: id))
            #expect(document.report != nil)
            let html = document.html
            let tree = XMLTree(html)
            #expect(tree.isWellFormed, "\(String(describing: tree.parseError))")
            #expect(!html.contains("not simulated yet"))
            // The budget is reported and drawn: $3/day against 3.5 h of 1 request/s at $0.0006 ($7.56): it runs out.
            #expect(tree.all("table").contains { $0.attributes["id"] == "budget" })
            #expect(tree.all("text").contains { $0.text == "daily budget $3.00" })
            let ids = Set(tree.all("svg").compactMap { $0.attributes["id"] })
            #expect(ids.isSuperset(of: ["chart-p95", "chart-availability", "chart-traffic", "chart-spend", "chart-failure-reasons",
                                        "chart-cost-by-provider", "chart-attempts-by-provider", "chart-cost-by-model"]))
            // Clock time from simulation.start (08:00 UTC) and the warm-up shaded.
            #expect(html.contains("Simulated 2026-12-01 08:00 to 2026-12-01 11:00 UTC"))
            #expect(tree.all("text").contains { $0.text == "09:00" })
            #expect(tree.all("title").contains { $0.text == "warm-up (not counted)" })
            // Three replications: intervals are drawn.
            #expect(!tree.all("polygon").filter { $0.attributes["class"] == "interval" }.isEmpty)
            // Charts stop at the end of the duration: 36 five-minute windows of arrivals, the drain's 2 left out,
            // and the last one at the right end of the plot, drawn at its middle (x = 70 + 670 × 35.5/36).
            let traffic = try #require(tree.all("svg").first { $0.attributes["id"] == "chart-traffic" })
            let arrived = try #require(tree.elements.first { $0.name == "polyline" && $0.ancestors.contains(traffic.index) })
            let xs = (arrived.attributes["points"] ?? "").split(separator: " ").compactMap { Double($0.split(separator: ",")[0]) }
            #expect(xs.count == 36)
            #expect(abs((xs.last ?? 0) - (70 + 670 * 35.5 / 36)) < 0.1)
            // Cumulative spend over the counted window ends at the mean of each replication's post-warm-up spend.
            let counted = report.replications.map { s in s.series.spendUSD[6..<36].reduce(0, +) }
            let expected = counted.reduce(0, +) / 3
            #expect(html.contains("it ends at \(String(format: "$%.2f", expected)) (mean)"))
            // Numbers are formatted for people.
            #expect(html.contains("<td><code>requests</code></td><td>") && !html.contains("e+0"))
        }
    }

    @Test func aForecastReportHasTheDailyBandAndTable() throws {
        try withTemporaryStorePath { path in
            let base = try ForecastDemandTests.scenario(budget: "{monthly: $30, daily: $2}")
            let forecast = MonthForecast.run(scenario: base, year: 2027, month: 2, seed: 7, replications: 2, demand: true)
            let store = try ResultsStore(path: path)
            let id = try store.beginRun(command: "forecast", scenario: forecast.report.scenario, scenarioPath: nil, seed: 7,
                                        replications: 2, forecastMonth: "2027-02", toolVersion: "test")
            try store.finishRun(id: id, report: forecast.report, verdicts: [])
            try store.saveForecast(json: forecast.json.rendered(), runID: id)
            let document = try #require(try RunDocument.load(from: store, run: id))
            let tree = XMLTree(document.html)
            #expect(tree.isWellFormed, "\(String(describing: tree.parseError))")
            let daily = try #require(tree.all("table").first { $0.attributes["id"] == "forecast-daily" })
            #expect(tree.elements.filter { $0.name == "tr" && $0.ancestors.contains(daily.index) }.count == 29)
            let ids = Set(tree.all("svg").compactMap { $0.attributes["id"] })
            #expect(ids.isSuperset(of: ["chart-forecast-daily", "chart-forecast-cumulative"]))
            #expect(document.html.contains("demand, limits lifted"))
            #expect(document.html.contains("P90 and P99 of 2 replications are both the largest value"))
            #expect(tree.all("text").contains { $0.text == "monthly budget $30.00" })
        }
    }

    @Test func aSweepPointsReportShowsTheSweep() throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            var ids: [Int64] = []
            for servers in ["9", "12"] {
                let scenario = try Scenarios.mmc([("servers", servers), ("arrival_rate", "8"), ("duration_s", "600"), ("warmup_s", "30")],
                                                 targets: ["p95_latency < 4s"])
                ids.append(try Self.store(Scenarios.report(scenario, replications: 2), command: "sweep", in: store))
            }
            try store.saveSweep(SweepRecord(scenarioName: "mmc", grid: [("servers", ["9", "12"])], seed: 1, replications: 2,
                points: [.init(runID: ids[0], assignment: [("servers", "9")], meetsTargets: false, onParetoFront: false),
                         .init(runID: ids[1], assignment: [("servers", "12")], meetsTargets: true, onParetoFront: true)]))
            let html = try #require(try RunDocument.load(from: store, run: ids[1])).html
            let tree = XMLTree(html)
            #expect(tree.isWellFormed)
            let sweep = try #require(tree.all("table").first { $0.attributes["id"] == "sweep" })
            #expect(tree.elements.filter { $0.name == "tr" && $0.ancestors.contains(sweep.index) }.count == 3)
            #expect(html.contains("★"))
        }
    }

    @Test func comparisonsAreStoredAndRendered() throws {
        try withTemporaryStorePath { path in
            let a = try Scenarios.mmc([("servers", "10"), ("arrival_rate", "8"), ("duration_s", "600"), ("warmup_s", "30")])
            let b = try Scenarios.mmc([("servers", "12"), ("arrival_rate", "8"), ("duration_s", "600"), ("warmup_s", "30")])
            let comparison = Comparison(a: Scenarios.report(a, replications: 3), b: Scenarios.report(b, replications: 3),
                                        labelA: "mmc.yaml", labelB: "mmc.yaml --param servers=12")
            let store = try ResultsStore(path: path)
            let id = try store.saveComparison(StoredComparison(labelA: comparison.labelA, labelB: comparison.labelB,
                scenarioA: a.name, scenarioB: b.name, seed: 1, replications: 3, json: comparison.json.rendered(), toolVersion: "test"))
            let stored = try #require(try store.comparison(id: nil))
            #expect(stored.id == id && stored.labelB == "mmc.yaml --param servers=12" && stored.replications == 3)
            #expect(try store.comparison(id: id + 1) == nil)
            let html = ComparisonDocument(comparison: stored).html
            let tree = XMLTree(html)
            #expect(tree.isWellFormed, "\(String(describing: tree.parseError))")
            // One table per section when the rows name one, else one: a header row per table, a row per metric.
            guard case .array(let metrics)? = comparison.json["metrics"] else { Issue.record("no metrics list"); return }
            let tables = tree.all("table").filter { $0.attributes["id"]?.hasPrefix("compare-metrics") == true }
            #expect(!tables.isEmpty)
            let rows = tree.elements.filter { row in row.name == "tr" && tables.contains { row.ancestors.contains($0.index) } }
            #expect(rows.count == metrics.count + tables.count)
            // More servers, lower latency: the p95 difference is negative and significant.
            let p95 = try #require(comparison.row("latency_ms.p95"))
            #expect(p95.difference.mean < 0 && p95.isSignificant)
            #expect(html.contains("B − A") && html.contains("●"))
        }
    }
}
