import Foundation
import NexusGateway
import NexusScenario
import Testing

@Suite("Error locations and suggestions")
struct ErrorLocationTests {
    @Test("an unknown key in a list item: line and column of the key, key path, suggestion")
    func unknownKeyInClass() throws {
        let error = try parseError(try replacing("share: 100%", with: "shar: 100%"))
        #expect(error.location == .file(Fixture.file, line: 21, column: 7))
        #expect(error.keyPath == "traffic.classes[0].shar")
        #expect(error.suggestion == "share")
        #expect(error.message.contains("unknown key 'shar'"))
        #expect(error.message.contains("share"))
    }

    @Test("a misspelt top-level key suggests the valid one")
    func misspeltTopLevelKey() throws {
        let error = try parseError(try replacing("providers:", with: "providrs:"))
        #expect(error.location == .file(Fixture.file, line: 7, column: 1))
        #expect(error.keyPath == "providrs")
        #expect(error.suggestion == "providers")
    }

    @Test("misspelt keys at several depths", arguments: [
        ("  duration: 1h", "  duraton: 1h", 3, 3, "simulation.duraton", "duration"),
        ("  instances: 2", "  instance: 2", 5, 3, "gateway.instance", "instances"),
        ("    classifications:", "    clasifications:", 9, 5, "providers[0].clasifications", "classifications"),
        ("        ttft: 800ms", "        ttf: 800ms", 13, 9, "providers[0].models[0].ttf", "ttft"),
        ("      tier: standard", "      teir: standard", 22, 7, "traffic.classes[0].teir", "tier"),
        ("      input_tokens: 1000", "      input_token: 1000", 23, 7, "traffic.classes[0].input_token", "input_tokens"),
    ])
    func misspeltKeys(old: String, new: String, line: Int, column: Int, keyPath: String, suggestion: String) throws {
        let error = try parseError(try replacing(old, with: new))
        #expect(error.location == .file(Fixture.file, line: line, column: column))
        #expect(error.keyPath == keyPath)
        #expect(error.suggestion == suggestion)
    }

    @Test("an unknown key far from any valid one has no suggestion")
    func unknownKeyWithoutSuggestion() throws {
        let error = try parseError(Fixture.minimal + "\nflux_capacitor: 1.21")
        #expect(error.location == .file(Fixture.file, line: 25, column: 1))
        #expect(error.keyPath == "flux_capacitor")
        #expect(error.suggestion == nil)
        #expect(error.message.contains("valid keys here"))
    }

    @Test("an unknown key inside a flow mapping has the key's column")
    func unknownKeyInFlowMapping() throws {
        let error = try parseError(try replacing("{process: poisson, rate: 12/s}", with: "{process: poisson, rat: 12/s}"))
        #expect(error.location == .file(Fixture.file, line: 18, column: 32))
        #expect(error.keyPath == "traffic.arrivals.rat")
        #expect(error.suggestion == "rate")
    }

    @Test("a misspelt tier reference suggests the tier")
    func misspeltTier() throws {
        let error = try parseError(try replacing("tier: standard", with: "tier: standrd"))
        #expect(error.location == .file(Fixture.file, line: 22, column: 13))
        #expect(error.keyPath == "traffic.classes[0].tier")
        #expect(error.suggestion == "standard")
        #expect(error.message.contains("standrd"))
    }

    @Test("a misspelt distribution kind suggests the kind")
    func misspeltDistribution() throws {
        let error = try parseError(try replacing("ttft: 800ms", with: "ttft: {dist: lognormel, median: 800ms, p95: 3s}"))
        #expect(error.location == .file(Fixture.file, line: 13, column: 22))
        #expect(error.keyPath == "providers[0].models[0].ttft.dist")
        #expect(error.suggestion == "lognormal")
        #expect(error.message.contains("lognormel"))
    }

    @Test("misspelt enumeration values suggest the case", arguments: [
        ("classifications: [public, internal]", "classifications: [public, internl]", "providers[0].classifications[1]", "internal"),
        ("tier: standard", "tier: standard\n      classification: pubic", "traffic.classes[0].classification", "public"),
        ("models: [sim/server]", "strategy: priorty\n    models: [sim/server]", "tiers[0].strategy", "priority"),
        ("process: poisson", "process: poison", "traffic.arrivals.process", "poisson"),
    ])
    func misspeltChoices(old: String, new: String, keyPath: String, suggestion: String) throws {
        let error = try parseError(try replacing(old, with: new))
        #expect(error.keyPath == keyPath)
        #expect(error.suggestion == suggestion)
    }

    @Test("a value of the wrong shape says what was expected and what was found")
    func wrongShape() throws {
        let list = try parseError(try replacing("  instances: 2\n  concurrency: 10", with: "  - 2\n  - 10"))
        #expect(list.keyPath == "gateway")
        #expect(list.message == "expected a mapping, found a list")
        #expect(list.location == .file(Fixture.file, line: 5, column: 3))

        let scalar = try parseError(try replacing("  - name: standard\n    models: [sim/server]", with: "  standard"))
        #expect(scalar.keyPath == "tiers")
        #expect(scalar.message == "expected a list, found 'standard'")

        let mapping = try parseError(try replacing("duration: 1h", with: "duration: {hours: 1}"))
        #expect(mapping.keyPath == "simulation.duration")
        #expect(mapping.message.contains("found a mapping"))
    }

