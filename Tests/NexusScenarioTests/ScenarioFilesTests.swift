import Foundation
import NexusGateway
import NexusScenario
import Testing

/// Every scenario shipped under `Scenarios/` loads.
@Suite("Shipped scenarios")
struct ScenarioFilesTests {
    /// The package's `Scenarios` folder, found from this file's path.
    static let scenariosDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // NexusScenarioTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Scenarios", isDirectory: true)

    /// Paths of every `*.yaml` under `Scenarios/`, recursively, sorted.
    static let files: [String] = {
        guard let enumerator = FileManager.default.enumerator(
            at: scenariosDirectory, includingPropertiesForKeys: nil) else { return [] }
        return enumerator.compactMap { $0 as? URL }
            .filter { $0.pathExtension == "yaml" }
            .map(\.path)
            .sorted()
    }()

    @Test("the scenarios folder is found and holds the validation case")
    func found() {
        #expect(Self.files.contains { $0.hasSuffix("Scenarios/validation/mmc.yaml") }, "found: \(Self.files)")
    }

    @Test("every scenario loads", arguments: files)
    func loads(path: String) throws {
        let scenario = try ScenarioLoader.load(path: path)
        #expect(!scenario.name.isEmpty)
        #expect(scenario.sourcePath == path)
        #expect(scenario.sourceText == (try String(contentsOfFile: path, encoding: .utf8)))
        #expect(!scenario.traffic.classes.isEmpty)
        #expect(abs(scenario.traffic.classes.reduce(0) { $0 + $1.share } - 1) < 1e-6)
    }

    static var mmcPath: String { scenariosDirectory.appendingPathComponent("validation/mmc.yaml").path }

    @Test("the M/M/c case with its defaults")
    func mmcDefaults() throws {
        let scenario = try ScenarioLoader.load(path: Self.mmcPath)
        #expect(scenario.name == "mmc")
        #expect(scenario.simulation.durationNanos == 11_111_000_000_000)
        #expect(scenario.simulation.warmupNanos == 500_000_000_000)
        #expect(scenario.simulation.drainNanos == 3_600_000_000_000)
        #expect(scenario.simulation.seed == 1)
        #expect(scenario.gateway.instances == 100)
        #expect(scenario.gateway.concurrencyPerInstance == 1)
        #expect(scenario.gateway.queueTimeoutNanos == nil)
        #expect(scenario.arrivalRate == 90)
        #expect(scenario.firstModel.timeToFirstToken == .exponential(mean: 1))
        #expect(scenario.firstModel.price.inputPerToken == .zero)
        #expect(scenario.providers[0].allowedClassifications.members == DataClassification.allCases)
        #expect(scenario.tiers[0].models == ["sim/server"])
        #expect(scenario.firstClass.inputTokens == .constant(0))
        #expect(scenario.parameters.map(\.name) == ["arrival_rate", "servers", "mean_service_s", "duration_s", "warmup_s"])
        #expect(scenario.parameters.allSatisfy { $0.value == $0.defaultValue })
    }

    @Test("the M/M/c case with --param and --set")
    func mmcParameters() throws {
        let scenario = try ScenarioLoader.load(
            path: Self.mmcPath,
            parameters: [("servers", "7"), ("arrival_rate", "5.5"), ("mean_service_s", "0.5")],
            overrides: [Override(path: "simulation.seed", value: "42")])
        #expect(scenario.gateway.instances == 7)
        #expect(scenario.arrivalRate == 5.5)
        #expect(scenario.firstModel.timeToFirstToken == .exponential(mean: 0.5))
        #expect(scenario.simulation.seed == 42)
        let servers = try #require(scenario.parameters.first { $0.name == "servers" })
        #expect(servers.value == "7")
        #expect(servers.defaultValue == "100")
        #expect(servers.description.contains("Gateway instances"))
        #expect(scenario.overrides == [Override(path: "simulation.seed", value: "42")])
    }

    @Test("an unknown --param for the M/M/c case")
    func mmcUnknownParam() throws {
        let error = #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.load(path: Self.mmcPath, parameters: [("sevrers", "7")])
        }
        #expect(error?.location == .commandLine("--param sevrers=7"))
        #expect(error?.suggestion == "servers")
    }
}
