/// A non-streamed chat completion (`"object": "chat.completion"`).
public struct ChatCompletion: Sendable, Hashable {
    /// One answer.
    public struct Choice: Sendable, Hashable {
        public var index: Int
        public var message: ChatMessage
        /// `stop`, `length`, `tool_calls`, `content_filter`, or nil.
        public var finishReason: String?

        public init(index: Int = 0, message: ChatMessage, finishReason: String? = "stop") {
            self.index = index
            self.message = message
            self.finishReason = finishReason
        }
    }

    public var id: String
    /// Unix time in seconds.
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: Usage?

    public init(id: String, created: Int, model: String, choices: [Choice], usage: Usage?) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }

    /// The first choice's text.
    public var text: String { choices.first?.message.text ?? "" }

    public var jsonValue: JSONValue {
        var object: JSONObject = [
            "id": .string(id),
            "object": .string("chat.completion"),
            "created": .integer(created),
            "model": .string(model),
            "choices": .array(choices.map { choice in
                .object([
                    "index": .integer(choice.index),
                    "message": choice.message.jsonValue,
                    "finish_reason": choice.finishReason.map(JSONValue.string) ?? .null,
                ])
            }),
        ]
        if let usage { object["usage"] = usage.jsonValue }
        return .object(object)
    }

    public var jsonBytes: [UInt8] { JSONWriter.bytes(jsonValue) }

    /// Decodes an upstream's answer. Unknown members are ignored; `choices` and each message are required.
    public init(jsonBytes body: some Collection<UInt8>) throws(OpenAIError) {
        let reader = try WireReader.topLevel(body)
        let rawChoices = try reader.requiredArray("choices")
        var choices: [Choice] = []
        for index in rawChoices.indices {
            let choice = try reader.element("choices", index, of: rawChoices)
            guard let message = try choice.optionalObject("message") else { throw choice.missing("message") }
            choices.append(Choice(
                index: try choice.optionalInteger("index") ?? index,
                message: try ChatMessage(reading: message),
                finishReason: try choice.optionalString("finish_reason")))
        }
        self.init(
            id: try reader.optionalString("id") ?? "",
            created: try reader.optionalInteger("created") ?? 0,
            model: try reader.optionalString("model") ?? "",
            choices: choices,
            usage: try reader.optionalObject("usage").map { (usage) throws(OpenAIError) in try Usage(reading: usage) })
    }
}
