import Foundation
import NexusGateway
import NexusScenario
import Testing

/// `extends:`: merge by key path, named list items by name, deletions, cycles, missing files, and error
/// locations that name the file each value came from.
@Suite("extends")
struct ExtendsTests {
    /// A folder of scenario files written for one test, removed afterwards.
    final class Folder {
        let path: String
        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("extends-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        @discardableResult
        func write(_ name: String, _ text: String) throws -> String {
            let file = "\(path)/\(name)"
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }
    }

    /// `Fixture.minimal` plus a parameter, a second provider, a second class and a target.
    static let base = """
        name: base
        parameters:
          rate: {default: 12/s, description: "Arrival rate"}
        simulation:
          duration: 1h
          seed: 7
        gateway:
          instances: 2
          concurrency: 10
        providers:
          - name: sim
            classifications: [public, internal]
            models:
              - name: server
                price: {input_per_mtok: $2.50, output_per_mtok: $10}
                ttft: {dist: lognormal, median: 800ms, p95: 3s}
          - name: other
            models:
              - name: small
                price: {input_per_mtok: $1, output_per_mtok: $2}
                ttft: 200ms
        tiers:
          - name: standard
            models: [sim/server, other/small]
        traffic:
          arrivals: {process: poisson, rate: "${rate}"}
          classes:
            - name: chat
              share: 60%
              tier: standard
              input_tokens: 1000
              output_tokens: 200
            - name: batch
              share: 40%
              tier: standard
              input_tokens: 3000
              output_tokens: 500
        targets:
          - p95_latency < 2s
        """
    // Line map of `base`: 16 ttft of sim/server; 21 ttft of other/small; 24 the tier's models (other/small at column 26).

    @Test("mappings merge by key path; untouched sections are the base's")
    func mergesByKeyPath() throws {
        let folder = try Folder()
        try folder.write("base.yaml", Self.base)
        let file = try folder.write("variant.yaml", """
            extends: base.yaml
            name: variant
            simulation:
              duration: 2h
            gateway:
              concurrency: 50
            """)
        let scenario = try ScenarioLoader.load(path: file)
        let base = try ScenarioLoader.load(path: "\(folder.path)/base.yaml")
        #expect(scenario.name == "variant")
        #expect(scenario.simulation.durationNanos == 7_200_000_000_000)
        #expect(scenario.simulation.seed == 7)
        #expect(scenario.gateway.instances == 2)
        #expect(scenario.gateway.concurrencyPerInstance == 50)
        #expect(scenario.providers == base.providers)
        #expect(scenario.tiers == base.tiers)
        #expect(scenario.traffic == base.traffic)
        #expect(scenario.targets == base.targets)
        #expect(scenario.baseSources.map(\.path) == ["\(folder.path)/base.yaml"])
        #expect(scenario.baseSources.first?.text == Self.base)
        #expect(scenario.sourceText.hasPrefix("extends: base.yaml"))
    }

    @Test("named list items merge by name, new names are appended, remove: true deletes")
    func mergesListItemsByName() throws {
        let folder = try Folder()
        try folder.write("base.yaml", Self.base)
        let file = try folder.write("variant.yaml", """
            extends: base.yaml
            providers:
              - name: sim
                models:
                  - name: server
                    error_rate: 2%
                  - name: large
                    price: {input_per_mtok: $5, output_per_mtok: $15}
                    ttft: 1s
              - name: other
                remove: true
            tiers:
              - name: standard
                models: [sim/server, sim/large]
            traffic:
              classes:
                - {name: batch, remove: true}
                - {name: chat, share: 50%}
                - {name: agent, share: 50%, tier: standard, input_tokens: 500, output_tokens: 100}
            """)
        let scenario = try ScenarioLoader.load(path: file)
        #expect(scenario.providers.map(\.name) == ["sim"])
        #expect(scenario.providers[0].models.map(\.name) == ["server", "large"])
        let server = scenario.providers[0].models[0]
        #expect(server.errorRates == [500: 0.02])
        #expect(server.timeToFirstToken == .lognormal(median: 0.8, p95: 3))
        #expect(server.price.inputPerToken == USD(2.5 / 1e6))
        #expect(scenario.tiers[0].models == ["sim/server", "sim/large"])
        #expect(scenario.traffic.classes.map(\.name) == ["chat", "agent"])
        #expect(scenario.traffic.classes.map(\.share) == [0.5, 0.5])
        #expect(scenario.traffic.classes[0].inputTokens == .constant(1000))
    }

