/// A `POST /v1/chat/completions` request body.
///
/// The parameters the gateway interprets are typed fields; every other parameter (`tools`, `response_format`,
/// `logit_bias`, ...) is kept in `otherParameters` in written order and forwarded to the upstream unchanged.
public struct ChatCompletionRequest: Sendable, Hashable {
    /// The model; at the gateway, a tier name.
    public var model: String
    /// The conversation, at least one message.
    public var messages: [ChatMessage]
    /// Whether the answer is streamed as server-sent events.
    public var stream: Bool
    /// `stream_options.include_usage`: a final chunk with the usage and no choices.
    public var includeUsage: Bool
    /// `max_completion_tokens`, or the older `max_tokens` when only that is given.
    public var maxTokens: Int?
    public var temperature: Double?
    public var topP: Double?
    /// Number of choices; nil means 1.
    public var n: Int?
    public var stop: [String]?
    public var seed: Int?
    public var presencePenalty: Double?
    public var frequencyPenalty: Double?
    /// OpenAI's end-user identifier.
    public var user: String?
    /// Every other parameter, forwarded unchanged.
    public var otherParameters: JSONObject

    public init(
        model: String, messages: [ChatMessage], stream: Bool = false, includeUsage: Bool = false,
        maxTokens: Int? = nil, temperature: Double? = nil, topP: Double? = nil, n: Int? = nil,
        stop: [String]? = nil, seed: Int? = nil, presencePenalty: Double? = nil, frequencyPenalty: Double? = nil,
        user: String? = nil, otherParameters: JSONObject = JSONObject()
    ) {
        self.model = model
        self.messages = messages
        self.stream = stream
        self.includeUsage = includeUsage
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.n = n
        self.stop = stop
        self.seed = seed
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.user = user
        self.otherParameters = otherParameters
    }

    /// The parameters decoded into typed fields; all others go to `otherParameters`.
    static let interpretedKeys: Set<String> = [
        "model", "messages", "stream", "stream_options", "max_tokens", "max_completion_tokens", "temperature",
        "top_p", "n", "stop", "seed", "presence_penalty", "frequency_penalty", "user",
    ]

    /// Decodes a request body. Errors are OpenAI's 400s: malformed JSON (with line and column), a missing
    /// required parameter, a parameter of the wrong type or out of range — each naming the parameter.
    public init(jsonBytes body: some Collection<UInt8>) throws(OpenAIError) {
        let reader = try WireReader.topLevel(body)
        let model = try reader.requiredString("model")
        let rawMessages = try reader.requiredArray("messages")
        guard !rawMessages.isEmpty else {
            throw .invalidRequest(
                "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
                param: "messages", code: "empty_array")
        }
        var messages: [ChatMessage] = []
        messages.reserveCapacity(rawMessages.count)
        for index in rawMessages.indices {
            messages.append(try ChatMessage(reading: reader.element("messages", index, of: rawMessages)))
        }
        let stream = try reader.optionalBool("stream") ?? false
        var includeUsage = false
        if let options = try reader.optionalObject("stream_options") {
            guard stream else {
                throw reader.invalidValue("stream_options", "'stream_options' is only allowed when 'stream' is true.")
            }
            includeUsage = try options.optionalBool("include_usage") ?? false
        }
        let maxCompletionTokens = try reader.optionalInteger("max_completion_tokens", in: 1...Int(Int32.max))
        let maxTokens = try reader.optionalInteger("max_tokens", in: 1...Int(Int32.max))
        var stop: [String]?
        switch reader.value("stop") {
        case nil: stop = nil
        case .string(let text)?: stop = [text]
        case .array(let items)?:
            guard items.count <= 4 else { throw reader.invalidValue("stop", "at most 4 stop sequences, but got \(items.count).") }
            stop = []
            for (index, item) in items.enumerated() {
                guard let text = item.stringValue else {
                    throw .invalidRequest(
                        "Invalid type for 'stop[\(index)]': expected a string, but got \(item.typeDescription) instead.",
                        param: "stop[\(index)]", code: "invalid_type")
                }
                stop?.append(text)
            }
        case let other?: throw reader.invalidType("stop", expected: "one of a string or an array of strings", found: other)
        }
        var others = JSONObject()
        for member in reader.object.members where !ChatCompletionRequest.interpretedKeys.contains(member.key) {
            others.members.append(member)
        }
        self.init(
            model: model, messages: messages, stream: stream, includeUsage: includeUsage,
            maxTokens: maxCompletionTokens ?? maxTokens,
            temperature: try reader.optionalNumber("temperature", in: 0...2),
            topP: try reader.optionalNumber("top_p", in: 0...1),
            n: try reader.optionalInteger("n", in: 1...128),
            stop: stop,
            seed: try reader.optionalInteger("seed"),
            presencePenalty: try reader.optionalNumber("presence_penalty", in: -2...2),
            frequencyPenalty: try reader.optionalNumber("frequency_penalty", in: -2...2),
            user: try reader.optionalString("user"),
            otherParameters: others)
    }

    /// The request as JSON, with `model` as given (the gateway substitutes the endpoint's model before sending).
    public var jsonValue: JSONValue {
        var object = JSONObject()
        object["model"] = .string(model)
        object["messages"] = .array(messages.map(\.jsonValue))
        if stream {
            object["stream"] = .bool(true)
            if includeUsage { object["stream_options"] = .object(["include_usage": .bool(true)]) }
        }
        if let maxTokens { object["max_tokens"] = .integer(maxTokens) }
        if let temperature { object["temperature"] = .double(temperature) }
        if let topP { object["top_p"] = .double(topP) }
        if let n { object["n"] = .integer(n) }
        if let stop { object["stop"] = .array(stop.map(JSONValue.string)) }
        if let seed { object["seed"] = .integer(seed) }
        if let presencePenalty { object["presence_penalty"] = .double(presencePenalty) }
        if let frequencyPenalty { object["frequency_penalty"] = .double(frequencyPenalty) }
        if let user { object["user"] = .string(user) }
        object.members.append(contentsOf: otherParameters.members)
        return .object(object)
    }

    /// The request as compact JSON bytes.
    public var jsonBytes: [UInt8] { JSONWriter.bytes(jsonValue) }

    /// The text of all messages, for token estimates and cache fingerprints.
    public var promptText: String { messages.map(\.text).joined(separator: "\n") }

    /// A rough prompt token count (about four characters per token, plus a few per message for the chat
    /// framing), for routing and budget reservations before the upstream reports the real count.
    public var estimatedPromptTokens: Int {
        var characters = 0
        for message in messages { characters += message.text.utf8.count }
        return max(1, (characters + 3) / 4 + 4 * messages.count)
    }
}
