/// Prices per model, keyed by the model names LiteLLM uses (`gpt-4o`, `openrouter/anthropic/claude-3-haiku`).
///
/// Reading LiteLLM's JSON table is the scenario loader's work (`NexusScenario`): this module does no I/O.
public struct PriceBook: Sendable {
    public private(set) var prices: [String: ModelPrice]

    public init(prices: [String: ModelPrice] = [:]) { self.prices = prices }

    public subscript(model: String) -> ModelPrice? {
        get { prices[model] }
        set { prices[model] = newValue }
    }

    /// The known model names, sorted.
    public var modelNames: [String] { prices.keys.sorted() }
}
