/// What one model charges, in USD per token, and how much context it accepts.
///
/// Mirrors the fields of LiteLLM's `model_prices_and_context_window.json` that cost depends on,
/// including the tiered prices some models charge once a prompt exceeds 128k tokens.
public struct ModelPrice: Hashable, Sendable {
    public var inputPerToken: USD
    public var outputPerToken: USD
    /// Price of an input token served from the provider's prompt cache; `nil` when the model has none.
    public var cachedInputPerToken: USD?
    /// Prices that replace the above for a request whose input exceeds 128k tokens.
    public var inputPerTokenAbove128k: USD?
    public var outputPerTokenAbove128k: USD?
    /// Largest prompt the model accepts, in tokens; `nil` when unknown (then any prompt fits).
    public var maxInputTokens: Int?
    public var maxOutputTokens: Int?

    public init(
        inputPerToken: USD, outputPerToken: USD, cachedInputPerToken: USD? = nil,
        inputPerTokenAbove128k: USD? = nil, outputPerTokenAbove128k: USD? = nil,
        maxInputTokens: Int? = nil, maxOutputTokens: Int? = nil
    ) {
        self.inputPerToken = inputPerToken
        self.outputPerToken = outputPerToken
        self.cachedInputPerToken = cachedInputPerToken
        self.inputPerTokenAbove128k = inputPerTokenAbove128k
        self.outputPerTokenAbove128k = outputPerTokenAbove128k
        self.maxInputTokens = maxInputTokens
        self.maxOutputTokens = maxOutputTokens
    }

    /// A free model (OpenRouter's `:free` variants, on-premise models without a token price).
    public static let free = ModelPrice(inputPerToken: .zero, outputPerToken: .zero)

    /// The price of one call: `inputTokens` of prompt (of which `cachedInputTokens` came from the
    /// provider's prompt cache) and `outputTokens` generated. O(1).
    @inlinable
    public func cost(inputTokens: Int, outputTokens: Int, cachedInputTokens: Int = 0) -> USD {
        let above = inputTokens > 128_000
        let inPrice = above ? (inputPerTokenAbove128k ?? inputPerToken) : inputPerToken
        let outPrice = above ? (outputPerTokenAbove128k ?? outputPerToken) : outputPerToken
        let cached = min(max(cachedInputTokens, 0), inputTokens)
        let cachedPrice = cachedInputPerToken ?? inPrice
        return USD(
            inPrice.dollars * Double(inputTokens - cached)
                + cachedPrice.dollars * Double(cached)
                + outPrice.dollars * Double(outputTokens))
    }

    /// The most output tokens, at most `atMost`, that a call with `inputTokens` of prompt can produce for at
    /// most `budget`: 0 when the prompt alone costs more. For the budget's `clamp` reservation. O(1).
    public func outputTokens(within budget: USD, inputTokens: Int, atMost: Int) -> Int {
        guard atMost > 0 else { return 0 }
        let prompt = cost(inputTokens: inputTokens, outputTokens: 0)
        guard prompt <= budget else { return 0 }
        let perToken = cost(inputTokens: inputTokens, outputTokens: 1).dollars - prompt.dollars
        guard perToken > 0 else { return atMost }
        // Compared as a double first: a huge room must not reach `Int(_:)`.
        let tokens = ((budget.dollars - prompt.dollars) / perToken).rounded(.down)
        var k = tokens >= Double(atMost) ? atMost : max(Int(tokens), 0)
        // The division can round up by one token; the priced call must fit.
        while k > 0, cost(inputTokens: inputTokens, outputTokens: k) > budget { k -= 1 }
        return k
    }
}
