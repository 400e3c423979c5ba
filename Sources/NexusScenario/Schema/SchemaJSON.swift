import Foundation

/// A JSON value that keeps the order of object keys, used to write the scenario schema deterministically.
indirect enum SchemaJSON: Sendable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral {
    case object([(String, SchemaJSON)])
    case array([SchemaJSON])
    case string(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)

    init(stringLiteral value: String) { self = .string(value) }
    init(arrayLiteral elements: SchemaJSON...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, SchemaJSON)...) { self = .object(elements) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(integerLiteral value: Int) { self = .integer(value) }

    /// This object with `key` set (added at the end, or replaced in place).
    func setting(_ key: String, _ value: SchemaJSON) -> SchemaJSON {
        guard case .object(var entries) = self else { return self }
        if let i = entries.firstIndex(where: { $0.0 == key }) { entries[i].1 = value } else { entries.append((key, value)) }
        return .object(entries)
    }

    /// Pretty-printed JSON, two spaces per level, keys in their order; short arrays of scalars on one line.
    func rendered(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .string(let s): return Self.quoted(s)
        case .integer(let i): return String(i)
        case .number(let d): return String(d)
        case .bool(let b): return b ? "true" : "false"
        case .array(let items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy(\.isScalar) {
                let line = "[" + items.map { $0.rendered() }.joined(separator: ", ") + "]"
                if line.count + indent.count <= 110 { return line }
            }
            return "[\n" + items.map { inner + $0.rendered(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let entries):
            if entries.isEmpty { return "{}" }
            return "{\n" + entries.map { "\(inner)\(Self.quoted($0.0)): \($0.1.rendered(indent: inner))" }.joined(separator: ",\n")
                + "\n\(indent)}"
        }
    }

    private var isScalar: Bool {
        switch self {
        case .object, .array: false
        default: true
        }
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
