import Foundation
import NexusScenario
import Testing

@Suite("Targets")
struct TargetTests {
    @Test("targets parse with their units", arguments: [
        ("p95_latency < 2s", "p95_latency", TargetSpec.Comparison.lessThan, TargetSpec.Threshold.seconds(2)),
        ("latency_ms.p99 <= 500ms", "latency_ms.p99", .lessThanOrEqual, .seconds(0.5)),
        ("availability >= 99.9%", "availability", .greaterThanOrEqual, .percent(0.999)),
        ("error_rate<0.1%", "error_rate", .lessThan, .percent(0.001)),
        ("cost_per_request < $0.01", "cost_per_request", .lessThan, .dollars(0.01)),
        ("requests > 4k", "requests", .greaterThan, .number(4000)),
        ("availability ≥ 0.999", "availability", .greaterThanOrEqual, .number(0.999)),
    ])
    func parses(text: String, metric: String, comparison: TargetSpec.Comparison, threshold: TargetSpec.Threshold) throws {
        let t = try TargetSpec.parse(text, location: .file("t", line: 3, column: 5), keyPath: "targets[0]")
        #expect(t.metric == metric)
        #expect(t.comparison == comparison)
        switch (t.threshold, threshold) {
        case let (.seconds(a), .seconds(b)), let (.percent(a), .percent(b)), let (.dollars(a), .dollars(b)), let (.number(a), .number(b)):
            #expect(abs(a - b) <= 1e-12 * abs(b))
        default:
            Issue.record("threshold \(t.threshold), expected \(threshold)")
        }
        #expect(t.location == .file("t", line: 3, column: 5))
    }

    @Test("malformed targets name the column of the problem", arguments: [
        ("p95_latency 2s", 13, "expected a comparison"),
        ("p95_latency == 2s", 13, "expected a comparison"),
        ("p95_latency <", 14, "expected a value"),
        ("p95_latency < fast", 15, "found 'fast'"),
        ("< 2s", 1, "expected a metric name"),
    ])
    func malformed(text: String, column: Int, message: String) throws {
        let error = try #require(throws: ScenarioError.self) {
            try TargetSpec.parse(text, location: .file("t", line: 7, column: 1), keyPath: "targets[2]")
        }
        #expect(error.location == .file("t", line: 7, column: column))
        #expect(error.keyPath == "targets[2]")
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test("the scenario's targets block is loaded with locations")
    func scenarioBlock() throws {
        let scenario = try parse(Fixture.minimal + """

            targets:
              - p95_latency < 2s
              - availability >= 99.9%
            """)
        #expect(scenario.targets.map(\.text) == ["p95_latency < 2s", "availability >= 99.9%"])
        #expect(scenario.targets[1].location == .file(Fixture.file, line: 27, column: 5))
        #expect(scenario.targets[1].keyPath == "targets[1]")
    }

    @Test("a malformed target in the scenario is an error at its line")
    func scenarioBlockError() throws {
        let error = try parseError(Fixture.minimal + """

            targets:
              - p95_latency < 2s
              - availability => 99.9%
            """)
        #expect(error.location == .file(Fixture.file, line: 27, column: 18))
        #expect(error.keyPath == "targets[1]")
    }

    @Test("a misspelt targets key suggests 'targets'")
    func misspeltBlock() throws {
        let error = try parseError(Fixture.minimal + "\ntarget:\n  - p95_latency < 2s\n")
        #expect(error.suggestion == "targets")
    }

    @Test("a targets file: comments, blank lines, list dashes and quotes; errors at file:line:column")
    func targetsFile() throws {
        let targets = try TargetFile.parse(text: """
            # CI targets
            p95_latency < 2s

              - "availability >= 99.9%"   # brief
            - error_rate < 0.1%
            """, file: "ci.txt")
        #expect(targets.map(\.text) == ["p95_latency < 2s", "availability >= 99.9%", "error_rate < 0.1%"])
        #expect(targets[1].location == .file("ci.txt", line: 4, column: 6))
        let error = try #require(throws: ScenarioError.self) { try TargetFile.parse(text: "\n\np95 < 2 lightyears\n", file: "ci.txt") }
        #expect(error.location == .file("ci.txt", line: 3, column: 7))
        #expect(throws: ScenarioError.self) { try TargetFile.parse(text: "# nothing\n", file: "empty.txt") }
    }

    @Test("simulation.warmup: mser5 selects MSER-5 and needs enough windows")
    func mser5Warmup() throws {
        let scenario = try parse(try replacing("  duration: 1h", with: "  duration: 1h\n  warmup: mser5\n  series_window: 30s"))
        #expect(scenario.simulation.warmupMethod == .mser5)
        #expect(scenario.simulation.warmupNanos == 0)
        let error = try parseError(try replacing("  duration: 1h", with: "  duration: 30m\n  warmup: mser5"))
        #expect(error.keyPath == "simulation.warmup")
        #expect(error.location == .file(Fixture.file, line: 4, column: 11))
        #expect(error.message.contains("MSER-5 needs at least 50 series windows, found 30"), "\(error.message)")
    }
}
