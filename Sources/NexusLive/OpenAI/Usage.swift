/// Token usage of a completion, as OpenAI reports it.
public struct Usage: Sendable, Hashable {
    public var promptTokens: Int
    public var completionTokens: Int
    /// `prompt_tokens_details.cached_tokens`: prompt tokens served from the provider's prompt cache.
    public var cachedPromptTokens: Int?

    public init(promptTokens: Int, completionTokens: Int, cachedPromptTokens: Int? = nil) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedPromptTokens = cachedPromptTokens
    }

    public var totalTokens: Int { promptTokens + completionTokens }

    public var jsonValue: JSONValue {
        var object: JSONObject = [
            "prompt_tokens": .integer(promptTokens),
            "completion_tokens": .integer(completionTokens),
            "total_tokens": .integer(totalTokens),
        ]
        if let cachedPromptTokens { object["prompt_tokens_details"] = .object(["cached_tokens": .integer(cachedPromptTokens)]) }
        return .object(object)
    }

    init(reading reader: WireReader) throws(OpenAIError) {
        let prompt = try reader.optionalInteger("prompt_tokens", in: 0...Int(Int32.max)) ?? 0
        let completion = try reader.optionalInteger("completion_tokens", in: 0...Int(Int32.max)) ?? 0
        let cached = try reader.optionalObject("prompt_tokens_details")?.optionalInteger("cached_tokens", in: 0...Int(Int32.max))
        self.init(promptTokens: prompt, completionTokens: completion, cachedPromptTokens: cached)
    }
}
