import Foundation
import NexusGateway
import NexusScenario
import NexusSim
import Testing

/// import(export(s)) simulates like s, and routing.mode litellm behaves as LiteLLM in a whole run.
@Suite struct LiteLLMRoundTripTests {
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Scenarios").standardized

    private func run(_ scenario: Scenario) -> RunSummary {
        var s = scenario
        s.simulation.durationNanos = 40 * 60_000_000_000
        return Simulation(plan: SimulationPlan(s), baseSeed: 3).run()
    }

    @Test func importOfExportSimulatesLikeTheScenario() throws {
        let path = Self.scenarios.appendingPathComponent("litellm-router.yaml").path
        let original = try ScenarioLoader.load(path: path)
        let config = try LiteLLMConfigExporter.export(original)
        #expect(config.warnings.isEmpty)
        let imported = try LiteLLMConfigImporter.importConfig(text: config.configYAML, file: "config.yaml")
        let back = try ScenarioLoader.parse(text: imported.scenarioYAML, file: "imported.yaml", baseDirectory: Self.scenarios.path)
        #expect(back.routing.litellm == original.routing.litellm)
        #expect(back.providers == original.providers)
        #expect(back.tiers == original.tiers)
        let a = run(original), b = run(back)
        #expect(a.requests == b.requests)
        #expect(a.succeeded == b.succeeded)
        #expect(a.failed == b.failed)
        #expect(a.byModel.map(\.cost) == b.byModel.map(\.cost))
        #expect(a.latency.percentileMillis(95) == b.latency.percentileMillis(95))
        #expect(a.byModel.map(\.attempts) == b.byModel.map(\.attempts))
    }

    /// The throttled Azure window: its 429s (Retry-After 30 s) cool it down, so traffic moves to OpenAI, and
    /// retries within the group keep availability up.
    @Test func cooldownsMoveTrafficDuringTheThrottlingWindow() throws {
        let scenario = try ScenarioLoader.load(path: Self.scenarios.appendingPathComponent("litellm-router.yaml").path)
        let summary = run(scenario)
        #expect(summary.requests > 8000)
        #expect(Double(summary.succeeded) / Double(summary.requests) > 0.995)
        let index = Dictionary(uniqueKeysWithValues: scenario.qualifiedModels.enumerated().map { ($1.name, $0) })
        let azure = summary.byModel[index["azure/gpt-4o-mini"]!], openai = summary.byModel[index["openai/gpt-4o-mini"]!]
        // rpm 300 vs 600: a third of the chat group's attempts would go to Azure without the outage; the ten
        // throttled minutes (of 38 counted) take most of its share away.
        let share = Double(azure.attempts) / Double(azure.attempts + openai.attempts)
        #expect(share < 0.3)
        #expect(share > 0.15)
    }
}