    @Test("a list of values, a scalar and a distribution of another kind replace; null drops the value")
    func replacements() throws {
        let folder = try Folder()
        try folder.write("base.yaml", Self.base)
        let file = try folder.write("variant.yaml", """
            extends: base.yaml
            providers:
              - name: sim
                classifications: [public]
                models:
                  - name: server
                    ttft: {dist: gamma, mean: 1s, cv: 0.5}
            targets: [availability >= 99%]
            parameters:
              rate: 20/s
            simulation:
              seed: ~
            """)
        let scenario = try ScenarioLoader.load(path: file)
        #expect(scenario.providers[0].allowedClassifications == [.public])
        #expect(scenario.providers[0].models[0].timeToFirstToken == .gamma(mean: 1, cv: 0.5))
        #expect(scenario.targets.count == 1)
        #expect(scenario.simulation.seed == 1)  // the loader's default once the inherited 7 is dropped
        #expect(scenario.parameters.map(\.name) == ["rate"])
        #expect(scenario.parameters[0].value == "20/s")
        #expect(scenario.traffic.arrivals == .poisson(ratePerSecond: 20))
    }

    @Test("parameters declared in the base are usable in the extension and settable with --param")
    func inheritedParameters() throws {
        let folder = try Folder()
        try folder.write("base.yaml", Self.base)
        let file = try folder.write("variant.yaml", """
            extends: base.yaml
            parameters:
              instances: {default: 3, description: "Gateway instances"}
            gateway:
              instances: ${instances}
            traffic:
              arrivals: {rate: "${rate}"}
            """)
        let scenario = try ScenarioLoader.load(path: file, parameters: [("rate", "30/s"), ("instances", "5")])
        #expect(scenario.parameters.map(\.name) == ["rate", "instances"])
        #expect(scenario.parameters[0].description == "Arrival rate")
        #expect(scenario.gateway.instances == 5)
        #expect(scenario.traffic.arrivals == .poisson(ratePerSecond: 30))
    }

