import Foundation
import NexusGateway

/// Reads scenario files: YAML → `extends:` bases merged in → `--set` overrides → parameters → strict decoding
/// → cross-checks → warnings.
///
/// Nothing is simulated here; a scenario that loads is one the simulator can run.
public enum ScenarioLoader {
    /// Loads the scenario at `path`.
    /// - Parameters:
    ///   - parameters: `--param NAME=VALUE` values; each name must be declared under `parameters:`.
    ///   - overrides: `--set PATH=VALUE` overrides, applied in order.
    public static func load(path: String, parameters: [(String, String)] = [], overrides: [Override] = []) throws -> Scenario {
        let text = try ScenarioText.read(path: path)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(text: text, file: path, baseDirectory: directory, parameters: parameters, overrides: overrides)
    }

    /// Loads a scenario from text. Relative file references (price tables) resolve against `baseDirectory`.
    public static func parse(
        text: String, file: String = "<scenario>", baseDirectory: String = ".",
        parameters: [(String, String)] = [], overrides: [Override] = []
    ) throws -> Scenario {
        let resolved = try ScenarioNode.resolvingExtends(try ScenarioNode.parse(yaml: text, file: file), file: file, directory: baseDirectory)
        var root = resolved.root
        for override in overrides {
            root = try root.applying(override)
            if override.path == ScenarioNode.extendsKey || override.path.hasPrefix("\(ScenarioNode.extendsKey).") {
                throw ScenarioError(location: .commandLine("--set \(override.path)=\(override.value)"), keyPath: override.path,
                                    message: "'extends' names a file to read before anything is decoded; it cannot be set with --set")
            }
        }

        let declared = try declaredParameters(in: root)
        var values = Dictionary(uniqueKeysWithValues: declared.map { ($0.name, $0.defaultValue) })
        for (name, value) in parameters {
            guard values[name] != nil else {
                throw ScenarioError(
                    location: .commandLine("--param \(name)=\(value)"), keyPath: "parameters",
                    message: declared.isEmpty ? "unknown parameter '\(name)'; this scenario declares no parameters"
                        : "unknown parameter '\(name)'; declared: \(declared.map(\.name).joined(separator: ", "))",
                    suggestion: nearest(to: name, in: declared.map(\.name)))
            }
            values[name] = value
        }
        values = try resolveReferences(in: values, declared: declared)
        let resolvedParameters = declared.map {
            ParameterValue(name: $0.name, value: values[$0.name]!, defaultValue: $0.defaultValue, description: $0.description)
        }
        var decoder = ScenarioDecoder(root: Field(node: root, path: "", parameters: values), baseDirectory: baseDirectory)
        decoder.baseDirectories = Dictionary(resolved.bases.map { ($0.source.path, $0.directory) }, uniquingKeysWith: { first, _ in first })
        var scenario = try decoder.decode(sourcePath: file, sourceText: text)
        scenario.parameters = resolvedParameters
        scenario.overrides = overrides
        scenario.baseSources = resolved.bases.map(\.source)
        scenario.warnings = scenario.routingWarnings(root: root)
        return scenario
    }

    struct Declared {
        var name: String
        var defaultValue: String
        var description: String
        var location: SourceLocation?
    }

    /// The `parameters:` block: `name: {default: VALUE, description: TEXT}` (or `name: VALUE`).
    static func declaredParameters(in root: ScenarioNode) throws -> [Declared] {
        guard case .mapping(let entries, _) = root,
              let block = entries.first(where: { $0.key == "parameters" })?.value else { return [] }
        if case .null = block { return [] }
        let field = Field(node: block, path: "parameters", parameters: [:])
        guard case .mapping(let params, _) = block else { throw field.expected("a mapping of parameter names to {default, description}") }
        // A default may refer to another parameter (`${name}`): kept as written here, resolved once all values are known.
        let verbatim = Dictionary(params.map { ($0.key, "${\($0.key)}") }, uniquingKeysWith: { first, _ in first })
        // `name: ~` declares nothing: an extending scenario drops a parameter of its base that way.
        return try params.filter { if case .null = $0.value { false } else { true } }.map { entry in
            let p = Field(node: entry.value, path: "parameters.\(entry.key)", parameters: verbatim)
            if case .scalar = entry.value {
                return Declared(name: entry.key, defaultValue: try p.text(), description: "", location: p.location)
            }
            let m = try p.mapping(allowed: ["default", "description"])
            let defaultField = try m.required("default")
            return Declared(name: entry.key, defaultValue: try defaultField.text(),
                            description: try m.optional("description")?.text() ?? "", location: defaultField.location)
        }
    }
}
