import Foundation
import NexusScenario
import NexusSim

/// Scenarios and helpers for the traffic tests: one free, instant model, so that only the traffic matters.
enum TrafficFixtures {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/traces").standardized
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Scenarios").standardized

    static func path(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    /// A scenario with the given `traffic:` body (indented by 2), two tiers (`a` → model a, `b` → model b)
    /// of free instant models, no warm-up and a long drain.
    static func scenario(duration: String = "1h", warmup: String = "0s", window: String = "1m", start: String = "2026-11-02T00:00:00Z",
                         traffic: String) throws -> Scenario {
        try ScenarioLoader.parse(text: """
            name: traffic-test
            simulation: {duration: \(duration), warmup: \(warmup), drain: 1h, series_window: \(window), start: "\(start)"}
            gateway: {instances: 1, concurrency: 100000}
            providers:
              - name: p
                classifications: [public, internal, confidential, restricted]
                models:
                  - {name: a, price: {input_per_mtok: $1, output_per_mtok: $2}, ttft: 1ms}
                  - {name: b, price: {input_per_mtok: $3, output_per_mtok: $4}, ttft: 1ms}
            tiers: [{name: a, models: [p/a]}, {name: b, models: [p/b]}]
            traffic:
            \(traffic)
            """)
    }

    /// Every arrival of replication 0, straight from the traffic source (no gateway).
    static func arrivals(_ scenario: Scenario, seed: UInt64 = 1) -> [Arrival] {
        let source = TrafficSource(plan: SimulationPlan(scenario), baseSeed: seed)
        var result: [Arrival] = []
        while let a = source.next() { result.append(a) }
        return result
    }

    static func run(_ scenario: Scenario, seed: UInt64 = 1) -> RunSummary {
        Simulation(plan: SimulationPlan(scenario), baseSeed: seed).run()
    }

    /// The data lines of a text file (header and blank lines left out).
    static func dataLines(_ name: String, header: Bool) throws -> [String] {
        let lines = try String(contentsOfFile: path(name), encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        return Array(lines.dropFirst(header ? 1 : 0)).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}
