/// What the gateway answers a chat-completions call with: a status, headers and a body that is either complete
/// or streamed (server-sent events relayed as the upstream produces them).
public struct GatewayReply: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        case stream(AsyncStream<[UInt8]>)
    }

    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Body

    public init(status: Int, headers: [(name: String, value: String)], body: Body) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// An error in OpenAI's format.
    public static func error(_ error: OpenAIError, headers: [(name: String, value: String)] = []) -> GatewayReply {
        GatewayReply(status: error.status, headers: [("content-type", "application/json")] + headers, body: .bytes(error.jsonBytes))
    }
}
