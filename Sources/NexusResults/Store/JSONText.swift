/// Minimal JSON writing for ordered string-to-string objects.
///
/// `JSONSerialization` does not preserve key order, and parameters read best in
/// the order the scenario declared them.
enum JSONText {
    /// `{"key":"value",...}` with keys in the given order.
    static func object(_ pairs: [(String, String)]) -> String {
        var text = "{"
        for (index, (key, value)) in pairs.enumerated() {
            if index > 0 { text += "," }
            text += quoted(key)
            text += ":"
            text += quoted(value)
        }
        text += "}"
        return text
    }

    /// A JSON string literal. Escapes `"` and `\`, and every control character
    /// below U+0020 as `\u00xx` (lowercase hex); everything else is emitted as-is.
    static func quoted(_ string: String) -> String {
        var text = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
        return text
    }
}
