import Foundation
import NexusResults
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite struct GateCommandTests {
    static let fast = ["--no-store", "--quiet"] + CLI.smallMMc

    static func targetsFile(_ text: String) throws -> String {
        let path = try CLI.temporaryDirectory().appendingPathComponent("targets.txt").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func allTargetsMetExitsZero() throws {
        let targets = try Self.targetsFile("p95_latency < 10s\navailability >= 99.9%\nerror_rate < 0.1%\ncost_per_request <= $0\n")
        let r = try CLI.run(["gate", CLI.mmc, "--targets", targets, "--replications", "3"] + Self.fast)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("All 4 targets met."))
        #expect(r.stdout.contains("judged on the conservative end"))
    }

    @Test func aMissedTargetExitsOneAndWritesJUnitAndMarkdown() throws {
        let dir = try CLI.temporaryDirectory()
        // Output directories are not created (a misspelt one is an error), so the test makes it.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("reports"), withIntermediateDirectories: false)
        let junit = dir.appendingPathComponent("reports/gate.xml").path
        let markdown = dir.appendingPathComponent("summary.md").path
        try "previous step\n".write(toFile: markdown, atomically: true, encoding: .utf8)
        let targets = try Self.targetsFile("p95_latency < 10s\nmean_latency < 500ms\n")
        let r = try CLI.run(["gate", CLI.mmc, "--targets", targets, "--junit", junit, "--markdown", markdown] + Self.fast)
        #expect(r.status == 1, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("FAIL  mean_latency < 500ms"))
        #expect(r.stdout.contains("point estimate"))
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        let parser = XMLParser(data: Data(xml.utf8))
        #expect(parser.parse(), "JUnit XML is not well-formed")
        #expect(xml.contains("<testsuite name=\"mmc\" tests=\"2\" failures=\"1\""))
        let md = try String(contentsOfFile: markdown, encoding: .utf8)
        #expect(md.hasPrefix("previous step\n### ❌ nexus-sim gate: mmc — 1 of 2 targets missed"))
    }

    @Test func scenarioTargetsBlockIsUsedAndStored() throws {
        let dir = try CLI.temporaryDirectory()
        let db = dir.appendingPathComponent("r.sqlite").path
        let r = try CLI.run(["gate", CLI.mmc, "--db", db, "--quiet", "--set", "targets=[p95_latency < 10s, \"availability >= 99%\"]"] + CLI.smallMMc)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let store = try ResultsStore(path: db)
        let run = try #require(try store.latestRun())
        #expect(run.command == "gate")
        #expect(try store.targets(runID: run.id).map(\.target) == ["p95_latency < 10s", "availability >= 99%"])
    }

    @Test(arguments: [
        ("p59_latency < 2s\n", "targets.txt:1:1: error: targets[0]: unknown metric 'p59_latency'"),
        ("p95_latency < 2s\navailability >= 2s\n", "targets.txt:2:1: error: targets[1]"),
        ("p95_latency 2s\n", "targets.txt:1:13: error: targets[0]: expected a comparison"),
    ])
    func badTargetsExitTwoAndStoreNothing(text: String, message: String) throws {
        let dir = try CLI.temporaryDirectory()
        let targets = dir.appendingPathComponent("targets.txt").path
        try text.write(toFile: targets, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("r.sqlite").path
        let r = try CLI.run(["gate", CLI.mmc, "--targets", targets, "--db", db] + CLI.smallMMc)
        #expect(r.status == 2)
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    @Test func noTargetsIsInvalidInput() throws {
        let r = try CLI.run(["gate", CLI.mmc] + Self.fast)
        #expect(r.status == 2)
        #expect(r.stderr.contains("no targets to check"))
    }

    @Test func baselineTargetsValidate() throws {
        let r = try CLI.run(["validate", "Scenarios/baseline.yaml"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("5 targets"))
    }
}
