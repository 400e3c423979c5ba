import Foundation
import NexusGateway
import NexusScenario
import Testing

/// `pricing: {litellm: FILE}` and `price: KEY`, with a small table in LiteLLM's format.
@Suite("Pricing")
struct PricingTests {
    static let table = """
        {
          "sample_spec": {"input_cost_per_token": 0, "output_cost_per_token": 0, "max_input_tokens": "max input"},
          "gpt-4o": {
            "litellm_provider": "openai", "mode": "chat",
            "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05,
            "cache_read_input_token_cost": 1.25e-06,
            "max_input_tokens": 128000, "max_output_tokens": 16384, "max_tokens": 16384
          },
          "gpt-4o-mini": {
            "litellm_provider": "openai", "mode": "chat",
            "input_cost_per_token": 1.5e-07, "output_cost_per_token": 6e-07,
            "max_input_tokens": 128000, "max_output_tokens": 16384
          },
          "openrouter/mistralai/mistral-7b-instruct": {
            "litellm_provider": "openrouter", "mode": "chat",
            "input_cost_per_token": 1.3e-07, "output_cost_per_token": 1.3e-07, "max_tokens": 8192
          },
          "dall-e-3": {"litellm_provider": "openai", "mode": "image_generation", "output_cost_per_pixel": 0.0}
        }
        """

    /// Writes the price table to a fresh directory; returns the directory and the table's path.
    static func writeTable(_ text: String = table) throws -> (directory: URL, path: String) {
        let directory = try temporaryDirectory()
        let url = directory.appendingPathComponent("prices.json")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return (directory, url.path)
    }

    /// The minimal scenario with a price table and the model priced by `key`.
    static func priced(table path: String, key: String = "gpt-4o") throws -> String {
        try variant(
            ("simulation:", "pricing: {litellm: \"\(path)\"}\nsimulation:"),
            ("price: {input_per_mtok: $2.50, output_per_mtok: $10}", "price: \(key)"))
    }

    @Test("a price-table key resolves per-token prices and the context window")
    func resolvesKey() throws {
        let (directory, path) = try Self.writeTable()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try parse(try Self.priced(table: path)).firstModel
        #expect(model.price.inputPerToken == USD(2.5e-6))
        #expect(model.price.outputPerToken == USD(1e-5))
        #expect(model.price.cachedInputPerToken == USD(1.25e-6))
        #expect(model.price.maxInputTokens == 128_000)
        #expect(model.price.maxOutputTokens == 16_384)
        #expect(model.contextWindowTokens == 128_000)
    }

    @Test("a row with only max_tokens gives that context window")
    func maxTokensFallback() throws {
        let (directory, path) = try Self.writeTable()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try parse(try Self.priced(table: path, key: "openrouter/mistralai/mistral-7b-instruct")).firstModel
        #expect(model.price.inputPerToken == USD(1.3e-7))
        #expect(model.price.cachedInputPerToken == nil)
        #expect(model.contextWindowTokens == 8192)
    }

    @Test("an explicit context window overrides the table's")
    func explicitContextWindow() throws {
        let (directory, path) = try Self.writeTable()
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = try replacing("ttft: 800ms", with: "ttft: 800ms\n        context_window: 32k", in: try Self.priced(table: path))
        #expect(try parse(text).firstModel.contextWindowTokens == 32_000)
    }

    @Test("a misspelt key suggests the nearest model")
    func misspeltKey() throws {
        let (directory, path) = try Self.writeTable()
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try parseError(try Self.priced(table: path, key: "gpt-4oo"))
        #expect(error.keyPath == "providers[0].models[0].price")
        #expect(error.suggestion == "gpt-4o")
        #expect(error.message.contains("no model 'gpt-4oo'"))
        #expect(error.message.contains(path))
        // `pricing:` adds a line above `simulation:`, so the price is on line 13.
        #expect(error.location == .file(Fixture.file, line: 13, column: 16))
    }

    @Test("rows that cannot price a chat call are not in the table", arguments: ["dall-e-3", "sample_spec"])
    func skippedRows(key: String) throws {
        let (directory, path) = try Self.writeTable()
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try parseError(try Self.priced(table: path, key: key))
        #expect(error.message.contains("no model '\(key)'"))
    }

