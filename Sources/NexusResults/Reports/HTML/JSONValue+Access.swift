extension JSONValue {
    /// The member `key` of an object; `nil` for other values or a missing key.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// The number, when this is one.
    public var number: Double? {
        if case .number(let x) = self { return x }
        return nil
    }

    /// The text, when this is a string.
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}
