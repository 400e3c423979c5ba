import Foundation
import NexusScenario
import NexusSim
import Testing

/// Every shipped scenario runs (shortened to 30 simulated minutes after its warm-up) with no
/// compliance violation: classification routing holds whatever fails.
@Suite struct ShippedScenariosTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Scenarios").standardized

    static var files: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test(arguments: files)
    func runsWithoutComplianceViolations(_ file: String) throws {
        var scenario = try ScenarioLoader.load(path: Self.root.appendingPathComponent(file).path)
        scenario.simulation.durationNanos = scenario.simulation.warmupNanos + 1_800_000_000_000
        let summary = Simulation(plan: SimulationPlan(scenario), baseSeed: 1).run()
        #expect(summary.requests > 0)
        #expect(summary.complianceViolations == 0)
        #expect(summary.count(.noCompliantRoute) == 0)
    }
}
