extension ScenarioLoader {
    /// The names declared under the scenario's `parameters:`, in order (for checking names given on the
    /// command line, e.g. a sweep's `--grid` axes, before anything is loaded with them).
    public static func declaredParameterNames(path: String) throws -> [String] {
        let text = try ScenarioText.read(path: path)
        return try declaredParameters(in: try ScenarioNode.parse(yaml: text, file: path)).map(\.name)
    }

    /// Substitutes the `${name}` references in parameter values (a default such as `"${base_rate}"`, or a
    /// `--param` value) with the referenced parameter's value, itself resolved; a cycle is an error.
    static func resolveReferences(in values: [String: String], declared: [Declared]) throws -> [String: String] {
        var resolved: [String: String] = [:]
        func resolve(_ name: String, chain: [String]) throws -> String {
            if let done = resolved[name] { return done }
            let raw = values[name]!
            let location = declared.first { $0.name == name }?.location
            guard !chain.contains(name) else {
                throw ScenarioError(location: location, keyPath: "parameters.\(name)",
                                    message: "the parameter refers to itself: \((chain + [name]).joined(separator: " → "))")
            }
            var result = ""
            var rest = Substring(raw)
            while let open = rest.range(of: "${") {
                result += rest[..<open.lowerBound]
                guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                    throw ScenarioError(location: location, keyPath: "parameters.\(name)",
                                        message: "unterminated parameter reference in '\(raw)'; write ${name}")
                }
                let referenced = String(rest[open.upperBound..<close])
                guard values[referenced] != nil else {
                    throw ScenarioError(location: location, keyPath: "parameters.\(name)",
                                        message: "'\(raw)' refers to '\(referenced)', which is not a declared parameter; declared: "
                                            + declared.map(\.name).joined(separator: ", "),
                                        suggestion: nearest(to: referenced, in: declared.map(\.name)))
                }
                result += try resolve(referenced, chain: chain + [name])
                rest = rest[rest.index(after: close)...]
            }
            result += rest
            resolved[name] = result
            return result
        }
        for name in declared.map(\.name) { _ = try resolve(name, chain: []) }
        return resolved
    }
}
