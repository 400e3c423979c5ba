/// One message of a chat: a role and its content.
public struct ChatMessage: Sendable, Hashable {
    /// The roles OpenAI's chat-completions API accepts.
    public static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool", "function"]

    /// `system`, `developer`, `user`, `assistant`, `tool` or `function`.
    public var role: String
    /// The content: text, content parts, or none (an assistant message that only calls tools).
    public var content: Content
    /// Every other member (`name`, `tool_calls`, `tool_call_id`, ...), forwarded unchanged.
    public var otherFields: JSONObject

    /// Message content as OpenAI allows it.
    public enum Content: Sendable, Hashable {
        case text(String)
        /// Content parts (`{"type": "text", "text": ...}`, images, audio), kept as written.
        case parts([JSONValue])
        case none
    }

    public init(role: String, content: Content, otherFields: JSONObject = JSONObject()) {
        self.role = role
        self.content = content
        self.otherFields = otherFields
    }

    /// A message with text content.
    public init(role: String, text: String) {
        self.init(role: role, content: .text(text))
    }

    /// The text of the message: the content string, or the text parts joined by newlines.
    public var text: String {
        switch content {
        case .text(let text): return text
        case .none: return ""
        case .parts(let parts):
            return parts.compactMap { $0.objectValue?["text"]?.stringValue }.joined(separator: "\n")
        }
    }

    /// The message as JSON.
    public var jsonValue: JSONValue {
        var object = JSONObject()
        object["role"] = .string(role)
        switch content {
        case .text(let text): object["content"] = .string(text)
        case .parts(let parts): object["content"] = .array(parts)
        case .none: object["content"] = .null
        }
        for member in otherFields.members where member.key != "role" && member.key != "content" {
            object.members.append(member)
        }
        return .object(object)
    }

    /// Decodes a message at `reader.path`, naming the member at fault on error.
    init(reading reader: WireReader) throws(OpenAIError) {
        let role = try reader.requiredString("role")
        guard ChatMessage.roles.contains(role) else {
            throw reader.invalidValue(
                "role", "'\(role)' is not one of \(ChatMessage.roles.sorted().map { "'\($0)'" }.joined(separator: ", ")).")
        }
        let content: Content
        switch reader.object["content"] {
        case nil, .null?:
            guard role == "assistant" || role == "function" else { throw reader.missing("content") }
            content = .none
        case .string(let text)?: content = .text(text)
        case .array(let parts)?:
            for index in parts.indices {
                let part = try reader.element("content", index, of: parts)
                let type = try part.requiredString("type")
                if type == "text" { _ = try part.requiredString("text") }
            }
            content = .parts(parts)
        case let other?:
            throw reader.invalidType("content", expected: "one of a string or an array of objects", found: other)
        }
        var others = reader.object
        others["role"] = nil
        others["content"] = nil
        self.init(role: role, content: content, otherFields: others)
    }
}
