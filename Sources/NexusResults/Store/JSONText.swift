/// Compact JSON for ordered string-to-string objects, as the results store keeps parameters and overrides.
///
/// `JSONSerialization` does not preserve key order, and parameters read best in the order the scenario
/// declared them; ``JSONValue`` keeps the order and does the escaping.
enum JSONText {
    /// `{"key":"value",...}` with keys in the given order.
    static func object(_ pairs: [(String, String)]) -> String {
        JSONValue.object(pairs.map { ($0, .string($1)) }).rendered(indent: nil)
    }

    /// A JSON string literal.
    static func quoted(_ string: String) -> String {
        JSONValue.string(string).rendered(indent: nil)
    }
}
