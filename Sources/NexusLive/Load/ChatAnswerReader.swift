import Foundation
import NIOCore

/// Reads what the load generator measures from an OpenAI chat-completions answer: the model that answered,
/// the token usage and, for an error, its code. Only these fields are read; the answer's text is not.
enum ChatAnswerReader {
    struct Fields {
        var model: String?
        var usage: ChatUsage?
        var errorCode: String?
    }

    /// A whole JSON answer (`stream: false`), or an error object.
    static func body(_ buffer: ByteBuffer) -> Fields {
        guard let object = json(buffer.readableBytesView) else { return Fields() }
        return fields(of: object)
    }

    /// A server-sent-event stream, from its first bytes (`head`: the model) and its last (`tail`: the final
    /// usage chunk sent with `stream_options.include_usage`).
    static func stream(head: ByteBuffer, tail: ByteBuffer) -> Fields {
        var result = Fields()
        for event in events(head.readableBytesView) {
            guard let object = json(event) else { continue }
            let f = fields(of: object)
            result.model = result.model ?? f.model
            result.errorCode = result.errorCode ?? f.errorCode
            if result.model != nil { break }
        }
        for event in events(tail.readableBytesView).reversed() {
            guard let object = json(event) else { continue }
            let f = fields(of: object)
            if result.usage == nil, let usage = f.usage { result.usage = usage }
            result.errorCode = result.errorCode ?? f.errorCode
            result.model = result.model ?? f.model
            if result.usage != nil { break }
        }
        // A plain JSON error answer to a streaming request.
        if result.model == nil, result.usage == nil, result.errorCode == nil, let object = json(head.readableBytesView) {
            return fields(of: object)
        }
        return result
    }

    /// The payloads of the complete `data:` lines in `bytes` (not `[DONE]`).
    static func events(_ bytes: ByteBufferView) -> [ArraySlice<UInt8>] {
        let all = Array(bytes)
        var out: [ArraySlice<UInt8>] = []
        var start = 0
        let prefix = Array("data:".utf8)
        for i in all.indices where all[i] == UInt8(ascii: "\n") {
            var line = all[start..<i]
            start = i + 1
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            guard line.starts(with: prefix) else { continue }
            var payload = line.dropFirst(prefix.count)
            while payload.first == UInt8(ascii: " ") { payload = payload.dropFirst() }
            if payload.first == UInt8(ascii: "{") { out.append(payload) }
        }
        return out
    }

    private static func json<C: Collection>(_ bytes: C) -> [String: Any]? where C.Element == UInt8 {
        guard !bytes.isEmpty else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    private static func fields(of object: [String: Any]) -> Fields {
        var f = Fields()
        f.model = object["model"] as? String
        if let usage = object["usage"] as? [String: Any] {
            let details = usage["prompt_tokens_details"] as? [String: Any]
            f.usage = ChatUsage(promptTokens: count(usage["prompt_tokens"]), completionTokens: count(usage["completion_tokens"]),
                                cachedTokens: count(details?["cached_tokens"]))
        }
        if let error = object["error"] as? [String: Any] {
            f.errorCode = (error["code"] as? String) ?? (error["type"] as? String) ?? "error"
        }
        return f
    }

    /// A token count from JSON: a non-negative whole number, else 0 (never a trap on a bad value).
    private static func count(_ value: Any?) -> Int {
        guard let number = value as? NSNumber else { return 0 }
        let d = number.doubleValue
        return d.isFinite && d >= 0 && d < 1e12 ? Int(d) : 0
    }
}
