import Foundation
import NexusGateway
import NexusScenario
import Testing

@Suite("Tier model references")
struct TierReferenceTests {
    /// The minimal scenario with a second provider `alt` offering `server` (like `sim`) and `solo`.
    static func twoProviders() throws -> String {
        try replacing("tiers:", with: """
              - name: alt
                classifications: [public]
                models:
                  - name: server
                    price: {input_per_mtok: $1, output_per_mtok: $1}
                    ttft: 1s
                  - name: solo
                    price: {input_per_mtok: $1, output_per_mtok: $1}
                    ttft: 2s
            tiers:
            """)
    }

    @Test("qualified provider/model names")
    func qualified() throws {
        let text = try replacing("models: [sim/server]", with: "models: [alt/solo, sim/server, alt/server]", in: try Self.twoProviders())
        let scenario = try parse(text)
        #expect(scenario.tiers[0].models == ["alt/solo", "sim/server", "alt/server"])
        #expect(scenario.qualifiedModels.map(\.name) == ["sim/server", "alt/server", "alt/solo"])
        #expect(scenario.qualifiedModels.map(\.provider.name) == ["sim", "alt", "alt"])
        #expect(scenario.qualifiedModels[2].model.timeToFirstToken == .constant(2))
    }

    @Test("an unqualified name offered by one provider is qualified")
    func unqualifiedUnique() throws {
        let text = try replacing("models: [sim/server]", with: "models: [solo]", in: try Self.twoProviders())
        #expect(try parse(text).tiers[0].models == ["alt/solo"])
        let single = try parse(try replacing("models: [sim/server]", with: "models: [server]"))
        #expect(single.tiers[0].models == ["sim/server"])
    }

    @Test("an unqualified name offered by several providers is ambiguous")
    func ambiguous() throws {
        let text = try replacing("models: [sim/server]", with: "models: [server]", in: try Self.twoProviders())
        let error = try parseError(text)
        #expect(error.keyPath == "tiers[0].models[0]")
        #expect(error.message.contains("several providers"))
        #expect(error.message.contains("sim/server, alt/server"))
        #expect(error.location == .file(Fixture.file, line: 25, column: 14))
    }

    @Test("a misspelt qualified name suggests the model", arguments: [
        ("sim/servr", "sim/server"),
        ("smi/server", "sim/server"),
        ("alt/sollo", "alt/solo"),
    ])
    func misspelt(reference: String, suggestion: String) throws {
        let text = try replacing("models: [sim/server]", with: "models: [sim/server, \(reference)]", in: try Self.twoProviders())
        let error = try parseError(text)
        #expect(error.keyPath == "tiers[0].models[1]")
        #expect(error.suggestion == suggestion)
        #expect(error.message.contains("no model '\(reference)'"))
        #expect(error.message.contains("sim/server, alt/server, alt/solo"))
    }

    @Test("a misspelt unqualified name suggests the qualified model")
    func misspeltUnqualified() throws {
        let error = try parseError(try replacing("models: [sim/server]", with: "models: [sollo]", in: try Self.twoProviders()))
        #expect(error.keyPath == "tiers[0].models[0]")
        #expect(error.suggestion == "alt/solo")
        let single = try parseError(try replacing("models: [sim/server]", with: "models: [servr]"))
        #expect(single.suggestion == "sim/server")
    }

    @Test("a reference to a model that does not exist anywhere")
    func unknownModel() throws {
        let error = try parseError(try replacing("models: [sim/server]", with: "models: [gpt-5]"))
        #expect(error.keyPath == "tiers[0].models[0]")
        #expect(error.suggestion == nil)
        #expect(error.location == .file(Fixture.file, line: 16, column: 14))
    }

    @Test("a class's tier must exist")
    func classTier() throws {
        let error = try parseError(try replacing("tier: standard", with: "tier: premium"))
        #expect(error.keyPath == "traffic.classes[0].tier")
        #expect(error.message.contains("no tier 'premium'"))
        #expect(error.message.contains("tiers: standard"))
    }
}
