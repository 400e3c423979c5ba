import Foundation
import NexusScenario
import Testing

/// Reading a scenario file: encodings, directories and unreadable files give messages with a place to look.
@Suite struct ScenarioFileReadingTests {
    static func write(_ bytes: [UInt8], name: String = "s.yaml") throws -> String {
        let url = try temporaryDirectory().appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    static func loadError(_ path: String) -> ScenarioError? {
        do {
            _ = try ScenarioLoader.load(path: path)
            return nil
        } catch let error as ScenarioError {
            return error
        } catch {
            return nil
        }
    }

    @Test func invalidUTF8IsReportedAtItsLineAndColumn() throws {
        // Line 3 of the fixture is "  duration: 1h"; the bad byte replaces the "1" at column 13.
        var bytes = Array(Fixture.minimal.utf8)
        let lineStarts = [0] + bytes.indices.filter { bytes[$0] == 0x0A }.map { $0 + 1 }
        bytes[lineStarts[2] + 12] = 0xC3  // a lead byte followed by 'h': not a valid sequence
        let path = try Self.write(bytes)
        let error = try #require(Self.loadError(path))
        #expect(error.location == .file(path, line: 3, column: 13))
        #expect(error.message == "invalid UTF-8 (byte 0xC3); save the scenario as UTF-8")
        // Multi-byte characters before the bad byte count as one column each.
        let accented = try Self.write(Array("name: é€😀".utf8) + [0xFF])
        #expect(Self.loadError(accented)?.location == .file(accented, line: 1, column: 10))
        // Encoded surrogates and overlong forms are not UTF-8 either.
        #expect(Self.loadError(try Self.write(Array("name: ".utf8) + [0xED, 0xA0, 0x80]))?.message.hasPrefix("invalid UTF-8 (byte 0xED)") == true)
        #expect(Self.loadError(try Self.write(Array("name: ".utf8) + [0xC0, 0xAF]))?.message.hasPrefix("invalid UTF-8 (byte 0xC0)") == true)
    }

    @Test func utf16WithAByteOrderMarkLoadsLikeUTF8() throws {
        let expected = try ScenarioLoader.load(path: try Self.write(Array(Fixture.minimal.utf8)))
        let little = try Self.write([0xFF, 0xFE] + Fixture.minimal.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        let big = try Self.write([0xFE, 0xFF] + Fixture.minimal.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
        let bom = try Self.write([0xEF, 0xBB, 0xBF] + Array(Fixture.minimal.utf8))
        for path in [little, big, bom] {
            let scenario = try ScenarioLoader.load(path: path)
            #expect(scenario.name == expected.name)
            #expect(scenario.gateway.instances == expected.gateway.instances)
            #expect(scenario.traffic.classes == expected.traffic.classes)
        }
    }

    @Test func anUnpairedSurrogateInUTF16IsReportedAtItsLineAndColumn() throws {
        let units: [UInt16] = Array("name: x\nsimulation: ".utf16) + [0xDC00] + Array("\n".utf16)
        let path = try Self.write([0xFF, 0xFE] + units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        let error = try #require(Self.loadError(path))
        #expect(error.location == .file(path, line: 2, column: 13))
        #expect(error.message == "invalid UTF-16 (unpaired surrogate 0xDC00); save the scenario as UTF-8")
    }

    @Test func aDirectoryOrAMissingFileSaysSo() throws {
        let directory = try temporaryDirectory().path
        #expect(Self.loadError(directory)?.description
            == "error: cannot read scenario file '\(directory)': it is a directory; give a scenario YAML file")
        #expect(Self.loadError(directory + "/none.yaml")?.description
            == "error: cannot read scenario file '\(directory)/none.yaml': No such file or directory")
    }
}

/// A parameter's default may refer to another declared parameter.
@Suite struct ParameterReferenceTests {
    static func scenario(_ parameters: String) throws -> String {
        try variant(("name: minimal", "name: refs\nparameters:\n" + parameters), ("instances: 2", "instances: ${servers}"))
    }

    @Test func aDefaultReferringToAnotherParameterTakesItsValue() throws {
        let text = try Self.scenario("  base: 3\n  servers: {default: \"${base}\", description: \"as many as base\"}\n")
        let defaults = try parse(text)
        #expect(defaults.gateway.instances == 3)
        #expect(defaults.parameters.map(\.value) == ["3", "3"])
        #expect(defaults.parameters.map(\.defaultValue) == ["3", "${base}"])
        // Setting the referenced parameter moves the one that refers to it; setting it directly wins.
        #expect(try parse(text, parameters: [("base", "7")]).gateway.instances == 7)
        #expect(try parse(text, parameters: [("base", "7"), ("servers", "5")]).gateway.instances == 5)
        // References nest, in any declaration order, and compose with text.
        let chain = try Self.scenario("  servers: \"${half}${half}\"\n  half: \"${one}\"\n  one: 1\n")
        #expect(try parse(chain).gateway.instances == 11)
    }

    @Test func aCycleOrAnUndeclaredNameInADefaultIsAnError() throws {
        let cycle = try parseError(try Self.scenario("  servers: \"${other}\"\n  other: \"${servers}\"\n"))
        #expect(cycle.keyPath == "parameters.servers")
        #expect(cycle.message == "the parameter refers to itself: servers → other → servers")
        #expect(cycle.location == .file(Fixture.file, line: 3, column: 12))
        let unknown = try parseError(try Self.scenario("  base: 3\n  servers: \"${bsae}\"\n"))
        #expect(unknown.keyPath == "parameters.servers")
        #expect(unknown.suggestion == "base")
        #expect(unknown.location == .file(Fixture.file, line: 4, column: 12))
    }

    @Test func declaredNamesAreListedWithoutLoading() throws {
        let url = try temporaryDirectory().appendingPathComponent("p.yaml")
        try Self.scenario("  base: 3\n  servers: \"${base}\"\n").write(to: url, atomically: true, encoding: .utf8)
        #expect(try ScenarioLoader.declaredParameterNames(path: url.path) == ["base", "servers"])
    }
}
