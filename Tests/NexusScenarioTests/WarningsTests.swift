import NexusGateway
import NexusScenario
import Testing

/// Defaults of data classification, and the warning for a class that no model may receive.
@Suite("Classification defaults and warnings")
struct WarningsTests {
    @Test("a class is public and a provider receives public data unless they say otherwise")
    func defaults() throws {
        let scenario = try parse(try variant(("    classifications: [public, internal]\n", "")))
        #expect(scenario.firstClass.classification == .public)
        #expect(scenario.providers[0].allowedClassifications == [.public])
        #expect(scenario.warnings.isEmpty)
    }

    @Test("a class whose tier has no model allowed its classification is a warning at its classification")
    func noCompliantModel() throws {
        // Line 22 of the fixture is `tier: standard`; the classification goes after it, on line 23.
        let text = try variant(("      tier: standard\n", "      tier: standard\n      classification: confidential\n"))
        let scenario = try parse(text)
        #expect(scenario.warnings.count == 1)
        let warning = try #require(scenario.warnings.first)
        #expect(warning.location == .file(Fixture.file, line: 23, column: 23))
        #expect(warning.keyPath == "traffic.classes[0]")
        #expect(warning.message.contains("class 'chat' (confidential data) can reach no compliant model: no model of its tier 'standard'"))
        #expect(warning.message.contains("(sim/server: public, internal)"))
        #expect(warning.message.contains("no provider lists 'confidential'"))
        #expect(warning.description.hasPrefix("test.yaml:23:23: warning: traffic.classes[0]: "))
    }

    @Test("the message names the providers that could receive the data, and the class's item when it relies on the default")
    func namesReceivers() throws {
        let text = try variant(("    classifications: [public, internal]\n", "    classifications: [internal]\n"))
        let scenario = try parse(text)
        let warning = try #require(scenario.warnings.first)
        #expect(warning.location == .file(Fixture.file, line: 20, column: 7))
        #expect(warning.message.contains("(public data)"))
        #expect(warning.message.contains("no provider lists 'public'"))
    }

    @Test("a downgrade tier that a class may not use is a warning too, only under action downgrade")
    func downgradeTier() throws {
        let twoProviders = try variant(
            ("tiers:\n", """
              - name: vault
                classifications: [restricted]
                models:
                  - name: local
                    price: {input_per_mtok: $0, output_per_mtok: $0}
                    ttft: 1s
            tiers:
              - name: secure
                models: [vault/local, sim/server]

            """),
            ("      tier: standard\n", "      tier: secure\n      classification: restricted\n"))
        let alert = try parse(twoProviders + "\nbudget: {daily: $10, action: alert, downgrade_to: standard}\n")
        #expect(alert.warnings.isEmpty)
        let downgrade = try parse(twoProviders + "\nbudget: {daily: $10, action: downgrade, downgrade_to: standard}\n")
        #expect(downgrade.warnings.count == 1)
        #expect(downgrade.warnings.first?.message.contains("no model of its downgrade tier (budget.downgrade_to) 'standard'") == true)
        #expect(downgrade.warnings.first?.message.contains("providers that may: vault") == true)
    }
}
