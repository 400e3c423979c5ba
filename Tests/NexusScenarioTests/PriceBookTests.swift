import Foundation
import NexusGateway
import NexusScenario
import Testing

/// The project's LiteLLM price subset, `Scenarios/prices/litellm-models.json` (litellm 1.80.0, MIT,
/// Copyright (c) 2023 Berri AI), found from this file's path so the tests run on a fresh clone.
private let subsetURL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // NexusScenarioTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()  // package root
    .appendingPathComponent("Scenarios/prices/litellm-models.json")

private func loadSubset() throws -> PriceBook {
    let data = try #require(FileManager.default.contents(atPath: subsetURL.path),
                            "cannot read \(subsetURL.path)")
    return try PriceBook.litellm(json: data)
}

private func book(_ json: String) throws -> PriceBook {
    try PriceBook.litellm(json: Data(json.utf8))
}

/// One row of the data README's price table: USD per token exactly as the JSON writes it, with the
/// per-1M figure in the comment.
struct ExpectedPrice: Sendable, CustomTestStringConvertible {
    var key: String
    var input: Double
    var output: Double
    var cachedInput: Double?
    /// `max_input_tokens`, or `max_tokens` where the entry has only that.
    var contextWindow: Int
    var maxOutput: Int?

    var testDescription: String { key }
}

@Suite("PriceBook")
struct PriceBookTests {
    static let table: [ExpectedPrice] = [
        // $2.50 / $10.00 / $1.25 per 1M; max_input_tokens 128000 (max_tokens is the 16384 output limit)
        ExpectedPrice(key: "gpt-4o", input: 2.5e-06, output: 1e-05, cachedInput: 1.25e-06,
                      contextWindow: 128_000, maxOutput: 16_384),
        // $0.15 / $0.60 / $0.075
        ExpectedPrice(key: "gpt-4o-mini", input: 1.5e-07, output: 6e-07, cachedInput: 7.5e-08,
                      contextWindow: 128_000, maxOutput: 16_384),
        // $0.25 / $1.25 / $0.03
        ExpectedPrice(key: "claude-3-haiku-20240307", input: 2.5e-07, output: 1.25e-06, cachedInput: 3e-08,
                      contextWindow: 200_000, maxOutput: 4_096),
        // $0.25 / $1.25; only max_tokens
        ExpectedPrice(key: "openrouter/anthropic/claude-3-haiku", input: 2.5e-07, output: 1.25e-06,
                      cachedInput: nil, contextWindow: 200_000, maxOutput: nil),
        // $0.13 / $0.13
        ExpectedPrice(key: "openrouter/mistralai/mistral-7b-instruct", input: 1.3e-07, output: 1.3e-07,
                      cachedInput: nil, contextWindow: 8_192, maxOutput: nil),
        // free
        ExpectedPrice(key: "openrouter/mistralai/mistral-7b-instruct:free", input: 0, output: 0,
                      cachedInput: nil, contextWindow: 8_192, maxOutput: nil),
        // $0.59 / $0.79
        ExpectedPrice(key: "openrouter/meta-llama/llama-3-70b-instruct", input: 5.9e-07, output: 7.9e-07,
                      cachedInput: nil, contextWindow: 8_192, maxOutput: nil),
    ]

    @Test("the subset holds exactly the scenarios' models")
    func subsetModels() throws {
        let prices = try loadSubset()
        #expect(prices.modelNames == Self.table.map(\.key).sorted())
    }

    @Test("per-token prices and context windows match the data README", arguments: table)
    func pricesMatchTable(expected: ExpectedPrice) throws {
        let price = try #require(try loadSubset()[expected.key])
        #expect(price.inputPerToken == USD(expected.input))
        #expect(price.outputPerToken == USD(expected.output))
        #expect(price.cachedInputPerToken == expected.cachedInput.map(USD.init))
        #expect(price.inputPerTokenAbove128k == nil)
        #expect(price.outputPerTokenAbove128k == nil)
        #expect(price.maxInputTokens == expected.contextWindow)
        #expect(price.maxOutputTokens == expected.maxOutput)
    }

    @Test("per-1M prices as the README table states them", arguments: [
        ("gpt-4o", 2.50, 10.00),
        ("gpt-4o-mini", 0.15, 0.60),
        ("claude-3-haiku-20240307", 0.25, 1.25),
        ("openrouter/anthropic/claude-3-haiku", 0.25, 1.25),
        ("openrouter/mistralai/mistral-7b-instruct", 0.13, 0.13),
        ("openrouter/mistralai/mistral-7b-instruct:free", 0, 0),
        ("openrouter/meta-llama/llama-3-70b-instruct", 0.59, 0.79),
    ])
    func perMillion(key: String, input: Double, output: Double) throws {
        let price = try #require(try loadSubset()[key])
        // A million tokens of each: the cost function gives dollars per 1M directly.
        let inputCost = price.cost(inputTokens: 1_000_000, outputTokens: 0).dollars
        let outputCost = price.cost(inputTokens: 0, outputTokens: 1_000_000).dollars
        #expect(abs(inputCost - input) < 1e-12)
        #expect(abs(outputCost - output) < 1e-12)
    }

