import Foundation
import NexusGateway
import NexusScenario
import Testing

@Suite("--set overrides")
struct OverridesTests {
    @Test("a nested key")
    func nestedKey() throws {
        let set = Override(path: "gateway.instances", value: "7")
        let scenario = try parse(Fixture.minimal, overrides: [set])
        #expect(scenario.gateway.instances == 7)
        #expect(scenario.gateway.concurrencyPerInstance == 10)
        #expect(scenario.overrides == [set])
        // The recorded source text is the file's, not the edited tree.
        #expect(scenario.sourceText == Fixture.minimal)
    }

    @Test("overrides apply in order; the last one wins")
    func order() throws {
        let sets = [Override(path: "gateway.instances", value: "7"), Override(path: "gateway.instances", value: "9")]
        let scenario = try parse(Fixture.minimal, overrides: sets)
        #expect(scenario.gateway.instances == 9)
        #expect(scenario.overrides == sets)
    }

    @Test("list items by index")
    func byIndex() throws {
        let scenario = try parse(Fixture.twoClasses, overrides: [
            Override(path: "traffic.classes.0.share", value: "60%"),
            Override(path: "traffic.classes.1.share", value: "0.4"),
        ])
        #expect(scenario.traffic.classes.map(\.name) == ["chat", "batch"])
        #expect(abs(scenario.traffic.classes[0].share - 0.6) < 1e-12)
        #expect(abs(scenario.traffic.classes[1].share - 0.4) < 1e-12)
    }

    @Test("list items by name, adding a missing optional key")
    func byName() throws {
        let scenario = try parse(Fixture.twoClasses, overrides: [
            Override(path: "providers.sim.models.server.error_rate", value: "1%"),
            Override(path: "traffic.classes.batch.max_output_tokens", value: "8k"),
        ])
        #expect(abs(scenario.firstModel.errorRate - 0.01) < 1e-12)
        #expect(scenario.traffic.classes[1].maxOutputTokens == 8000)
        #expect(scenario.traffic.classes[0].maxOutputTokens == 4096)
    }

    @Test("a missing optional key is added")
    func addsKey() throws {
        #expect(try parse(Fixture.minimal).gateway.queueTimeoutNanos == nil)
        let scenario = try parse(Fixture.minimal, overrides: [Override(path: "gateway.queue_timeout", value: "30s")])
        #expect(scenario.gateway.queueTimeoutNanos == 30_000_000_000)
    }

    @Test("a missing section is added")
    func addsSection() throws {
        let text = try replacing("simulation:\n  duration: 1h\n", with: "")
        let scenario = try parse(text, overrides: [Override(path: "simulation.duration", value: "10m")])
        #expect(scenario.simulation.durationNanos == 600_000_000_000)
    }

    @Test("a list value")
    func listValue() throws {
        let text = try replacing("ttft: 800ms", with: "ttft: 800ms\n      - name: fast\n        price: {input_per_mtok: $1, output_per_mtok: $2}\n        ttft: 100ms")
        #expect(try parse(text).tiers[0].models == ["sim/server"])
        let scenario = try parse(text, overrides: [Override(path: "tiers.0.models", value: "[sim/fast, sim/server]")])
        #expect(scenario.tiers[0].models == ["sim/fast", "sim/server"])
        let one = try parse(text, overrides: [Override(path: "tiers.standard.models", value: "[fast]")])
        #expect(one.tiers[0].models == ["sim/fast"])
    }

    @Test("a mapping value replaces the whole section")
    func mappingValue() throws {
        let scenario = try parse(Fixture.minimal, overrides: [
            Override(path: "gateway", value: "{instances: 3, concurrency: 4, overhead: 1ms}"),
        ])
        #expect(scenario.gateway.instances == 3)
        #expect(scenario.gateway.concurrencyPerInstance == 4)
        #expect(scenario.gateway.overheadNanos == 1_000_000)
    }

    @Test("a distribution value")
    func distributionValue() throws {
        let scenario = try parse(Fixture.minimal, overrides: [
            Override(path: "providers.0.models.0.ttft", value: "{dist: exponential, mean: 2s}"),
        ])
        #expect(scenario.firstModel.timeToFirstToken == .exponential(mean: 2))
    }

