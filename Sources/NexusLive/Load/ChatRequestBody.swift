import NIOCore
import NexusSim

/// The chat-completions request the load generator sends for one arrival: its class's model, a prompt of the
/// sampled input length (about 4 bytes a token, distinct per prompt id so a cache in the target sees the
/// scenario's repeats), `max_tokens`, and `stream` (with `stream_options.include_usage`, so a stream reports
/// its usage).
enum ChatRequestBody {
    /// Bytes of prompt per input token (English text averages about 4 with GPT tokenizers).
    static let bytesPerToken = 4
    /// The longest prompt sent, bytes; longer inputs are cut (the input-token hint header still says the
    /// sampled count).
    static let maximumPromptBytes = 2 << 20

    private static let filler: [UInt8] = Array(String(repeating: "lore", count: maximumPromptBytes / 4).utf8)

    static func encode(model: String, arrival: Arrival, stream: Bool, allocator: ByteBufferAllocator) -> ByteBuffer {
        let label = "p\(arrival.promptID) "
        let promptBytes = min(max(Int(arrival.inputTokens) * bytesPerToken, label.utf8.count), maximumPromptBytes)
        var buffer = allocator.buffer(capacity: promptBytes + 200)
        buffer.writeString("{\"model\":")
        writeJSONString(model, to: &buffer)
        buffer.writeString(",\"messages\":[{\"role\":\"user\",\"content\":\"")
        buffer.writeString(label)
        buffer.writeBytes(filler[0..<max(promptBytes - label.utf8.count, 0)])
        buffer.writeString("\"}],\"max_tokens\":\(max(arrival.maxOutputTokens, 1))")
        buffer.writeString(stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}" : ",\"stream\":false}")
        return buffer
    }

    /// `text` as a JSON string literal.
    static func writeJSONString(_ text: String, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer.writeString("\\\"")
            case UInt8(ascii: "\\"): buffer.writeString("\\\\")
            case 0..<0x20: buffer.writeString("\\u00" + (byte < 16 ? "0" : "") + String(byte, radix: 16))
            default: buffer.writeInteger(byte)
            }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}