    @Test("a price key without a pricing section says what is missing")
    func missingPricingSection() throws {
        let error = try parseError(try replacing(
            "price: {input_per_mtok: $2.50, output_per_mtok: $10}", with: "price: gpt-4o"))
        #expect(error.keyPath == "providers[0].models[0].price")
        #expect(error.message.contains("price 'gpt-4o'"))
        #expect(error.message.contains("no 'pricing: {litellm: FILE}'"))
        #expect(error.location == .file(Fixture.file, line: 12, column: 16))
    }

    @Test("a relative table path resolves against the scenario's directory")
    func relativePath() throws {
        let (directory, _) = try Self.writeTable()
        defer { try? FileManager.default.removeItem(at: directory) }
        let scenarioPath = directory.appendingPathComponent("priced.yaml").path
        try Self.priced(table: "prices.json").write(toFile: scenarioPath, atomically: true, encoding: .utf8)

        let loaded = try ScenarioLoader.load(path: scenarioPath)
        #expect(loaded.firstModel.price.outputPerToken == USD(1e-5))
        #expect(loaded.sourcePath == scenarioPath)

        let parsed = try parse(try Self.priced(table: "prices.json"), baseDirectory: directory.path)
        #expect(parsed.firstModel.contextWindowTokens == 128_000)
    }

    @Test("a table that cannot be read")
    func missingTable() throws {
        let error = try parseError(try Self.priced(table: "/nonexistent/prices.json"))
        #expect(error.keyPath == "pricing.litellm")
        #expect(error.message.contains("cannot read the price table '/nonexistent/prices.json'"))
        #expect(error.location == .file(Fixture.file, line: 2, column: 20))
    }

    @Test("a table that is not LiteLLM's format", arguments: ["not json", "[1, 2, 3]"])
    func malformedTable(text: String) throws {
        let (directory, path) = try Self.writeTable(text)
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try parseError(try Self.priced(table: path))
        #expect(error.keyPath == "pricing.litellm")
        #expect(error.message.contains("not in LiteLLM's format"))
    }

    @Test("the pricing section accepts only litellm")
    func pricingKeys() throws {
        let text = try replacing("simulation:", with: "pricing: {litelm: prices.json}\nsimulation:")
        let error = try parseError(text)
        #expect(error.keyPath == "pricing.litelm")
        #expect(error.suggestion == "litellm")
    }

    @Test("inline prices with a cached-input price")
    func inlineCached() throws {
        let scenario = try parse(try replacing(
            "output_per_mtok: $10}", with: "output_per_mtok: $10, cached_input_per_mtok: $1.25}"))
        #expect(scenario.firstModel.price.cachedInputPerToken == USD(1.25 / 1e6))
        #expect(scenario.firstModel.price.cost(inputTokens: 1000, outputTokens: 100, cachedInputTokens: 400).dollars
            .distance(to: (600 * 2.5 + 400 * 1.25 + 100 * 10) / 1e6).magnitude < 1e-15)
    }

    @Test("inline prices need both input and output")
    func inlineMissing() throws {
        let error = try parseError(try replacing("price: {input_per_mtok: $2.50, output_per_mtok: $10}", with: "price: {input_per_mtok: $2.50}"))
        #expect(error.keyPath == "providers[0].models[0].price")
        #expect(error.message == "missing required key 'output_per_mtok'")
    }

    @Test("the reference price table resolves the architecture's models", arguments: [
        ("gpt-4o", 2.5, 10.0, 128_000),
        ("gpt-4o-mini", 0.15, 0.6, 128_000),
    ])
    func sharedTable(key: String, inputPerMillion: Double, outputPerMillion: Double, window: Int) throws {
        let path = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("shared/data/pricing/litellm-1.80.0-model_prices_and_context_window.json").path
        // The shared data folder sits beside the project only in the development workspace.
        guard FileManager.default.fileExists(atPath: path) else { return }
        let model = try parse(try Self.priced(table: path, key: key)).firstModel
        #expect(close(model.price.inputPerToken.dollars * 1e6, inputPerMillion, relative: 1e-9))
        #expect(close(model.price.outputPerToken.dollars * 1e6, outputPerMillion, relative: 1e-9))
        #expect(model.contextWindowTokens == window)
    }
}
