import Foundation
import NexusGateway
import NexusScenario
import Testing
import Yams

/// `import litellm` / `export litellm` against LiteLLM's own documented example configs (Tests/Fixtures/litellm,
/// copied from docs/my-website/docs/proxy/configs.md with their commit).
@Suite struct LiteLLMImportExportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/litellm").standardized
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Scenarios").standardized

    private func imported(_ name: String) throws -> (LiteLLMImportResult, Scenario) {
        let result = try LiteLLMConfigImporter.importConfig(path: Self.fixtures.appendingPathComponent(name).path)
        let scenario = try ScenarioLoader.parse(text: result.scenarioYAML, file: "imported.yaml", baseDirectory: Self.fixtures.path)
        return (result, scenario)
    }

    @Test func loadBalancingExampleMapsEveryRouterSetting() throws {
        let (result, scenario) = try imported("load-balancing.yaml")
        #expect(scenario.tiers.map(\.name) == ["zephyr-beta", "gpt-4o", "gpt-3.5-turbo-16k"])
        let zephyr = scenario.tiers[0]
        // One provider per api_base of the same prefix: three deployments of one model.
        #expect(zephyr.models == ["huggingface/HuggingFaceH4__zephyr-7b-beta", "huggingface-2/HuggingFaceH4__zephyr-7b-beta",
                                  "huggingface-3/HuggingFaceH4__zephyr-7b-beta"])
        #expect(scenario.tiers[1].models == ["openai/gpt-4o"])
        let s = try #require(scenario.routing.litellm)
        #expect(s.strategy == .simpleShuffle)
        #expect(s.numRetries == 2)   // router_settings wins over litellm_settings' 3
        #expect(s.allowedFails == 3)
        #expect(s.fallbacks == [[1], [], []])
        #expect(s.contextWindowFallbacks == [[2], [2], []])
        let index = Dictionary(uniqueKeysWithValues: scenario.qualifiedModels.enumerated().map { ($1.name, $0) })
        #expect(zephyr.models.map { s.deployment(index[$0]!).rpm } == [60, 600, 60000])
        #expect(s.deployment(index[zephyr.models[0]]!).tpm == 1000)
        // rpm/tpm are also the simulated providers' limits; the router timeout is every group's attempt timeout.
        #expect(scenario.qualifiedModels[index[zephyr.models[0]]!].model.limits == RateLimitSpec(requestsPerMinute: 60, tokensPerMinute: 1000))
        #expect(scenario.tiers.allSatisfy { $0.policy.attemptTimeoutNanos == 30_000_000_000 })
        // The keys with no simulated meaning are warnings with their line.
        let byKey = Dictionary(result.warnings.map { ($0.keyPath, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byKey["router_settings.redis_host"]?.location == .file(Self.fixtures.appendingPathComponent("load-balancing.yaml").path, line: 43, column: 3))
        #expect(byKey["router_settings.model_group_alias"] != nil)
        #expect(scenario.routing.litellmParams["huggingface-2/HuggingFaceH4__zephyr-7b-beta"]?["api_base"] == "http://0.0.0.0:8002")
    }

    @Test func environmentReferencesStayReferencesAndWildcardsAreSkipped() throws {
        setenv("AZURE_API_KEY_EU", "sk-secret-value-that-must-not-leak", 1)
        defer { unsetenv("AZURE_API_KEY_EU") }
        let (result, scenario) = try imported("quick-start.yaml")
        #expect(!result.scenarioYAML.contains("sk-secret-value-that-must-not-leak"))
        #expect(scenario.routing.litellmParams["azure/gpt-4o-eu"]?["api_key"] == "os.environ/AZURE_API_KEY_EU")
        #expect(scenario.tiers.map(\.name) == ["gpt-4o", "bedrock-claude-v1", "anthropic-claude", "vllm-models"])
        #expect(scenario.tiers[0].models == ["azure/gpt-4o-eu", "azure-2/gpt-4o-ca"])
        // The same bedrock model in two groups is one deployment listed in both.
        #expect(scenario.tiers[1].models == scenario.tiers[2].models)
        #expect(result.warnings.contains { $0.message.contains("wildcard") })
        #expect(result.warnings.contains { $0.keyPath == "litellm_settings.success_callback" })
        // Defaults stand in for what the config does not say, and say so.
        #expect(result.scenarioYAML.contains("# assumption"))
        let export = try LiteLLMConfigExporter.export(scenario)
        #expect(export.configYAML.contains("os.environ/AZURE_API_KEY_CA"))
        #expect(!export.configYAML.contains("sk-secret-value-that-must-not-leak"))
    }

    /// export(import(c)) keeps c's deployments, groups and router settings.
    @Test(arguments: ["load-balancing.yaml", "quick-start.yaml"])
    func exportOfImportKeepsTheConfigsSemantics(_ name: String) throws {
        let original = try Yams.load(yaml: try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)) as! [String: Any]
        let (_, scenario) = try imported(name)
        let exported = try Yams.load(yaml: try LiteLLMConfigExporter.export(scenario).configYAML) as! [String: Any]
        func deployments(_ config: [String: Any]) -> [String] {
            (config["model_list"] as! [[String: Any]]).compactMap { d -> String? in
                let p = d["litellm_params"] as! [String: Any]
                let model = "\(p["model"]!)"
                guard !model.contains("*") else { return nil }
                return ["\(d["model_name"]!)", model, "\(p["api_base"] ?? "-")", "\(p["api_key"] ?? "-")", "\(p["rpm"] ?? "-")", "\(p["tpm"] ?? "-")"]
                    .joined(separator: " ")
            }.sorted()
        }
        #expect(deployments(exported) == deployments(original))
        let router = exported["router_settings"] as! [String: Any]
        let source = (original["router_settings"] as? [String: Any] ?? [:]).merging(original["litellm_settings"] as? [String: Any] ?? [:]) { r, _ in r }
        for key in ["routing_strategy", "num_retries", "allowed_fails"] where source[key] != nil {
            #expect("\(router[key]!)" == "\(source[key]!)", "\(key)")
        }
        for key in ["fallbacks", "context_window_fallbacks"] where source[key] != nil {
            let a = (router[key] as! [[String: [String]]]).flatMap { $0.map { "\($0.key)->\($0.value)" } }.sorted()
            let b = (source[key] as! [[String: [String]]]).flatMap { $0.map { "\($0.key)->\($0.value)" } }.sorted()
            #expect(a == b, "\(key)")
        }
        if let timeout = (original["router_settings"] as? [String: Any])?["timeout"] {
            for d in exported["model_list"] as! [[String: Any]] { #expect("\((d["litellm_params"] as! [String: Any])["timeout"]!)" == "\(timeout)") }
        }
    }

    @Test func badConfigsFailWithTheirLocation() throws {
        let text = """
            model_list:
              - model_name: a
                litellm_params: {model: openai/gpt-4o}
            router_settings:
              routing_strategy: latency-based-rooting
            """
        #expect {
            _ = try LiteLLMConfigImporter.importConfig(text: text, file: "c.yaml")
        } throws: { error in
            let e = error as! ScenarioError
            return e.location == .file("c.yaml", line: 5, column: 21) && e.description.contains("latency-based-routing")
        }
        let missing = "model_list:\n  - model_name: a\n    litellm_params: {api_base: x}\n"
        #expect(throws: ScenarioError.self) { _ = try LiteLLMConfigImporter.importConfig(text: missing, file: "c.yaml") }
        let unknownGroup = "model_list:\n  - model_name: a\n    litellm_params: {model: gpt-4o}\nrouter_settings:\n  fallbacks: [{a: [b]}]\n"
        #expect {
            _ = try LiteLLMConfigImporter.importConfig(text: unknownGroup, file: "c.yaml")
        } throws: { ($0 as! ScenarioError).description.contains("no model_name 'b'") }
    }

    @Test func litellmModeKeysAreValidated() throws {
        let base = try String(contentsOf: Self.scenarios.appendingPathComponent("litellm-router.yaml"), encoding: .utf8)
        let misspelt = base.replacingOccurrences(of: "routing_strategy: simple-shuffle", with: "routing_stratgy: simple-shuffle")
        #expect { _ = try ScenarioLoader.parse(text: misspelt, file: "s.yaml", baseDirectory: Self.scenarios.path) } throws: {
            ($0 as! ScenarioError).description.contains("routing_strategy")
        }
        let nexusKey = base.replacingOccurrences(of: "  deadline: 120s\n", with: "  deadline: 120s\n  retries: 3\n")
        #expect { _ = try ScenarioLoader.parse(text: nexusKey, file: "s.yaml", baseDirectory: Self.scenarios.path) } throws: {
            ($0 as! ScenarioError).description.contains("num_retries")
        }
        let s = try ScenarioLoader.parse(text: base, file: "s.yaml", baseDirectory: Self.scenarios.path)
        #expect(s.routing.litellm?.fallbacks == [[1], []])
        #expect(s.routing.litellm?.cooldownNanos == 10_000_000_000)
    }
}
