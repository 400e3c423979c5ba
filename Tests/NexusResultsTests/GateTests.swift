import Foundation
import NexusResults
import NexusScenario
import Testing

@Suite("Gate: targets, verdicts, JUnit and Markdown")
struct GateTests {
    static func target(_ text: String) throws -> GateTarget {
        try GateTarget(TargetSpec.parse(text, location: .file("s.yaml", line: 40, column: 5), keyPath: "targets[0]"))
    }

    @Test("aliases and units map onto the contract's metrics", arguments: [
        ("p95_latency < 2s", "latency_ms.p95", 2000.0),
        ("p99_latency < 1.5s", "latency_ms.p99", 1500),
        ("ttft_p95 <= 800ms", "ttft_ms.p95", 800),
        ("mean_latency < 1.5s", "latency_ms.mean", 1500),
        ("availability >= 99.9%", "availability", 0.999),
        ("error_rate < 0.1%", "error_rate", 0.001),
        ("cost_per_request < $0.01", "cost_usd.per_request", 0.01),
        ("cost_per_conversation < $0.10", "cost_usd.per_conversation", 0.1),
        ("cost_usd.total < $50", "cost_usd.total", 50),
        ("compliance_violations <= 0", "compliance_violations", 0),
    ])
    func resolves(text: String, metric: String, threshold: Double) throws {
        let t = try Self.target(text)
        #expect(t.metric == metric)
        #expect(abs(t.threshold - threshold) <= 1e-12)
    }

    @Test("an unknown metric is an error at its location with the nearest name")
    func unknownMetric() throws {
        let error = try #require(throws: ScenarioError.self) { try Self.target("p59_latency < 2s") }
        #expect(error.location == .file("s.yaml", line: 40, column: 5))
        #expect(error.suggestion == "p95_latency" || error.suggestion == "p50_latency")
        #expect(error.message.contains("unknown metric 'p59_latency'"))
        let dotted = try #require(throws: ScenarioError.self) { try Self.target("latency_ms.p59 < 2s") }
        #expect(dotted.suggestion == "latency_ms.p95" || dotted.suggestion == "latency_ms.p50")
    }

    @Test("a unit that does not fit the metric is an error", arguments: ["p95_latency < 99%", "availability > 2s", "cost_per_request < 5ms", "requests > $3"])
    func unitMismatch(text: String) throws {
        let error = try #require(throws: ScenarioError.self) { try Self.target(text) }
        #expect(error.message.contains("write the value"), "\(error.message)")
    }

    @Test("one replication: judged on the point estimate; several: on the conservative end of the interval")
    func basis() throws {
        let lessThan = try Self.target("p95_latency < 2s")
        let atLeast = try Self.target("availability >= 99%")
        let point = TargetVerdict(target: lessThan, estimate: Estimate([1900]))
        #expect(point.basis == .pointEstimate && point.judgedValue == 1900 && point.passed)
        // Mean 1900 ms but the interval reaches above 2 s: missed (conservative, not lucky).
        let wide = TargetVerdict(target: lessThan, estimate: Estimate([1700, 1900, 2100]))
        #expect(wide.basis == .upperBound)
        #expect(wide.judgedValue > 2000 && !wide.passed)
        let narrow = TargetVerdict(target: lessThan, estimate: Estimate([1890, 1900, 1910]))
        #expect(narrow.passed && narrow.judgedValue == narrow.ci95!.upperBound)
        let lower = TargetVerdict(target: atLeast, estimate: Estimate([0.995, 0.994, 0.996]))
        #expect(lower.basis == .lowerBound && lower.judgedValue == lower.ci95!.lowerBound && lower.passed)
        let undefined = TargetVerdict(target: lessThan, estimate: Estimate([.nan]))
        #expect(!undefined.passed)
    }