    @Test("a chain of bases resolves nearest last, each relative to its own file's folder")
    func chainAcrossFolders() throws {
        let folder = try Folder()
        try folder.write("shared/prices.json", #"{"m": {"input_cost_per_token": 0.000001, "output_cost_per_token": 0.000002, "max_input_tokens": 9000}}"#)
        try folder.write("shared/base.yaml", Self.base.replacingOccurrences(of: "name: base\n", with: "name: base\npricing: {litellm: prices.json}\n"))
        try folder.write("shared/middle.yaml", "extends: base.yaml\nsimulation: {duration: 3h}\n")
        let file = try folder.write("team/variant.yaml", """
            extends: ../shared/middle.yaml
            providers:
              - name: other
                models:
                  - name: small
                    price: m
            """)
        let scenario = try ScenarioLoader.load(path: file)
        #expect(scenario.simulation.durationNanos == 10_800_000_000_000)
        #expect(scenario.providers[1].models[0].contextWindowTokens == 9000)
        #expect(scenario.providers[1].models[0].price.outputPerToken == USD(0.000002))
        #expect(scenario.baseSources.count == 2)
    }

    @Test("errors name the base file for inherited values and the extending file for overridden ones")
    func errorLocations() throws {
        let folder = try Folder()
        let basePath = try folder.write("base.yaml", Self.base.replacingOccurrences(of: "models: [sim/server, other/small]", with: "models: [sim/server, other/smal]"))
        let file = try folder.write("variant.yaml", "extends: base.yaml\nname: variant\n")
        let inherited = #expect(throws: ScenarioError.self) { try ScenarioLoader.load(path: file) }
        #expect(inherited?.location == .file(basePath, line: 24, column: 26))
        #expect(inherited?.keyPath == "tiers[0].models[1]")

        try folder.write("base.yaml", Self.base)
        let overriding = try folder.write("bad.yaml", """
            extends: base.yaml
            traffic:
              classes:
                - name: chat
                  share: 160%
            """)
        let overridden = #expect(throws: ScenarioError.self) { try ScenarioLoader.load(path: overriding) }
        #expect(overridden?.location == .file(overriding, line: 5, column: 14))
        #expect(overridden?.keyPath == "traffic.classes[0].share")
    }

    @Test("a missing base, a cycle and a misnamed deletion are errors at the value that causes them")
    func badExtends() throws {
        let folder = try Folder()
        let missing = try folder.write("missing.yaml", "name: x\nextends: nowhere.yaml\n")
        let noFile = #expect(throws: ScenarioError.self) { try ScenarioLoader.load(path: missing) }
        #expect(noFile?.location == .file(missing, line: 2, column: 10))
        #expect(noFile?.message.contains("no base scenario '\(folder.path)/nowhere.yaml'") == true)

        let a = try folder.write("a.yaml", "extends: b.yaml\nname: a\n")
        let b = try folder.write("b.yaml", "name: b\nextends: a.yaml\n")
        let cycle = #expect(throws: ScenarioError.self) { try ScenarioLoader.load(path: a) }
        #expect(cycle?.location == .file(b, line: 2, column: 10))
        #expect(cycle?.message == "'extends' makes a cycle: a.yaml → b.yaml → a.yaml")
        let selfCycle = try folder.write("self.yaml", "extends: ./self.yaml\n")
        #expect(throws: ScenarioError.self) { try ScenarioLoader.load(path: selfCycle) }

        try folder.write("base.yaml", Self.base)
        let typo = try folder.write("typo.yaml", "extends: base.yaml\ntraffic:\n  classes:\n    - {name: bach, remove: true}\n")
        let removal = #expect(throws: ScenarioError.self) { try ScenarioLoader.load(path: typo) }
        #expect(removal?.location == .file(typo, line: 4, column: 7))
        #expect(removal?.suggestion == "batch")
        let extra = try folder.write("extra.yaml", "extends: base.yaml\ntraffic:\n  classes:\n    - {name: batch, remove: true, share: 10%}\n")
        #expect(throws: ScenarioError.self) { try ScenarioLoader.load(path: extra) }

        let parameterised = try folder.write("param.yaml", "extends: ${base}.yaml\n")
        #expect(throws: ScenarioError.self) { try ScenarioLoader.load(path: parameterised) }
        let file = try folder.write("ok.yaml", "extends: base.yaml\n")
        let set = #expect(throws: ScenarioError.self) {
            try ScenarioLoader.load(path: file, overrides: [Override(path: "extends", value: "other.yaml")])
        }
        #expect(set?.location == .commandLine("--set extends=other.yaml"))
    }

    @Test("--set applies after the merge, to inherited and overridden values alike")
    func overridesAfterMerge() throws {
        let folder = try Folder()
        try folder.write("base.yaml", Self.base)
        let file = try folder.write("variant.yaml", "extends: base.yaml\ngateway: {instances: 4}\n")
        let scenario = try ScenarioLoader.load(path: file, overrides: [
            Override(path: "gateway.instances", value: "8"), Override(path: "providers.other.models.small.ttft", value: "300ms"),
        ])
        #expect(scenario.gateway.instances == 8)
        #expect(scenario.providers[1].models[0].timeToFirstToken == .constant(0.3))
    }
}
