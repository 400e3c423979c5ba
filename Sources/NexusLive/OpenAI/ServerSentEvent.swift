/// One server-sent event (the WHATWG `text/event-stream` format OpenAI streams in).
public struct ServerSentEvent: Sendable, Hashable {
    /// The `event:` field; nil for the default `message` type.
    public var event: String?
    /// The `data:` lines joined by `\n`.
    public var data: String
    /// The `id:` field.
    public var id: String?
    /// The `retry:` field in milliseconds.
    public var retryMilliseconds: Int?

    public init(event: String? = nil, data: String, id: String? = nil, retryMilliseconds: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retryMilliseconds = retryMilliseconds
    }

    /// The data OpenAI sends to end a stream.
    public static let doneData = "[DONE]"

    /// Whether this is the `data: [DONE]` terminator.
    public var isDone: Bool { data == ServerSentEvent.doneData }

    /// The event's wire form: its fields, one `data:` line per line of data, then a blank line.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        if let event { out.append(contentsOf: "event: \(event)\n".utf8) }
        if let id { out.append(contentsOf: "id: \(id)\n".utf8) }
        if let retryMilliseconds { out.append(contentsOf: "retry: \(retryMilliseconds)\n".utf8) }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            out.append(contentsOf: "data: ".utf8)
            out.append(contentsOf: line.utf8)
            out.append(UInt8(ascii: "\n"))
        }
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// `data: JSON\n\n` for a single-line JSON payload, without building an intermediate `String`.
    public static func frame(json: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(json.count + 8)
        out.append(contentsOf: "data: ".utf8)
        out.append(contentsOf: json)
        out.append(contentsOf: [UInt8(ascii: "\n"), UInt8(ascii: "\n")])
        return out
    }

    /// `data: [DONE]\n\n`.
    public static let doneFrame: [UInt8] = Array("data: [DONE]\n\n".utf8)
}
