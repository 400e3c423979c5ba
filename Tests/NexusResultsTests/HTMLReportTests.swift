import Foundation
import NexusResults
import NexusScenario
import Testing

@Suite("HTML report and CSV from the results store")
struct HTMLReportTests {
    /// Stores a 2-replication run of a small M/M/c with targets, and returns the store and run id.
    static func storedRun(in path: String) throws -> (ResultsStore, Int64) {
        let scenario = try Scenarios.mmc([("servers", "10"), ("arrival_rate", "8"), ("duration_s", "1230"), ("warmup_s", "30")],
                                         targets: ["p95_latency < 4s", "availability >= 99.9%"])
        let report = Scenarios.report(scenario, replications: 2)
        let store = try ResultsStore(path: path)
        let id = try store.beginRun(RunRecord(command: "gate", scenarioName: scenario.name, scenarioPath: Scenarios.mmc,
                                              scenarioText: scenario.sourceText, seed: 1, replications: 2, toolVersion: "test"))
        try store.finishRun(id: id, metrics: report.metricRows, series: report.seriesRows, summaryJSON: report.json.rendered())
        let gate = GateReport(report: report, targets: try scenario.resolvedTargets(), targetsSource: "test")
        try store.saveTargets(gate.verdicts, runID: id)
        return (store, id)
    }

    @Test("targets round-trip through the store")
    func targetsStored() throws {
        try withTemporaryStorePath { path in
            let (store, id) = try Self.storedRun(in: path)
            let targets = try store.targets(runID: id)
            #expect(targets.map(\.target) == ["p95_latency < 4s", "availability >= 99.9%"])
            #expect(targets[0].metric == "latency_ms.p95" && targets[0].threshold == 4000 && targets[0].basis == "upper_bound")
            #expect(targets[1].basis == "lower_bound" && targets[1].passed)
            #expect(targets[0].ciLow != nil && targets[0].judgedValue == targets[0].ciHigh)
        }
    }

    @Test("the report is well-formed XHTML with the expected SVG charts and tables, and no external resources")
    func structure() throws {
        try withTemporaryStorePath { path in
            let (store, id) = try Self.storedRun(in: path)
            let document = try #require(try RunDocument.load(from: store, run: nil))
            #expect(document.run.id == id)
            let html = document.html
            #expect(html.hasPrefix("<!DOCTYPE html>"))
            let tree = XMLTree(html)
            #expect(tree.isWellFormed, "\(String(describing: tree.parseError))")
            let svgs = tree.all("svg")
            let ids = Set(svgs.compactMap { $0.attributes["id"] })
            #expect(ids == ["chart-p95", "chart-availability", "chart-instances", "chart-queue", "chart-spend", "chart-cost-by-model"])
            // The p95 chart: one polyline per segment, with the target's dashed line at 4000 ms.
            let p95Lines = tree.elements.filter { $0.name == "polyline" && $0.path.contains("svg") }
            #expect(p95Lines.count >= 5)
            let references = tree.all("line").filter { $0.attributes["class"] == "reference" }
            #expect(references.count == 2)  // p95 and availability targets
            #expect(tree.all("text").contains { $0.text == "target < 4.00 s" })
            let points = try #require(p95Lines.first?.attributes["points"]).split(separator: " ")
            #expect(points.count >= 15)  // ~21 one-minute windows
            #expect(tree.all("table").compactMap { $0.attributes["id"] } == ["targets", "summary"])
            #expect(tree.all("code").contains { $0.text == "latency_ms.p95" && $0.path.contains("td") })
            // Charts the simulator has no data for are omitted, and the page says so.
            #expect(html.contains("no budget lines"))
            #expect(html.contains("No provider was in an outage during this run"))
            // Self-contained: no scripts, no fetched resources (xmlns namespace names are not fetched).
            #expect(tree.all("script").isEmpty && tree.all("link").isEmpty && tree.all("img").isEmpty)
            for element in tree.elements {
                for (key, value) in element.attributes where key != "xmlns" {
                    #expect(!value.contains("http://") && !value.contains("https://"), "\(element.name) \(key)=\(value)")
                }
            }
            #expect(!html.contains("url("))
        }
    }

    @Test("the CSV export has one row per replication and window, one column per series")
    func csv() throws {
        try withTemporaryStorePath { path in
            let (store, id) = try Self.storedRun(in: path)
            let document = try #require(try RunDocument.load(from: store, run: id))
            let lines = document.csv.split(separator: "\n")
            let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(Array(header.prefix(3)) == ["replication", "window_start_s", "arrivals"])
            #expect(header.contains("p95_latency_ms") && header.contains("spend_usd"))
            let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            #expect(rows.allSatisfy { $0.count == header.count })
            let windows = try store.series(runID: id, name: "arrivals")
            #expect(rows.count == windows.count)
            #expect(rows[1][1] == "60" && Double(rows[1][2]) == windows[1].value)
        }
    }

    @Test("sweeps are stored with their points")
    func sweepStored() throws {
        try withTemporaryStorePath { path in
            let (store, id) = try Self.storedRun(in: path)
            let sweepID = try store.saveSweep(SweepRecord(scenarioName: "mmc", grid: [("servers", ["10", "12"])], seed: 1, replications: 2,
                points: [.init(runID: id, assignment: [("servers", "10")], meetsTargets: false, onParetoFront: true)]))
            let points = try store.sweepPoints(sweepID: sweepID)
            #expect(points.count == 1 && points[0].runID == id && points[0].meetsTargets == false && points[0].onParetoFront)
            #expect(points[0].assignment.map(\.0) == ["servers"] && points[0].assignment.map(\.1) == ["10"])
        }
    }

    @Test("a provider outage is drawn as bands over the minutes it lasted")
    func outageBands() throws {
        try withTemporaryStorePath { path in
            let scenario = try Scenarios.mmc(
                [("servers", "10"), ("arrival_rate", "8"), ("duration_s", "930"), ("warmup_s", "30")],
                overrides: [("providers.sim.outages", "[{start: 5m, duration: 3m, mode: down}]")])
            let report = Scenarios.report(scenario, replications: 1)
            let store = try ResultsStore(path: path)
            let id = try store.beginRun(RunRecord(command: "run", scenarioName: scenario.name, scenarioText: scenario.sourceText,
                                                  seed: 1, replications: 1, toolVersion: "test"))
            try store.finishRun(id: id, metrics: report.metricRows, series: report.seriesRows, summaryJSON: report.json.rendered())
            let document = try #require(try RunDocument.load(from: store, run: id))
            let tree = XMLTree(document.html)
            #expect(tree.isWellFormed)
            #expect(tree.all("svg").contains { $0.attributes["id"] == "chart-outages" })
            // Minutes 5, 6 and 7 (start 300 s, 3 minutes) are shaded, one band each.
            let bands = tree.all("rect").filter { $0.attributes["class"] == "band" }
            #expect(bands.count == 3)
            #expect(tree.all("title").contains { $0.text == "sim outage" })
        }
    }
}
