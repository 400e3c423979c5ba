/// What one server-sent event of a chat-completions stream means.
public enum ChatCompletionStreamEvent: Sendable, Hashable {
    /// A chunk of the answer (or the final usage chunk).
    case chunk(ChatCompletionChunk)
    /// `data: [DONE]`: the stream is complete.
    case done
    /// An error sent in the stream (`data: {"error": {...}}`), as OpenAI does when a stream fails midway.
    case error(OpenAIError)

    /// Interprets an event's data.
    public init(event: ServerSentEvent) throws(OpenAIError) {
        if event.isDone {
            self = .done
            return
        }
        let bytes = Array(event.data.utf8)
        let reader = try WireReader.topLevel(bytes)
        if reader.object["error"] != nil, reader.object["choices"] == nil {
            self = .error(OpenAIError(status: 500, body: bytes))
            return
        }
        self = .chunk(try ChatCompletionChunk(reading: reader))
    }
}