    @Test("entries without both token prices, and sample_spec, are skipped")
    func skipsEntriesWithoutTokenPrices() throws {
        let prices = try book("""
        {
          "sample_spec": {"input_cost_per_token": 0.0, "output_cost_per_token": 0.0,
                          "max_input_tokens": "max input tokens, if the provider specifies it"},
          "dall-e-3": {"input_cost_per_image": 0.04, "litellm_provider": "openai", "mode": "image_generation"},
          "input-only": {"input_cost_per_token": 1e-06, "mode": "embedding"},
          "output-only": {"output_cost_per_token": 1e-06},
          "not-an-object": 42,
          "a-list": [1, 2],
          "chat-model": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "max_input_tokens": 4096}
        }
        """)
        #expect(prices.modelNames == ["chat-model"])
        #expect(prices["sample_spec"] == nil)
        #expect(prices["dall-e-3"] == nil)
        #expect(prices["chat-model"]?.inputPerToken == USD(1e-06))
        #expect(prices["chat-model"]?.outputPerToken == USD(2e-06))
        #expect(prices["chat-model"]?.maxInputTokens == 4096)
    }

    @Test("an empty object is an empty book")
    func emptyObject() throws {
        #expect(try book("{}").modelNames.isEmpty)
    }

    @Test("max_input_tokens is preferred to max_tokens; max_tokens is the fallback")
    func contextWindowSource() throws {
        let prices = try book("""
        {
          "both": {"input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06,
                   "max_input_tokens": 128000, "max_tokens": 16384, "max_output_tokens": 16384},
          "max-tokens-only": {"input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06, "max_tokens": 8192},
          "neither": {"input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06}
        }
        """)
        #expect(prices["both"]?.maxInputTokens == 128_000)
        #expect(prices["both"]?.maxOutputTokens == 16_384)
        #expect(prices["max-tokens-only"]?.maxInputTokens == 8_192)
        #expect(prices["max-tokens-only"]?.maxOutputTokens == nil)
        #expect(prices["neither"].map { $0.maxInputTokens == nil } == true)
    }

    @Test("cached and tiered prices are read")
    func cachedAndTieredPrices() throws {
        let prices = try book("""
        {"long-context": {"input_cost_per_token": 1.25e-06, "output_cost_per_token": 5e-06,
                          "cache_read_input_token_cost": 3.125e-07,
                          "input_cost_per_token_above_128k_tokens": 2.5e-06,
                          "output_cost_per_token_above_128k_tokens": 1e-05,
                          "max_input_tokens": 2097152}}
        """)
        let price = try #require(prices["long-context"])
        #expect(price.cachedInputPerToken == USD(3.125e-07))
        #expect(price.inputPerTokenAbove128k == USD(2.5e-06))
        #expect(price.outputPerTokenAbove128k == USD(1e-05))
        #expect(price.maxInputTokens == 2_097_152)
    }

    @Test("numbers written as strings are accepted")
    func numericStrings() throws {
        let prices = try book(#"{"m": {"input_cost_per_token": "2e-06", "output_cost_per_token": "4e-06", "max_tokens": "1000"}}"#)
        #expect(prices["m"]?.inputPerToken == USD(2e-06))
        #expect(prices["m"]?.outputPerToken == USD(4e-06))
        #expect(prices["m"]?.maxInputTokens == 1000)
    }

    @Test("a context window that is not a whole number of tokens is ignored, not a crash", arguments: [
        #""nan""#, #""inf""#, "1e300", "-1e300", #""1e30""#,
    ])
    func unrepresentableContextWindow(value: String) throws {
        let prices = try book(#"{"m": {"input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06, "max_tokens": \#(value), "max_output_tokens": \#(value)}}"#)
        let price = try #require(prices["m"])
        #expect(price.maxInputTokens == nil)
        #expect(price.maxOutputTokens == nil)
    }

    @Test("malformed JSON throws PriceBookError", arguments: [
        "",
        "{",
        #"{"gpt-4o" {"input_cost_per_token": 2.5e-06}}"#,   // missing colon
        #"{'gpt-4o': {}}"#,                                  // single quotes
        #"{"gpt-4o": {"input_cost_per_token": 2.5e-06"#,    // truncated
        // (A trailing comma is not in this list: Foundation's JSON reader accepts it.)
        "not json at all",
        #"{"a": 1} trailing"#,
    ])
    func malformedJSON(text: String) {
        #expect(throws: PriceBookError.self) { try book(text) }
    }

    @Test("a top level that is not an object throws PriceBookError", arguments: [
        "[]",
        #"[{"input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06}]"#,
        "42",
        #""gpt-4o""#,
        "null",
        "true",
    ])
    func nonObjectTopLevel(text: String) {
        #expect(throws: PriceBookError.self) { try book(text) }
    }

    @Test("the error message says what was wrong")
    func errorMessages() {
        let notObject = #expect(throws: PriceBookError.self) { try book("[]") }
        #expect(notObject?.description.contains("JSON object") == true)
        let notJSON = #expect(throws: PriceBookError.self) { try book("{") }
        #expect(notJSON?.message.hasPrefix("not valid JSON") == true)
    }

    @Test("the subscript sets and replaces prices")
    func subscriptSetter() {
        var prices = PriceBook()
        prices["b"] = ModelPrice(inputPerToken: USD(1), outputPerToken: USD(2))
        prices["a"] = .free
        #expect(prices.modelNames == ["a", "b"])
        prices["b"] = nil
        #expect(prices.modelNames == ["a"])
        #expect(prices["a"] == .free)
    }
}
