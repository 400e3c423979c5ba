/// One streamed piece of a chat completion (`"object": "chat.completion.chunk"`), sent as an SSE `data:` event.
///
/// With `stream_options.include_usage` the stream ends with a chunk whose `choices` is empty and whose `usage`
/// is set; every other chunk then carries `"usage": null`.
public struct ChatCompletionChunk: Sendable, Hashable {
    /// A choice's increment.
    public struct Choice: Sendable, Hashable {
        public var index: Int
        /// The role, on the first chunk only.
        public var role: String?
        /// New text, if any.
        public var content: String?
        public var finishReason: String?

        public init(index: Int = 0, role: String? = nil, content: String? = nil, finishReason: String? = nil) {
            self.index = index
            self.role = role
            self.content = content
            self.finishReason = finishReason
        }
    }

    public var id: String
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: Usage?
    /// Whether `"usage": null` is written when `usage` is nil (OpenAI does so when usage was requested).
    public var writesNullUsage: Bool

    public init(id: String, created: Int, model: String, choices: [Choice], usage: Usage? = nil, writesNullUsage: Bool = false) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.writesNullUsage = writesNullUsage
    }

    public var jsonValue: JSONValue {
        var object: JSONObject = [
            "id": .string(id),
            "object": .string("chat.completion.chunk"),
            "created": .integer(created),
            "model": .string(model),
            "choices": .array(choices.map { choice in
                var delta = JSONObject()
                if let role = choice.role { delta["role"] = .string(role) }
                if let content = choice.content { delta["content"] = .string(content) }
                return .object([
                    "index": .integer(choice.index),
                    "delta": .object(delta),
                    "finish_reason": choice.finishReason.map(JSONValue.string) ?? .null,
                ])
            }),
        ]
        if let usage {
            object["usage"] = usage.jsonValue
        } else if writesNullUsage {
            object["usage"] = .null
        }
        return .object(object)
    }

    public var jsonBytes: [UInt8] { JSONWriter.bytes(jsonValue) }

    /// Decodes one chunk an upstream streamed.
    public init(jsonBytes body: some Collection<UInt8>) throws(OpenAIError) {
        try self.init(reading: try WireReader.topLevel(body))
    }

    init(reading reader: WireReader) throws(OpenAIError) {
        let rawChoices = try reader.requiredArray("choices")
        var choices: [Choice] = []
        for index in rawChoices.indices {
            let choice = try reader.element("choices", index, of: rawChoices)
            let delta = try choice.optionalObject("delta")
            choices.append(Choice(
                index: try choice.optionalInteger("index") ?? index,
                role: try delta?.optionalString("role"),
                content: try delta?.optionalString("content"),
                finishReason: try choice.optionalString("finish_reason")))
        }
        self.init(
            id: try reader.optionalString("id") ?? "",
            created: try reader.optionalInteger("created") ?? 0,
            model: try reader.optionalString("model") ?? "",
            choices: choices,
            usage: try reader.optionalObject("usage").map { (usage) throws(OpenAIError) in try Usage(reading: usage) },
            writesNullUsage: reader.object["usage"] == .null)
    }
}
