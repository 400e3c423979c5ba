/// Writes YAML text: block mappings and lists at the top, flow style for small values, every scalar quoted
/// when YAML would read it as something else. Used by the LiteLLM import and export.
struct YAMLWriter {
    var text = ""

    /// A YAML value to write.
    indirect enum Value {
        case scalar(String)
        /// A scalar written exactly as given (a number, a boolean, a unit like 250ms).
        case plain(String)
        case mapping([(String, Value, comment: String?)])
        case list([Value])

        static func map(_ entries: [(String, Value)]) -> Value { .mapping(entries.map { ($0.0, $0.1, comment: nil) }) }
    }

    mutating func comment(_ line: String, indent: Int = 0) {
        for part in line.split(separator: "\n", omittingEmptySubsequences: false) {
            text += String(repeating: " ", count: indent) + (part.isEmpty ? "#" : "# \(part)") + "\n"
        }
    }

    mutating func blank() { text += "\n" }

    /// `key: value`, the value in flow style when short, else as a nested block.
    mutating func entry(_ key: String, _ value: Value, indent: Int = 0, comment: String? = nil) {
        let pad = String(repeating: " ", count: indent)
        let tail = comment.map { "   # \($0)" } ?? ""
        let flow = Self.flow(value)
        switch value {
        case .mapping(let entries) where !entries.isEmpty && (flow.count + indent + key.count > 110 || entries.contains { $0.comment != nil }):
            text += "\(pad)\(Self.key(key)):\(tail)\n"
            for e in entries { entry(e.0, e.1, indent: indent + 2, comment: e.comment) }
        case .list(let items) where !items.isEmpty && flow.count + indent + key.count > 110:
            text += "\(pad)\(Self.key(key)):\(tail)\n"
            for item in items { listItem(item, indent: indent + 2) }
        default:
            text += "\(pad)\(Self.key(key)): \(flow)\(tail)\n"
        }
    }

    mutating func listItem(_ value: Value, indent: Int) {
        let pad = String(repeating: " ", count: indent)
        if case .mapping(let entries) = value, !entries.isEmpty, Self.flow(value).count + indent > 110 || entries.contains(where: { $0.comment != nil }) {
            var first = true
            for e in entries {
                if first {
                    // `- key: value` for the first entry, the rest aligned under it.
                    var nested = YAMLWriter()
                    nested.entry(e.0, e.1, indent: indent + 2, comment: e.comment)
                    text += pad + "- " + nested.text.dropFirst(indent + 2)
                    first = false
                } else {
                    entry(e.0, e.1, indent: indent + 2, comment: e.comment)
                }
            }
        } else {
            text += "\(pad)- \(Self.flow(value))\n"
        }
    }

    static func flow(_ value: Value) -> String {
        switch value {
        case .scalar(let s): quote(s)
        case .plain(let s): s
        case .mapping(let entries): "{" + entries.map { "\(key($0.0)): \(flow($0.1))" }.joined(separator: ", ") + "}"
        case .list(let items): "[" + items.map(flow).joined(separator: ", ") + "]"
        }
    }

    static func key(_ k: String) -> String { quote(k) }

    /// `s` bare when YAML reads it back as the same string, else double-quoted with escapes.
    static func quote(_ s: String) -> String {
        let special: Set<Character> = [":", "#", "{", "}", "[", "]", ",", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`", "?", "-"]
        let reserved = ["true", "false", "yes", "no", "on", "off", "null", "none", "~", "y", "n"]
        let bareSafe = !s.isEmpty && !reserved.contains(s.lowercased()) && Double(s) == nil && Int(s) == nil
            && s.first.map { !special.contains($0) && !$0.isWhitespace } == true && s.last?.isWhitespace == false
            && !s.contains(": ") && !s.contains(" #") && !s.contains(",") && !s.contains("{") && !s.contains("}")
            && !s.contains("[") && !s.contains("]") && !s.hasSuffix(":") && s.allSatisfy { $0 >= " " && $0 != "\u{7F}" }
        if bareSafe { return s }
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 || c.value == 0x7F { out += "\\x" + String(c.value, radix: 16).leftPadded(to: 2) } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }
}

private extension String {
    func leftPadded(to n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}

extension YAMLWriter.Value {
    /// A scenario tree node as a value to write (locations dropped).
    init(_ node: ScenarioNode) {
        switch node {
        case .scalar(let s, _): self = Double(s) != nil && s.allSatisfy({ "0123456789.-+eE".contains($0) }) ? .plain(s) : .scalar(s)
        case .null: self = .plain("~")
        case .sequence(let items, _): self = .list(items.map(YAMLWriter.Value.init))
        case .mapping(let entries, _): self = .map(entries.map { ($0.key, YAMLWriter.Value($0.value)) })
        }
    }
}
