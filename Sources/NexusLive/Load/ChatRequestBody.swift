import NexusSim

/// The chat-completions request the load generator sends for one arrival (in the shared OpenAI wire format,
/// ``ChatCompletionRequest``): its class's model, one user message of the sampled input length (about 4 bytes a
/// token, distinct per prompt id so a cache in the target sees the scenario's repeats), `max_tokens`, and
/// `stream` with `stream_options.include_usage` (so a stream reports its usage).
enum ChatRequestBody {
    /// Bytes of prompt per input token (English text averages about 4 with GPT tokenizers).
    static let bytesPerToken = 4
    /// The longest prompt sent, bytes; longer inputs are cut (the input-token hint header still says the
    /// sampled count).
    static let maximumPromptBytes = 2 << 20

    private static let filler: [UInt8] = Array(String(repeating: "lore", count: maximumPromptBytes / 4).utf8)

    /// The prompt of `arrival`: `p<prompt id> ` then filler up to the sampled length.
    static func prompt(for arrival: Arrival) -> String {
        let label = "p\(arrival.promptID) "
        let bytes = min(max(Int(arrival.inputTokens) * bytesPerToken, label.utf8.count), maximumPromptBytes)
        return label + String(decoding: filler[0..<(bytes - label.utf8.count)], as: UTF8.self)
    }

    static func encode(model: String, arrival: Arrival, stream: Bool) -> [UInt8] {
        ChatCompletionRequest(model: model, messages: [ChatMessage(role: "user", text: prompt(for: arrival))],
                              stream: stream, includeUsage: stream, maxTokens: max(Int(arrival.maxOutputTokens), 1)).jsonBytes
    }
}
