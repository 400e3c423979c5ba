import Foundation
import NexusResults
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite struct CompareSweepReportCommandTests {
    @Test func compareOneScenarioUnderTwoSetsOfOverrides() throws {
        let r = try CLI.run(["compare", CLI.mmc, "--set-b", "gateway.instances=12", "--replications", "5", "--quiet", "--json", "--no-store"]
            + CLI.smallMMc)
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let metrics = try #require(object["metrics"] as? [[String: Any]])
        let p95 = try #require(metrics.first { $0["metric"] as? String == "latency_ms.p95" })
        let difference = try #require(p95["difference"] as? Double)
        let interval = try #require(p95["difference_ci95"] as? [Double])
        #expect(difference < 0 && interval[1] < 0)
        #expect(p95["significant"] as? Bool == true)
        let requests = try #require(metrics.first { $0["metric"] as? String == "requests" })
        #expect(requests["difference"] as? Double == 0)  // same arrivals on both sides
    }

    @Test func compareNeedsTwoSides() throws {
        let r = try CLI.run(["compare", CLI.mmc])
        #expect(r.status == 64)
    }

    @Test func sweepRunsTheGridAndStoresIt() throws {
        let dir = try CLI.temporaryDirectory()
        let db = dir.appendingPathComponent("r.sqlite").path
        let r = try CLI.run(["sweep", CLI.mmc, "--grid", "servers=9,10,12", "--replications", "4", "--db", db, "--quiet",
                             "--param", "duration_s=300", "--param", "warmup_s=30", "--param", "arrival_rate=8.5",
                             "--set", "targets=[p95_latency < 5s]"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Points meeting every target: 1, 2."), "\(r.stdout)")
        #expect(r.stdout.contains("Pareto front"))
        #expect(r.stderr.contains("stored as sweep 1 (runs 1–3)"))
        let store = try ResultsStore(path: db)
        let points = try store.sweepPoints(sweepID: 1)
        #expect(points.map(\.runID) == [1, 2, 3])
        #expect(points.map(\.meetsTargets) == [false, true, true])
        #expect(points.map { $0.assignment.first!.1 } == ["9", "10", "12"])
    }

    @Test func sweepWithAGridNameThatChangesNothingIsInvalidInput() throws {
        let r = try CLI.run(["sweep", CLI.mmc, "--grid", "gateway.queue_timeout=none,none", "--no-store"] + CLI.smallMMc)
        #expect(r.status == 2)
        #expect(r.stderr.contains("--grid gateway.queue_timeout=none,none: every value of 'gateway.queue_timeout' gives the same scenario"),
                "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test func sweepWithUnknownParameterIsInvalidInput() throws {
        let r = try CLI.run(["sweep", CLI.mmc, "--grid", "server=9,10", "--no-store"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("did you mean 'servers'"))
    }

    @Test func reportWritesSelfContainedHTMLAndCSV() throws {
        let dir = try CLI.temporaryDirectory()
        let db = dir.appendingPathComponent("r.sqlite").path
        let run = try CLI.run(["run", CLI.mmc, "--db", db, "--quiet", "--replications", "2"] + CLI.smallMMc)
        #expect(run.status == 0)
        let html = dir.appendingPathComponent("report.html").path
        let csv = dir.appendingPathComponent("series.csv").path
        let r = try CLI.run(["report", "latest", "--db", db, "--out", html, "--csv", csv])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: html, encoding: .utf8)
        #expect(XMLParser(data: Data(text.utf8)).parse())
        #expect(text.contains("<svg") && !text.contains("<script"))
        #expect(try String(contentsOfFile: csv, encoding: .utf8).hasPrefix("replication,window_start_s,arrivals"))
        let missing = try CLI.run(["report", "99", "--db", db, "--out", html])
        #expect(missing.status == 2 && missing.stderr.contains("has no run 99"))
        try Self.screenshotIfChromiumIsInstalled(html: html, in: dir)
    }

    @Test func compareIsStoredAndReportedAndAForecastReportRenders() throws {
        let dir = try CLI.temporaryDirectory()
        let db = dir.appendingPathComponent("r.sqlite").path
        let compare = try CLI.run(["compare", CLI.mmc, "--set-b", "gateway.instances=12", "--replications", "3", "--quiet", "--db", db]
            + CLI.smallMMc)
        #expect(compare.status == 0, "\(compare.stderr)")
        #expect(compare.stderr.contains("stored as comparison 1 in \(db)"))
        let html = dir.appendingPathComponent("compare.html").path
        let report = try CLI.run(["report", "--comparison", "latest", "--db", db, "--out", html])
        #expect(report.status == 0, "\(report.stderr)")
        let text = try String(contentsOfFile: html, encoding: .utf8)
        #expect(XMLParser(data: Data(text.utf8)).parse())
        #expect(text.contains("id=\"compare-metrics") && text.contains("gateway.instances=12"))
        let both = try CLI.run(["report", "1", "--comparison", "1", "--db", db])
        #expect(both.status == 64 && both.stderr.contains("not both"))

        let forecast = try CLI.run(["forecast", "Scenarios/month-forecast.yaml", "--month", "2026-02", "--replications", "2",
                                    "--param", "daily_requests=2k", "--affordable", "--affordable-replications", "2",
                                    "--affordable-tolerance", "5%", "--db", db, "--quiet"])
        #expect(forecast.status == 0, "\(forecast.stderr)")
        #expect(forecast.stdout.contains("served") && forecast.stdout.contains("demand")
            && forecast.stdout.contains("largest affordable"), "\(forecast.stdout)")
        #expect(forecast.stdout.contains("P90 and P99 of 2 replications are both the largest value"))
        let page = dir.appendingPathComponent("forecast.html").path
        let rendered = try CLI.run(["report", "latest", "--db", db, "--out", page])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        let forecastHTML = try String(contentsOfFile: page, encoding: .utf8)
        #expect(forecastHTML.contains("id=\"forecast-daily\"") && forecastHTML.contains("affordable traffic"))
        #expect(!forecastHTML.contains("not simulated yet"))
        try Self.screenshotIfChromiumIsInstalled(html: page, in: dir)

        let badTolerance = try CLI.run(["forecast", "Scenarios/month-forecast.yaml", "--month", "2026-02", "--affordable",
                                        "--affordable-tolerance", "0%", "--no-store"])
        #expect(badTolerance.status == 64 && badTolerance.stderr.contains("--affordable-tolerance"))
    }

    /// Renders the report in headless Chromium when it is installed (skipped otherwise; see docs/reports.md) and
    /// checks that the screenshot has drawn content: a PNG of the requested size, far larger than a blank page.
    static func screenshotIfChromiumIsInstalled(html: String, in dir: URL) throws {
        let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        guard let chromium = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            print("skipped the browser check of \(html): no Chromium at \(candidates.joined(separator: ", ")) (apt-get install chromium)")
            return
        }
        let png = dir.appendingPathComponent("report.png")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=900,2400",
                             "--screenshot=\(png.path)", "file://\(html)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let data = try Data(contentsOf: png)
        #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // Width and height from the IHDR chunk.
        let width = data[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = data[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 900 && height == 2400)
        // Charts and tables compress far worse than a blank page (which is a few kB).
        #expect(data.count > 40_000, "screenshot is only \(data.count) bytes")
    }
}