    @Test("a gate on a real run: passing and failing targets")
    func gateOnRun() throws {
        // M/M/c, c = 10, λ = 8/s, 1/μ = 1 s: mean response ≈ 1.2 s, p95 ≈ 3.6 s.
        let report = Scenarios.report(try Scenarios.small(), replications: 3)
        let targets = try ["p95_latency < 10s", "availability >= 99.9%", "mean_latency < 1s", "cost_per_request <= $0"].map(Self.target)
        let gate = GateReport(report: report, targets: targets, targetsSource: "test")
        #expect(gate.verdicts.map(\.passed) == [true, true, false, true])
        #expect(!gate.passed && gate.missedCount == 1)
        #expect(gate.verdicts[2].mean > 1000 && gate.verdicts[2].mean < 1500)
        #expect(gate.text.contains("FAIL  mean_latency < 1s"))
        #expect(gate.text.contains("conservative end"))
    }

    @Test("the JUnit XML is valid JUnit: testsuites/testsuite/testcase/failure with their required attributes")
    func junit() throws {
        let report = Scenarios.report(try Scenarios.small(), replications: 2)
        let targets = try ["p95_latency < 10s", "mean_latency < 1s", "availability >= 99.9%"].map(Self.target)
        let gate = GateReport(report: report, targets: targets, targetsSource: "a & b <targets>")
        let xml = gate.junitXML(elapsedSeconds: 1.25, timestamp: Date(timeIntervalSince1970: 1_700_000_000))
        let tree = XMLTree(xml)
        #expect(tree.isWellFormed, "\(String(describing: tree.parseError))")
        let root = try #require(tree.elements.first)
        #expect(root.name == "testsuites")
        let suites = tree.all("testsuite")
        #expect(suites.count == 1)
        let suite = suites[0]
        #expect(suite.path == ["testsuites"])
        for key in ["name", "tests", "failures", "errors", "time", "timestamp", "hostname"] {
            #expect(suite.attributes[key] != nil, "testsuite lacks \(key)")
        }
        #expect(suite.attributes["tests"] == "3" && suite.attributes["failures"] == "1" && suite.attributes["errors"] == "0")
        #expect(suite.attributes["timestamp"] == "2023-11-14T22:13:20")
        #expect(Double(suite.attributes["time"]!) == 1.25)
        let cases = tree.all("testcase")
        #expect(cases.count == 3)
        for c in cases {
            #expect(c.path == ["testsuites", "testsuite"])
            #expect(c.attributes["name"] != nil && c.attributes["classname"] != nil && Double(c.attributes["time"] ?? "") != nil)
        }
        #expect(cases.map { $0.attributes["name"]! } == ["p95_latency < 10s", "mean_latency < 1s", "availability >= 99.9%"])
        let failures = tree.all("failure")
        #expect(failures.count == 1)
        #expect(failures[0].path == ["testsuites", "testsuite", "testcase"])
        #expect(failures[0].attributes["type"] == "TargetMissed")
        #expect(failures[0].attributes["message"]?.contains("mean_latency < 1s missed") == true)
        #expect(failures[0].attributes["message"]?.contains("95 % CI [") == true)
        #expect(tree.all("property").contains { $0.attributes["name"] == "targets" && $0.attributes["value"] == "a & b <targets>" })
    }

    @Test("the Markdown summary has a verdict heading and one row per target")
    func markdown() throws {
        let report = Scenarios.report(try Scenarios.small(), replications: 1)
        let gate = GateReport(report: report, targets: try ["p95_latency < 10s", "mean_latency < 1s"].map(Self.target), targetsSource: "t.txt")
        let md = gate.markdown
        #expect(md.hasPrefix("### ❌ nexus-sim gate: mmc — 1 of 2 targets missed"))
        #expect(md.contains("point estimate"))
        let rows = md.split(separator: "\n").filter { $0.hasPrefix("| ✅") || $0.hasPrefix("| ❌") }
        #expect(rows.count == 2)
        #expect(rows[1].contains("`mean_latency < 1s`") && rows[1].hasPrefix("| ❌"))
    }
}
