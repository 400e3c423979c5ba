/// The scenario format as a JSON Schema (draft 2020-12), for editors that complete and check YAML
/// (VS Code's YAML extension, JetBrains IDEs) with a first line such as
/// `# yaml-language-server: $schema=../docs/scenario.schema.json`.
///
/// Every key has a description with its unit and default. A scenario that `extends:` another one only
/// writes what it changes, so for such a file no key is required and list items may carry `remove: true`;
/// a file without `extends:` must have everything a scenario needs. Values may always be written with
/// parameter references (`${name}`). The schema describes what the decoder accepts; the decoder still
/// checks what a schema cannot (cross-references, shares adding up to 100 %, ranges that depend on
/// other values).
public enum ScenarioSchema {
    /// The schema's `$schema` dialect.
    public static let dialect = "https://json-schema.org/draft/2020-12/schema"

    /// The schema as pretty-printed JSON text, ending in a newline; the same bytes on every call.
    public static var jsonText: String { document.rendered() + "\n" }

    /// Keys that the loader reads itself before decoding (so they are in the schema but not in the decoder's tables).
    public static let loaderKeys = [ScenarioNode.extendsKey]

    static var document: SchemaJSON {
        let full = Builder(partial: false), partial = Builder(partial: true)
        return [
            "$schema": .string(dialect),
            "title": "Nexus Sim scenario",
            "description": "A scenario for nexus-sim: simulation settings, gateway, routing, providers and models, tiers, traffic, targets, budget and cache. Durations are written with a unit (250ms, 5m, 24h), rates per unit of time (12/s, 1M/day), money in dollars ($0.50), shares as percentages (70%) or fractions (0.7). `nexus-sim validate FILE` checks everything this schema cannot.",
            "if": ["type": "object", "required": [.string(ScenarioNode.extendsKey)]],
            "then": ["$ref": "#/$defs/scenario_extension"],
            "else": ["$ref": "#/$defs/scenario"],
            "$defs": .object([
                ("scenario", full.scenario),
                ("scenario_extension", partial.scenario),
            ] + Scalars.definitions + [
                ("duration_distribution", full.distribution(of: .duration)),
                ("amount_distribution", full.distribution(of: .amount)),
            ]),
        ]
    }

    /// A reference to a definition under `$defs`.
    static func ref(_ name: String, _ description: String? = nil) -> SchemaJSON {
        var entries: [(String, SchemaJSON)] = [("$ref", .string("#/$defs/\(name)"))]
        if let description { entries.append(("description", .string(description))) }
        return .object(entries)
    }
}