    @Test("a missing required key is named, at the mapping that lacks it")
    func missingKey() throws {
        let error = try parseError(try replacing("  concurrency: 10\n", with: ""))
        #expect(error.keyPath == "gateway")
        #expect(error.message == "missing required key 'concurrency'")
        #expect(error.location == .file(Fixture.file, line: 5, column: 3))

        let empty = try parseError(try replacing("        ttft: 800ms", with: "        ttft:"))
        #expect(empty.keyPath == "providers[0].models[0]")
        #expect(empty.message == "missing required key 'ttft'")
    }

    @Test("a document that is not a mapping")
    func notAMapping() throws {
        let error = try parseError("- name: x\n- name: y\n")
        #expect(error.keyPath == "")
        #expect(error.message == "expected a mapping, found a list")
    }

    @Test("a YAML syntax error reports the line and column")
    func yamlSyntax() throws {
        let error = try parseError(try replacing("concurrency: 10", with: "concurrency: 10: 5"))
        #expect(error.location == .file(Fixture.file, line: 6, column: 18))
        #expect(error.keyPath == "")
        #expect(error.message.hasPrefix("YAML syntax: "))
        #expect(error.message.contains("mapping values are not allowed"))
    }

    @Test("an unclosed flow sequence is a syntax error near where it was opened")
    func unclosedFlow() throws {
        let error = try parseError(try replacing("models: [sim/server]", with: "models: [sim/server"))
        guard case .file(let file, let line, _) = error.location else {
            Issue.record("expected a file location, got \(String(describing: error.location))")
            return
        }
        #expect(file == Fixture.file)
        #expect((16...17).contains(line))
        #expect(error.message.hasPrefix("YAML syntax: "))
    }

    @Test("a duplicate key is an error at the mapping that holds it")
    func duplicateKey() throws {
        let error = try parseError(try replacing("  instances: 2", with: "  instances: 2\n  instances: 3"))
        #expect(error.message.contains("duplicate key 'instances'"))
        guard case .file(let file, let line, _) = error.location else {
            Issue.record("expected a file location, got \(String(describing: error.location))")
            return
        }
        #expect(file == Fixture.file)
        #expect((4...6).contains(line))
    }

    @Test("an empty document is an error at 1:1", arguments: ["", "\n\n", "# only a comment\n"])
    func emptyDocument(text: String) throws {
        let error = try parseError(text)
        #expect(error.location == .file(Fixture.file, line: 1, column: 1))
        #expect(error.message.contains("empty"))
    }

    @Test("a document that is only null is an error too", arguments: ["~", "null", "---\n"])
    func nullDocument(text: String) throws {
        let error = try parseError(text)
        #expect(error.message == "expected a mapping, found nothing")
    }

    @Test("YAML aliases are resolved by the YAML composer to the anchored value")
    func alias() throws {
        let text = try variant(
            ("duration: 1h", "duration: &d 1h"),
            ("concurrency: 10", "concurrency: 10\n  queue_timeout: *d"))
        let scenario = try parse(text)
        #expect(scenario.gateway.queueTimeoutNanos == 3_600_000_000_000)
    }

    @Test("description: FILE:LINE:COL: error: KEYPATH: MESSAGE (did you mean 'X'?)")
    func descriptionFormat() throws {
        let error = try parseError(try replacing("share: 100%", with: "shar: 100%"))
        #expect(error.description.hasPrefix("test.yaml:21:7: error: traffic.classes[0].shar: unknown key 'shar'; "))
        #expect(error.description.hasSuffix(" (did you mean 'share'?)"))
        #expect(error.description == "test.yaml:21:7: error: traffic.classes[0].shar: \(error.message) (did you mean 'share'?)")

        let constructed = ScenarioError(location: .file("a.yaml", line: 3, column: 9), keyPath: "gateway.instances",
                                        message: "expected a whole number >= 1, found 0")
        #expect(constructed.description == "a.yaml:3:9: error: gateway.instances: expected a whole number >= 1, found 0")

        let commandLine = ScenarioError(location: .commandLine("--set x=1"), keyPath: "x", message: "bad", suggestion: "y")
        #expect(commandLine.description == "command line (--set x=1): error: x: bad (did you mean 'y'?)")

        let bare = ScenarioError(location: nil, keyPath: "", message: "cannot read")
        #expect(bare.description == "error: cannot read")
    }

    @Test("source locations describe themselves")
    func locationDescription() {
        let file: NexusScenario.SourceLocation = .file("s.yaml", line: 4, column: 2)
        let flag: NexusScenario.SourceLocation = .commandLine("--param n=1")
        #expect(file.description == "s.yaml:4:2")
        #expect(flag.description == "command line (--param n=1)")
    }

    @Test("columns count characters, not bytes, after non-ASCII text")
    func unicodeColumns() throws {
        let error = try parseError(try replacing("name: minimal", with: "name: minimal\ndescription: \"Zürich → Genève\", extra: 1"))
        // Whatever the YAML error, it must be on line 2.
        guard case .file(_, let line, _) = error.location else {
            Issue.record("expected a file location")
            return
        }
        #expect(line == 2)
    }

    @Test("loading a file that does not exist")
    func missingFile() throws {
        let error = #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.load(path: "/nonexistent/dir/scenario.yaml")
        }
        #expect(error?.location == nil)
        #expect(error?.message.contains("cannot read scenario file '/nonexistent/dir/scenario.yaml'") == true)
    }
}
