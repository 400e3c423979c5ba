import Foundation
import Yams

/// A JSON value, for schemas and for the JSON an editor makes of a YAML scenario.
enum JSON: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) } else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSON].self) { self = .array(a) } else { self = .object(try c.decode([String: JSON].self)) }
    }

    static func parse(_ text: String) throws -> JSON { try JSONDecoder().decode(JSON.self, from: Data(text.utf8)) }

    subscript(key: String) -> JSON? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    var objectValue: [String: JSON]? { if case .object(let o) = self { o } else { nil } }
    var arrayValue: [JSON]? { if case .array(let a) = self { a } else { nil } }
    var stringValue: String? { if case .string(let s) = self { s } else { nil } }

    /// The JSON an editor sees for a YAML document: YAML 1.2's core schema (what VS Code's YAML extension and
    /// JetBrains IDEs use), so plain `true`/`false` are booleans, plain numbers are numbers, `~`/`null`/empty
    /// are null, and everything else (dates, `off`, `1_000`) is a string.
    static func yaml(_ text: String) throws -> JSON {
        guard let node = try Yams.compose(yaml: text) else { return .null }
        return from(node)
    }

    private static func from(_ node: Node) -> JSON {
        switch node {
        case .scalar(let s):
            guard s.style == .plain else { return .string(s.string) }
            return core(s.string)
        case .mapping(let m):
            var object: [String: JSON] = [:]
            for (k, v) in m { object[k.scalar?.string ?? ""] = from(v) }
            return .object(object)
        case .sequence(let items):
            return .array(items.map(from))
        case .alias:
            return .null
        }
    }

    private static func core(_ s: String) -> JSON {
        func matches(_ pattern: String) -> Bool { s.range(of: pattern, options: .regularExpression) != nil }
        if matches("^(?:~|null|Null|NULL|)$") { return .null }
        if matches("^(?:true|True|TRUE)$") { return .bool(true) }
        if matches("^(?:false|False|FALSE)$") { return .bool(false) }
        if matches("^[-+]?[0-9]+$"), let d = Double(s) { return .number(d) }
        if matches("^0x[0-9a-fA-F]+$"), let i = Int(s.dropFirst(2), radix: 16) { return .number(Double(i)) }
        if matches("^0o[0-7]+$"), let i = Int(s.dropFirst(2), radix: 8) { return .number(Double(i)) }
        if matches("^[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"), let d = Double(s) { return .number(d) }
        if matches("^[-+]?\\.(?:inf|Inf|INF)$") { return .number(s.hasPrefix("-") ? -.infinity : .infinity) }
        if matches("^\\.(?:nan|NaN|NAN)$") { return .number(.nan) }
        return .string(s)
    }
}

/// A JSON Schema draft 2020-12 validator for the keywords the scenario schema uses. A keyword it does not
/// know is reported as an error, so a schema that starts using one cannot pass by being half-checked.
struct SchemaValidator {
    let root: JSON

    static let annotations: Set<String> = ["$schema", "$defs", "title", "description", "default"]
    static let assertions: Set<String> = [
        "$ref", "type", "enum", "const", "pattern", "minLength", "minimum", "maximum", "exclusiveMinimum",
        "properties", "additionalProperties", "propertyNames", "required", "items", "minItems", "maxItems", "anyOf",
        "if", "then", "else",
    ]

    /// The schema at a local reference (`#/$defs/name`, or any JSON pointer into the document).
    func resolve(_ reference: String) -> JSON? {
        guard reference.hasPrefix("#") else { return nil }
        var node: JSON? = root
        for part in reference.dropFirst().split(separator: "/") {
            let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let index = Int(key), let items = node?.arrayValue { node = items.indices.contains(index) ? items[index] : nil } else { node = node?[key] }
        }
        return node
    }

