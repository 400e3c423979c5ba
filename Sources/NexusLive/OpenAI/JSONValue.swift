/// A JSON document as a value, keeping object members in their written order.
///
/// The OpenAI wire format is decoded from and encoded to this type rather than through `Codable`, so that a bad
/// request gets an error naming the exact parameter (`messages[1].content`) and so that parameters the gateway
/// does not interpret are forwarded to the upstream unchanged.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in `Int`.
    case integer(Int)
    /// Any other number.
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The name of the value's JSON type as OpenAI's errors spell it (`a string`, `an integer`, ...).
    public var typeDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The string, when this is one.
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    /// The object, when this is one.
    public var objectValue: JSONObject? { if case .object(let o) = self { o } else { nil } }
    /// The array, when this is one.
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    /// The number as a `Double`, when this is a number.
    public var doubleValue: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }
    /// The number as an `Int`, when it is an integer (also `3.0`).
    public var integerValue: Int? {
        switch self {
        case .integer(let i): return i
        case .double(let d):
            guard d.rounded() == d, d >= -9.0e18, d <= 9.0e18 else { return nil }
            return Int(d)
        default: return nil
        }
    }
    /// The Boolean, when this is one.
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
}

/// A JSON object: members in the order written. Look-up returns the last member of a repeated key, as most
/// parsers do.
public struct JSONObject: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    /// One `"key": value` pair.
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONValue
        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The members in written order.
    public var members: [Member]

    public init(members: [Member] = []) { self.members = members }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = elements.map { Member(key: $0.0, value: $0.1) }
    }

    /// The value of `key`, or nil when absent.
    public subscript(key: String) -> JSONValue? {
        get {
            for member in members.reversed() where member.key == key { return member.value }
            return nil
        }
        set {
            members.removeAll { $0.key == key }
            if let newValue { members.append(Member(key: key, value: newValue)) }
        }
    }

    /// Whether the object has no members.
    public var isEmpty: Bool { members.isEmpty }
}
