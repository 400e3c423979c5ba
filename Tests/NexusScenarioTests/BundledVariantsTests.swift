import Foundation
import NexusScenario
import Testing

/// The bundled variants are written as `extends: baseline.yaml` plus their differences. Each must decode to
/// exactly the scenario its former self-contained copy (kept in Tests/Fixtures/scenarios-before-extends)
/// decoded to: same simulation settings, gateway, routing, providers, tiers, traffic, budget and cache, so the
/// same seed simulates the same results.
@Suite("Bundled variants")
struct BundledVariantsTests {
    static let fixtures = ScenarioFilesTests.scenariosDirectory.deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/scenarios-before-extends", isDirectory: true)

    static let variants = ["provider-outage", "traffic-spike", "free-tier-saturation", "cache-ttl", "business-week", "replay-azure",
                           "month-forecast"]

    /// Loads the variant as shipped and its former copy (whose relative references resolve in `Scenarios/`).
    static func pair(_ name: String, parameters: [(String, String)] = []) throws -> (now: Scenario, before: Scenario) {
        let path = ScenarioFilesTests.scenariosDirectory.appendingPathComponent("\(name).yaml").path
        let oldText = try String(contentsOf: fixtures.appendingPathComponent("\(name).yaml"), encoding: .utf8)
        let now = try ScenarioLoader.load(path: path, parameters: parameters)
        let before = try ScenarioLoader.parse(text: oldText, file: "\(name).yaml (before extends)",
                                              baseDirectory: ScenarioFilesTests.scenariosDirectory.path, parameters: parameters)
        return (now, before)
    }

    @Test("each variant extends baseline.yaml and is a fraction of its former length", arguments: variants)
    func extendsBaseline(_ name: String) throws {
        let (now, before) = try Self.pair(name)
        #expect(now.baseSources.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["baseline.yaml"])
        #expect(now.sourceText.split(separator: "\n").count * 2 < before.sourceText.split(separator: "\n").count)
    }

    @Test("each variant decodes to the scenario its former copy did", arguments: variants)
    func sameScenario(_ name: String) throws {
        let (now, before) = try Self.pair(name)
        #expect(now.name == before.name)
        #expect(now.description == before.description)
        #expect(now.simulation == before.simulation)
        #expect(now.gateway == before.gateway)
        #expect(now.routing == before.routing)
        #expect(now.providers == before.providers)
        #expect(now.tiers == before.tiers)
        #expect(now.traffic == before.traffic)
        #expect(now.budget == before.budget)
        #expect(now.cache == before.cache)
        #expect(Dictionary(uniqueKeysWithValues: now.parameters.map { ($0.name, $0.value) })
            == Dictionary(uniqueKeysWithValues: before.parameters.map { ($0.name, $0.value) }))
        // Variants that had no targets now inherit the baseline's (the product brief's) targets.
        if !before.targets.isEmpty { #expect(now.targets.map(\.text) == before.targets.map(\.text)) }
        #expect(now.warnings.isEmpty)
    }

    @Test("parameters change a variant as they changed its former copy")
    func sameWithParameters() throws {
        for (name, parameters) in [("provider-outage", [("fallbacks", "false"), ("daily_requests", "3M")]),
                                   ("traffic-spike", [("policy", "hpa"), ("spike", "4")]),
                                   ("free-tier-saturation", [("free_rpd", "50")]),
                                   ("cache-ttl", [("ttl_simple", "10m")]),
                                   ("business-week", [("instances", "9"), ("peak_to_trough", "2")]),
                                   ("replay-azure", [("rate_scale", "3")]),
                                   ("month-forecast", [("budget_action", "downgrade"), ("daily_requests", "20k"), ("users", "50")])] {
            let (now, before) = try Self.pair(name, parameters: parameters)
            #expect(now.gateway == before.gateway, "\(name)")
            #expect(now.routing == before.routing, "\(name)")
            #expect(now.providers == before.providers, "\(name)")
            #expect(now.tiers == before.tiers, "\(name)")
            #expect(now.traffic == before.traffic, "\(name)")
        }
    }
}
