import Foundation
import NexusGateway
import NexusScenario
import Testing

@Suite("Parameters")
struct ParametersTests {
    /// The minimal scenario with two declared parameters used in `gateway.instances` (line 8) and the arrival rate (line 21).
    static func parameterised() throws -> String {
        try variant(
            ("name: minimal", """
                name: params
                parameters:
                  rate: {default: 12, description: "Arrival rate, requests per second"}
                  servers: 3
                """),
            ("instances: 2", "instances: ${servers}"),
            ("rate: 12/s", "rate: \"${rate}/s\""))
    }

    @Test("defaults are substituted and recorded")
    func defaults() throws {
        let scenario = try parse(try Self.parameterised())
        #expect(scenario.gateway.instances == 3)
        #expect(scenario.arrivalRate == 12)
        #expect(scenario.parameters.map(\.name) == ["rate", "servers"])
        #expect(scenario.parameters.map(\.value) == ["12", "3"])
        #expect(scenario.parameters.map(\.defaultValue) == ["12", "3"])
        #expect(scenario.parameters.map(\.description) == ["Arrival rate, requests per second", ""])
    }

    @Test("--param changes the value; the default is still recorded")
    func commandLineValue() throws {
        let scenario = try parse(try Self.parameterised(), parameters: [("rate", "30"), ("servers", "7")])
        #expect(scenario.gateway.instances == 7)
        #expect(scenario.arrivalRate == 30)
        let rate = try #require(scenario.parameters.first { $0.name == "rate" })
        #expect(rate.value == "30")
        #expect(rate.defaultValue == "12")
        #expect(rate.description == "Arrival rate, requests per second")
        let servers = try #require(scenario.parameters.first { $0.name == "servers" })
        #expect(servers.value == "7")
        #expect(servers.defaultValue == "3")
    }

    @Test("the last --param for a name wins")
    func repeatedParam() throws {
        let scenario = try parse(try Self.parameterised(), parameters: [("servers", "7"), ("servers", "9")])
        #expect(scenario.gateway.instances == 9)
        #expect(scenario.parameters.first { $0.name == "servers" }?.value == "9")
    }

    @Test("an unknown --param is an error on the command line, with a suggestion")
    func unknownParam() throws {
        let error = try parseError(try Self.parameterised(), parameters: [("rat", "30")])
        #expect(error.location == .commandLine("--param rat=30"))
        #expect(error.keyPath == "parameters")
        #expect(error.suggestion == "rate")
        #expect(error.message.contains("unknown parameter 'rat'"))
        #expect(error.message.contains("rate, servers"))
    }

    @Test("--param for a scenario without parameters")
    func noParametersDeclared() throws {
        let error = try parseError(Fixture.minimal, parameters: [("servers", "7")])
        #expect(error.location == .commandLine("--param servers=7"))
        #expect(error.message.contains("declares no parameters"))
        #expect(error.suggestion == nil)
    }

    @Test("an undeclared ${name} is an error at the scalar, with a suggestion")
    func undeclaredReference() throws {
        let text = try replacing("instances: ${servers}", with: "instances: ${sevrers}", in: try Self.parameterised())
        let error = try parseError(text)
        #expect(error.location == .file(Fixture.file, line: 8, column: 14))
        #expect(error.keyPath == "gateway.instances")
        #expect(error.suggestion == "servers")
        #expect(error.message.contains("unknown parameter 'sevrers'"))
    }

    @Test("an undeclared reference inside a quoted flow scalar points at the scalar")
    func undeclaredReferenceInFlow() throws {
        let text = try replacing("\"${rate}/s\"", with: "\"${rat}/s\"", in: try Self.parameterised())
        let error = try parseError(text)
        #expect(error.location == .file(Fixture.file, line: 21, column: 38))
        #expect(error.keyPath == "traffic.arrivals.rate")
        #expect(error.suggestion == "rate")
    }

    @Test("an unterminated reference")
    func unterminated() throws {
        let text = try replacing("instances: ${servers}", with: "instances: ${servers", in: try Self.parameterised())
        let error = try parseError(text)
        #expect(error.keyPath == "gateway.instances")
        #expect(error.message.contains("unterminated"))
    }

    @Test("several references in one scalar, and text around them")
    func severalReferences() throws {
        let text = try variant(
            ("name: minimal", "name: params\nparameters:\n  amount: 90\n  unit: min"),
            ("duration: 1h", "duration: ${amount}${unit}"),
            ("rate: 12/s", "rate: \"1${amount}/${unit}\""))
        let scenario = try parse(text, parameters: [("unit", "s")])
        #expect(scenario.simulation.durationNanos == 90_000_000_000)
        #expect(abs(scenario.arrivalRate - 190) < 1e-12)
    }

    @Test("a bad --param value is checked like the text it replaces")
    func badValue() throws {
        let error = try parseError(try Self.parameterised(), parameters: [("servers", "0")])
        #expect(error.keyPath == "gateway.instances")
        #expect(error.location == .file(Fixture.file, line: 8, column: 14))
        #expect(error.message.contains("found 0"))

        let rate = try parseError(try Self.parameterised(), parameters: [("rate", "fast")])
        #expect(rate.keyPath == "traffic.arrivals.rate")
        #expect(rate.message.contains("fast/s"))
    }

    @Test("an empty parameters block declares nothing")
    func emptyBlock() throws {
        let scenario = try parse(try replacing("name: minimal", with: "name: minimal\nparameters:"))
        #expect(scenario.parameters.isEmpty)
    }

    @Test("malformed declarations", arguments: [
        ("parameters: [rate, servers]", "parameters", "expected a mapping of parameter names"),
        ("parameters:\n  rate: {description: \"no default\"}", "parameters.rate", "missing required key 'default'"),
        ("parameters:\n  rate: {default: 1, descripton: x}", "parameters.rate.descripton", "unknown key 'descripton'"),
    ])
    func malformedDeclarations(block: String, keyPath: String, message: String) throws {
        let error = try parseError(try replacing("name: minimal", with: "name: minimal\n\(block)"))
        #expect(error.keyPath == keyPath)
        #expect(error.message.contains(message))
    }

    @Test("a misspelt declaration key suggests the right one")
    func misspeltDeclarationKey() throws {
        let error = try parseError(try replacing("name: minimal", with: "name: minimal\nparameters:\n  rate: {defualt: 1}"))
        #expect(error.keyPath == "parameters.rate.defualt")
        #expect(error.suggestion == "default")
        #expect(error.location == .file(Fixture.file, line: 3, column: 10))
    }
}
