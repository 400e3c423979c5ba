import Foundation
import NexusScenario
import NexusSim
import Testing

/// The bundled variants, now written as `extends: baseline.yaml`, simulate exactly what their former
/// self-contained copies (Tests/Fixtures/scenarios-before-extends) simulated with the same seed: the whole
/// run summary, encoded, is byte for byte the same. Runs are shortened to 15 simulated minutes from 13:50
/// (across the outage of provider-outage, into the spike of traffic-spike) to keep the test quick.
@Suite struct BundledVariantsRunTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
    static let variants = ["provider-outage", "traffic-spike", "free-tier-saturation", "cache-ttl", "business-week", "replay-azure",
                                   "month-forecast"]

    static func shortened(_ scenario: Scenario) -> Scenario {
        var s = scenario
        let minute: Int64 = 60_000_000_000
        if s.traffic.trace == nil {
            s.simulation.warmupNanos = 830 * minute
            s.simulation.durationNanos = 845 * minute
        }
        s.simulation.drainNanos = 2 * minute
        return s
    }

    @Test(arguments: variants)
    func sameRunAsTheFormerCopy(_ name: String) throws {
        let scenarios = Self.root.appendingPathComponent("Scenarios")
        let now = try ScenarioLoader.load(path: scenarios.appendingPathComponent("\(name).yaml").path,
                                          parameters: [("daily_requests", "100k")].filter { _ in name != "replay-azure" })
        let oldText = try String(contentsOf: Self.root.appendingPathComponent("Tests/Fixtures/scenarios-before-extends/\(name).yaml"), encoding: .utf8)
        let before = try ScenarioLoader.parse(text: oldText, file: "\(name).yaml", baseDirectory: scenarios.path,
                                              parameters: [("daily_requests", "100k")].filter { _ in name != "replay-azure" })
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let a = Simulation(plan: SimulationPlan(Self.shortened(now)), baseSeed: now.simulation.seed).run()
        let b = Simulation(plan: SimulationPlan(Self.shortened(before)), baseSeed: before.simulation.seed).run()
        #expect(a.requests > 100)
        #expect(a.requests == b.requests)
        #expect(try encoder.encode(a) == (try encoder.encode(b)))
    }
}