    /// Every way `instance` fails `schema` (empty: valid), each with the instance path.
    func errors(_ instance: JSON, against schema: JSON? = nil, at path: String = "") -> [String] {
        let schema = schema ?? root
        if case .bool(let allowed) = schema { return allowed ? [] : ["\(path): not allowed"] }
        guard let keywords = schema.objectValue else { return ["\(path): a schema must be an object or a boolean"] }
        var errors: [String] = []
        for key in keywords.keys where !Self.annotations.contains(key) && !Self.assertions.contains(key) {
            errors.append("\(path): unsupported keyword '\(key)'")
        }
        if let ref = keywords["$ref"]?.stringValue {
            guard let target = resolve(ref) else { return errors + ["\(path): unresolved $ref \(ref)"] }
            errors += self.errors(instance, against: target, at: path)
        }
        if let type = keywords["type"] {
            let names = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue ?? ""]
            if !names.contains(where: { Self.has(instance, type: $0) }) { errors.append("\(path): expected \(names), found \(instance)") }
        }
        if let values = keywords["enum"]?.arrayValue, !values.contains(instance) { errors.append("\(path): \(instance) not in \(values)") }
        if let value = keywords["const"], value != instance { errors.append("\(path): \(instance) is not \(value)") }
        if case .string(let s) = instance {
            if let pattern = keywords["pattern"]?.stringValue, s.range(of: pattern, options: .regularExpression) == nil {
                errors.append("\(path): '\(s)' does not match \(pattern)")
            }
            if case .number(let n)? = keywords["minLength"], Double(s.count) < n { errors.append("\(path): '\(s)' shorter than \(n)") }
        }
        if case .number(let x) = instance {
            if case .number(let m)? = keywords["minimum"], x < m { errors.append("\(path): \(x) < \(m)") }
            if case .number(let m)? = keywords["maximum"], x > m { errors.append("\(path): \(x) > \(m)") }
            if case .number(let m)? = keywords["exclusiveMinimum"], x <= m { errors.append("\(path): \(x) <= \(m)") }
        }
        if case .object(let object) = instance {
            let properties = keywords["properties"]?.objectValue ?? [:]
            for (key, value) in object {
                if let p = properties[key] {
                    errors += self.errors(value, against: p, at: "\(path)/\(key)")
                } else if let additional = keywords["additionalProperties"] {
                    errors += self.errors(value, against: additional, at: "\(path)/\(key)")
                }
                if let names = keywords["propertyNames"] { errors += self.errors(.string(key), against: names, at: "\(path)/\(key) (name)") }
            }
            for case .string(let key) in keywords["required"]?.arrayValue ?? [] where object[key] == nil {
                errors.append("\(path): missing required '\(key)'")
            }
        }
        if case .array(let items) = instance {
            if let itemSchema = keywords["items"] {
                for (i, item) in items.enumerated() { errors += self.errors(item, against: itemSchema, at: "\(path)/\(i)") }
            }
            if case .number(let n)? = keywords["minItems"], Double(items.count) < n { errors.append("\(path): fewer than \(n) items") }
            if case .number(let n)? = keywords["maxItems"], Double(items.count) > n { errors.append("\(path): more than \(n) items") }
        }
        if let alternatives = keywords["anyOf"]?.arrayValue {
            let failures = alternatives.map { self.errors(instance, against: $0, at: path) }
            if !failures.contains(where: \.isEmpty) {
                errors.append("\(path): matches none of \(alternatives.count) alternatives (\(failures.map { $0.first ?? "" }.joined(separator: "; ")))")
            }
        }
        if let condition = keywords["if"] {
            let branch = self.errors(instance, against: condition, at: path).isEmpty ? keywords["then"] : keywords["else"]
            if let branch { errors += self.errors(instance, against: branch, at: path) }
        }
        return errors
    }

    private static func has(_ instance: JSON, type: String) -> Bool {
        switch (type, instance) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object), ("number", .number): true
        case ("integer", .number(let d)): d.isFinite && d == d.rounded()
        default: false
        }
    }
}
