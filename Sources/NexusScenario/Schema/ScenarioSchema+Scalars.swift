import NexusGateway

extension ScenarioSchema {
    /// The kinds of single values a scenario is written in, as `$defs` entries. Each accepts what the
    /// loader's unit parsers (``Units``) accept, and a parameter reference (`${name}`) in its place.
    /// YAML parsers differ on plain scalars (`off` is a boolean to YAML 1.1, a string to YAML 1.2), so a
    /// value is allowed in either typing.
    enum Scalars {
        /// A decimal number as ``Units/number(_:)`` reads it (underscores allowed), without sign or exponent.
        static let unsigned = "(?:[0-9][0-9_]*(?:\\.[0-9_]*)?|\\.[0-9][0-9_]*)"
        static let exponent = "(?:[eE][-+]?[0-9]+)?"
        static let parameterPattern = "\\$\\{[^}]+\\}"
        static let noneWords: [SchemaJSON] = ["none", "off", "never", "None", "Off", "Never", "NONE", "OFF", "NEVER"]
        static let booleanWords: [SchemaJSON] = ["true", "false", "yes", "no", "on", "off", "True", "False", "Yes", "No", "On", "Off",
                                                 "TRUE", "FALSE", "YES", "NO", "ON", "OFF"]

        static func string(_ pattern: String) -> SchemaJSON { ["type": "string", "pattern": .string(pattern)] }

        static func scalar(_ description: String, _ alternatives: [SchemaJSON]) -> SchemaJSON {
            ["description": .string(description), "anyOf": .array(alternatives + [ref("parameter_reference")])]
        }

        static var durationUnits: String { Units.durationUnits.map(\.0).joined(separator: "|") }

        static var definitions: [(String, SchemaJSON)] {
            let count = string("^\\s*\\+?\(unsigned)\(exponent)\\s*[kKMBG]?\\s*$")
            let signedCount = string("^\\s*[-+]?\(unsigned)\(exponent)\\s*[kKMBG]?\\s*$")
            let percent = string("^\\s*\\+?\(unsigned)\(exponent)\\s*%\\s*$")
            let duration = string("^\\s*\\+?\(unsigned)\\s*(?:\(durationUnits))\\s*$")
            let zero: SchemaJSON = ["const": 0]
            return [
                ("parameter_reference", [
                    "description": "A value written with a reference to a declared parameter, e.g. \"${daily_requests}/day\"; checked once the parameter's value is substituted.",
                    "type": "string", "pattern": .string(parameterPattern),
                ]),
                ("text", scalar("Any single value, read as text.", [["type": ["string", "number", "boolean"]]])),
                ("name", scalar("A name of letters, digits, '-', '_', '.' or ':'.",
                                [string("^[A-Za-z0-9_.:-]+$"), ["type": "number"]])),
                ("model_reference", scalar("A model: provider/model, or a model name only one provider offers.",
                                           [string("^[A-Za-z0-9_.:-]+(?:/[A-Za-z0-9_.:-]+)?$")])),
                ("number", scalar("A number; a metric suffix multiplies it (4k = 4000, 1.5M, 2B or 2G).",
                                  [["type": "number"], signedCount])),
                ("non_negative_number", scalar("A number >= 0; a metric suffix multiplies it (4k = 4000, 1.5M).",
                                               [["type": "number", "minimum": 0], count])),
                ("positive_number", scalar("A number > 0; a metric suffix multiplies it (4k = 4000, 1.5M).",
                                           [["type": "number", "exclusiveMinimum": 0], count])),
                ("whole_number", scalar("A whole number; a metric suffix multiplies it (4k = 4000, 1M).",
                                        [["type": "integer", "minimum": 0], count])),
                ("seed", scalar("A whole number from 0 to 18446744073709551615 (underscores allowed).",
                                [["type": "integer", "minimum": 0], string("^[0-9][0-9_]*$")])),
                ("boolean", scalar("true or false (yes/no and on/off are accepted too).", [["type": "boolean"], ["enum": .array(booleanWords)]])),
                ("duration", scalar("A duration with its unit: \(Units.durationUnits.map(\.0).joined(separator: ", ")) (250ms, 1.5s, 5m, 24h, 7d); a bare 0 is accepted.",
                                    [duration, zero])),
                ("duration_or_none", scalar("A duration (250ms, 30s, 5m), or none/off/never for no limit.",
                                            [duration, zero, ["enum": .array(noneWords)], ["const": false]])),
                ("rate", scalar("A rate: an amount per unit of time, e.g. 12/s, 600/min, 5/h, 1M/day.",
                                [string("^\\s*\\+?\(unsigned)\(exponent)\\s*[kKMBG]?\\s*/\\s*(?:s|sec|second|m|min|minute|h|hour|d|day)\\s*$")])),
                ("money", scalar("An amount of US dollars, e.g. $50, $0.01, $1,000.",
                                 [string("^\\s*\\$\\s*\\+?(?:[0-9][0-9,_]*(?:\\.[0-9_]*)?|\\.[0-9][0-9_]*)\(exponent)\\s*$")])),
                ("fraction", scalar("A share or probability: a percentage (70%, 0.5%) or a fraction from 0 to 1.",
                                    [["type": "number", "minimum": 0, "maximum": 1], percent, count])),
                ("tolerance", scalar("A tolerance from 0% to 1000%, e.g. 10% or 0.05 (a fraction from 0 to 10).",
                                     [["type": "number", "minimum": 0, "maximum": 10], percent])),
                ("percentage", scalar("A percentage above 0, which may exceed 100% (CPU is measured against the instance's request), e.g. 70% or 1.5.",
                                      [["type": "number", "exclusiveMinimum": 0], percent, count])),
                ("growth", scalar("A growth per month above -100%, e.g. 5% or -2% (or a fraction such as 0.05).",
                                  [["type": "number", "exclusiveMinimum": -1], string("^\\s*[-+]?\(unsigned)\(exponent)\\s*%?\\s*$")])),
                ("memory", scalar("An amount of memory: KiB, MiB, GiB, KB, MB or GB (512MiB, 2GiB, 300MB); a plain number is MiB.",
                                  [["type": "number", "minimum": 0],
                                   string("^\\s*\\+?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)\(exponent)\\s*(?:KiB|MiB|GiB|KB|MB|GB)?\\s*$")])),
                ("instant", scalar("A calendar date or date-time in UTC or with an offset: 2026-11-02, 2026-11-02T09:30:00Z, 2026-11-02T09:30:00+01:00.",
                                   [string("^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:T[0-9]{1,2}:[0-9]{1,2}(?::[0-9]{1,2}(?:\\.[0-9]*)?)?(?:Z|[-+][0-9]{1,2}:[0-9]{2})?)?$")])),
                ("utc_offset", scalar("A time zone as an offset from UTC: UTC, Z, +01:00, -05:30.",
                                      [string("^(?:[Uu][Tt][Cc]|[Zz]|[Gg][Mm][Tt]|[-+][0-9]{1,2}:[0-9]{1,2})$")])),
                ("classification", scalar("A data classification, least to most sensitive.",
                                          [["enum": .array(DataClassification.allCases.map { .string($0.rawValue) })]])),
                ("url", scalar("An http:// or https:// URL with a host, without query or fragment.",
                               [string("^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\\s]+[^?#\\s]*$")])),
                ("environment_variable", scalar("An environment variable name: letters, digits and '_', not starting with a digit.",
                                                [string("^[A-Za-z_][A-Za-z0-9_]*$")])),
                ("path", scalar("A file path, relative to the scenario file that contains it (or absolute).", [["type": "string", "minLength": 1]])),
            ]
        }
    }
}