    @Test("an override may use a declared parameter")
    func parameterInOverride() throws {
        let text = try replacing("name: minimal", with: "name: minimal\nparameters:\n  servers: 5")
        let scenario = try parse(text, parameters: [("servers", "6")],
                                 overrides: [Override(path: "gateway.instances", value: "${servers}")])
        #expect(scenario.gateway.instances == 6)
    }

    @Test("an index out of range is an error on the command line")
    func indexOutOfRange() throws {
        let error = try parseError(Fixture.minimal, overrides: [Override(path: "traffic.classes.5.share", value: "1")])
        #expect(error.location == .commandLine("--set traffic.classes.5.share=1"))
        #expect(error.keyPath == "traffic.classes.5")
        #expect(error.message.contains("index 5 is out of range"))
        #expect(error.message.contains("1 items"))
    }

    @Test("an unknown item name is an error with a suggestion")
    func unknownItemName() throws {
        let error = try parseError(Fixture.minimal, overrides: [
            Override(path: "providers.smi.models.server.error_rate", value: "1%"),
        ])
        #expect(error.location == .commandLine("--set providers.smi.models.server.error_rate=1%"))
        #expect(error.keyPath == "providers.smi")
        #expect(error.suggestion == "sim")
        #expect(error.message.contains("no item named 'smi'"))

        let nested = try parseError(Fixture.minimal, overrides: [
            Override(path: "providers.sim.models.sever.error_rate", value: "1%"),
        ])
        #expect(nested.keyPath == "providers.sim.models.sever")
        #expect(nested.suggestion == "server")
    }

    @Test("an unknown key added by --set is reported at the flag, with a suggestion")
    func unknownKeyFromCommandLine() throws {
        let flag = Override(path: "gateway.instancs", value: "7")
        let error = try parseError(Fixture.minimal, overrides: [flag])
        #expect(error.location == .commandLine("--set gateway.instancs=7"))
        #expect(error.keyPath == "gateway.instancs")
        #expect(error.suggestion == "instances")
    }

    @Test("a bad value from --set is reported at the flag")
    func badValueFromCommandLine() throws {
        let error = try parseError(Fixture.minimal, overrides: [Override(path: "gateway.instances", value: "0")])
        #expect(error.location == .commandLine("--set gateway.instances=0"))
        #expect(error.keyPath == "gateway.instances")
        #expect(error.message.contains("found 0"))

        let share = try parseError(Fixture.minimal, overrides: [Override(path: "traffic.classes.chat.share", value: "150%")])
        #expect(share.location == .commandLine("--set traffic.classes.chat.share=150%"))
        #expect(share.keyPath == "traffic.classes[0].share")
    }

    @Test("a value that is not valid YAML is reported at the flag")
    func invalidYAMLValue() throws {
        let error = try parseError(Fixture.minimal, overrides: [Override(path: "tiers.0.models", value: "[sim/server")])
        #expect(error.location == .commandLine("--set tiers.0.models=[sim/server"))
        #expect(error.message.contains("YAML"))
    }

    @Test("an empty value sets an empty string")
    func emptyValue() throws {
        let error = try parseError(Fixture.minimal, overrides: [Override(path: "gateway.instances", value: "")])
        #expect(error.location == .commandLine("--set gateway.instances="))
        #expect(error.message.contains("expected a whole number"))
    }

    @Test("malformed paths", arguments: ["", "gateway..instances", ".gateway", "gateway."])
    func malformedPath(path: String) throws {
        let error = try parseError(Fixture.minimal, overrides: [Override(path: path, value: "1")])
        #expect(error.location == .commandLine("--set \(path)=1"))
        #expect(error.message.contains("dotted key path"))
    }

    @Test("a key inside a single value cannot be set")
    func insideScalar() throws {
        let error = try parseError(Fixture.minimal, overrides: [Override(path: "gateway.instances.count", value: "1")])
        #expect(error.location == .commandLine("--set gateway.instances.count=1"))
        #expect(error.keyPath == "gateway.instances")
        #expect(error.message.contains("cannot set 'count'"))
    }

    @Test("a parameter's default can be set by path")
    func parameterDefault() throws {
        let text = try variant(
            ("name: minimal", "name: minimal\nparameters:\n  servers: {default: 5}"),
            ("instances: 2", "instances: ${servers}"))
        let scenario = try parse(text, overrides: [Override(path: "parameters.servers.default", value: "8")])
        #expect(scenario.gateway.instances == 8)
        #expect(scenario.parameters.first?.defaultValue == "8")
    }
}
