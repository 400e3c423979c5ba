import Foundation
import NexusGateway

/// A price table that could not be read.
public struct PriceBookError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

extension PriceBook {
    /// Reads LiteLLM's `model_prices_and_context_window.json` format.
    ///
    /// Entries without both `input_cost_per_token` and `output_cost_per_token` (image or audio
    /// models, the `sample_spec` documentation entry) are skipped: they cannot price a chat call.
    /// - Parameter data: the JSON document.
    public static func litellm(json data: Data) throws -> PriceBook {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw PriceBookError(message: "not valid JSON: \(error.localizedDescription)")
        }
        guard let table = object as? [String: Any] else {
            throw PriceBookError(message: "expected a JSON object keyed by model name at the top level")
        }
        var book = PriceBook()
        for (name, value) in table where name != "sample_spec" {
            guard let entry = value as? [String: Any],
                  let input = number(entry["input_cost_per_token"]),
                  let output = number(entry["output_cost_per_token"])
            else { continue }
            book[name] = ModelPrice(
                inputPerToken: USD(input),
                outputPerToken: USD(output),
                cachedInputPerToken: number(entry["cache_read_input_token_cost"]).map(USD.init),
                inputPerTokenAbove128k: number(entry["input_cost_per_token_above_128k_tokens"]).map(USD.init),
                outputPerTokenAbove128k: number(entry["output_cost_per_token_above_128k_tokens"]).map(USD.init),
                maxInputTokens: tokenCount(entry["max_input_tokens"] ?? entry["max_tokens"]),
                maxOutputTokens: tokenCount(entry["max_output_tokens"]))
        }
        return book
    }

    /// A token limit; values that are not finite, negative or beyond `Int` count as "unknown".
    private static func tokenCount(_ any: Any?) -> Int? {
        guard let x = number(any), x.isFinite, x >= 0, x < 9e18 else { return nil }
        return Int(x)
    }

    private static func number(_ any: Any?) -> Double? {
        switch any {
        case let n as NSNumber: n.doubleValue
        case let s as String: Double(s)
        default: nil
        }
    }
}
