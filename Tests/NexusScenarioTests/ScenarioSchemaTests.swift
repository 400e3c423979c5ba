import Foundation
import NexusScenario
import Testing

/// `nexus-sim schema`: the JSON Schema validates every bundled scenario, rejects misspelt keys and bad
/// values, has exactly the keys the decoder accepts at every key path, and its committed copy is current.
@Suite("Scenario schema")
struct ScenarioSchemaTests {
    static let packageRoot = ScenarioFilesTests.scenariosDirectory.deletingLastPathComponent()
    static let everything = packageRoot.appendingPathComponent("Tests/Fixtures/schema/everything.yaml").path
    static let litellmEverything = packageRoot.appendingPathComponent("Tests/Fixtures/schema/litellm-everything.yaml").path
    /// Every scenario the tests know to be valid: the bundled ones and the fixture that uses every other form.
    static let validFiles = ScenarioFilesTests.files + [everything, litellmEverything]

    static func validator() throws -> SchemaValidator { SchemaValidator(root: try JSON.parse(ScenarioSchema.jsonText)) }

    static func instance(_ path: String) throws -> JSON { try JSON.yaml(try String(contentsOfFile: path, encoding: .utf8)) }

    @Test("a draft 2020-12 document whose references all resolve, using only keywords the validator checks")
    func wellFormed() throws {
        let v = try Self.validator()
        #expect(v.root["$schema"] == .string("https://json-schema.org/draft/2020-12/schema"))
        var refs = 0, problems: [String] = []
        func walk(_ node: JSON, _ pointer: String) {
            switch node {
            case .object(let o):
                if case .string(let ref)? = o["$ref"] {
                    refs += 1
                    if v.resolve(ref) == nil { problems.append("\(pointer): \(ref)") }
                }
                for key in o.keys where !SchemaValidator.annotations.contains(key) && !SchemaValidator.assertions.contains(key) {
                    // Inside `properties` and `$defs` the keys are names, not keywords.
                    if !pointer.hasSuffix("/properties") && !pointer.hasSuffix("/$defs") { problems.append("\(pointer): keyword \(key)") }
                }
                for (key, value) in o { walk(value, "\(pointer)/\(key)") }
            case .array(let a):
                for (i, value) in a.enumerated() { walk(value, "\(pointer)/\(i)") }
            default:
                break
            }
        }
        walk(v.root, "#")
        #expect(problems.isEmpty, "\(problems)")
        #expect(refs > 100)
    }

    @Test("docs/scenario.schema.json is what `nexus-sim schema` prints")
    func committedCopyIsCurrent() throws {
        let committed = try String(contentsOfFile: Self.packageRoot.appendingPathComponent("docs/scenario.schema.json").path, encoding: .utf8)
        #expect(committed == ScenarioSchema.jsonText, "regenerate it: nexus-sim schema > docs/scenario.schema.json")
    }

    @Test("every bundled scenario validates", arguments: validFiles)
    func bundledScenariosValidate(_ path: String) throws {
        let errors = try Self.validator().errors(try Self.instance(path))
        #expect(errors.isEmpty, "\(errors.prefix(5))")
    }

    /// The instance with the key `from` of the mapping at `path` renamed to `to`.
    static func renaming(_ instance: JSON, at path: ArraySlice<String>, _ from: String, to: String) -> JSON {
        switch instance {
        case .object(var o):
            guard let head = path.first else {
                guard let value = o.removeValue(forKey: from) else { Issue.record("no key \(from)"); return instance }
                o[to] = value
                return .object(o)
            }
            o[head] = renaming(o[head] ?? .null, at: path.dropFirst(), from, to: to)
            return .object(o)
        case .array(var a):
            guard let head = path.first, let i = Int(head) else { return instance }
            a[i] = renaming(a[i], at: path.dropFirst(), from, to: to)
            return .array(a)
        default:
            Issue.record("cannot walk into \(instance)")
            return instance
        }
    }

    /// The instance with the value at `path` (its last component a key) replaced.
    static func setting(_ instance: JSON, at path: ArraySlice<String>, to value: JSON?) -> JSON {
        guard let head = path.first else { return value ?? .null }
        switch instance {
        case .object(var o):
            if path.count == 1, value == nil { o.removeValue(forKey: head) } else { o[head] = setting(o[head] ?? .null, at: path.dropFirst(), to: value) }
            return .object(o)
        case .array(var a):
            let i = Int(head)!
            a[i] = setting(a[i], at: path.dropFirst(), to: value)
            return .array(a)
        default:
            return instance
        }
    }

    @Test("a misspelt key is rejected wherever it is", arguments: [
        ("", "simulation", "simulaton"), ("simulation", "duration", "duraton"), ("gateway", "concurrency", "concurency"),
        ("routing", "retries", "retry"), ("routing.retries", "max_backoff", "max_backof"), ("providers.0", "models", "modles"),
        ("providers.0.models.0", "ttft", "ttf"), ("providers.0.models.0.ttft", "median", "medain"), ("tiers.1", "strategy", "stratgy"),
        ("traffic", "classes", "class"), ("traffic.classes.3", "share", "shares"), ("traffic.arrivals", "rate", "rates"),
        ("routing.circuit_breaker", "cooldown", "cool_down"), ("pricing", "litellm", "lite_llm"),
    ])
    func misspeltKeys(_ path: String, _ key: String, _ typo: String) throws {
        let v = try Self.validator()
        let baseline = try Self.instance(ScenarioFilesTests.scenariosDirectory.appendingPathComponent("baseline.yaml").path)
        #expect(v.errors(baseline).isEmpty)
        let components = path.isEmpty ? [] : path.split(separator: ".").map(String.init)
        #expect(!v.errors(Self.renaming(baseline, at: components[...], key, to: typo)).isEmpty)
    }

    @Test("a value in the wrong unit or out of the allowed names is rejected", arguments: [
        ("simulation.duration", JSON.string("5 minutes")), ("simulation.duration", .number(300)), ("traffic.arrivals.rate", .string("12 per second")),
        ("traffic.classes.0.classification", .string("secret")), ("traffic.classes.0.share", .number(1.5)),
        ("tiers.0.strategy", .string("fastest")), ("gateway.instances", .string("four")), ("gateway.queue_timeout", .string("30")),
        ("providers.0.models.0.ttft", .string("fast")), ("simulation.start", .string("next monday")),
    ])
    func badValues(_ path: String, _ value: JSON) throws {
        let v = try Self.validator()
        let baseline = try Self.instance(ScenarioFilesTests.scenariosDirectory.appendingPathComponent("baseline.yaml").path)
        #expect(!v.errors(Self.setting(baseline, at: path.split(separator: ".").map(String.init)[...], to: value)).isEmpty)
    }

    @Test("required keys are required without `extends` only; `remove` and null are for extending files")
    func extendingFiles() throws {
        let v = try Self.validator()
        let scenarios = ScenarioFilesTests.scenariosDirectory
        let baseline = try Self.instance(scenarios.appendingPathComponent("baseline.yaml").path)
        #expect(!v.errors(Self.setting(baseline, at: ["gateway"], to: nil)).isEmpty)
        #expect(!v.errors(Self.setting(baseline, at: ["providers", "0", "name"], to: nil)).isEmpty)
        #expect(!v.errors(Self.setting(baseline, at: ["traffic", "classes", "0", "remove"], to: .bool(true))).isEmpty)

        let outage = try Self.instance(scenarios.appendingPathComponent("provider-outage.yaml").path)
        #expect(outage["gateway"] == nil)
        #expect(v.errors(outage).isEmpty)
        #expect(!v.errors(Self.setting(outage, at: ["extends"], to: nil)).isEmpty)
        #expect(!v.errors(Self.renaming(outage, at: ["simulation"], "warmup", to: "warmpu")).isEmpty)
        #expect(!v.errors(Self.renaming(outage, at: [], "extends", to: "extend")).isEmpty)
        #expect(v.errors(Self.setting(outage, at: ["simulation", "seed"], to: .null)).isEmpty)

        let replay = try Self.instance(scenarios.appendingPathComponent("replay-azure.yaml").path)
        #expect(v.errors(replay).isEmpty)
        #expect(!v.errors(Self.setting(replay, at: ["traffic", "classes", "0", "remove"], to: .string("maybe"))).isEmpty)
    }

    // MARK: The schema against the decoder

    /// A key path as the decoder writes it (`traffic.classes[2].input_tokens`), split into keys and list items.
    static func components(_ path: String) -> [String] {
        path.replacingOccurrences(of: "[", with: ".[").split(separator: ".").map { $0.hasPrefix("[") ? "[]" : String($0) }
    }

    /// The schemas (with their JSON pointers) an instance value at `path` is checked against, `$ref`s and
    /// `anyOf`s expanded.
    static func schemas(at path: [String], in v: SchemaValidator) -> [(schema: JSON, pointer: String)] {
        func expand(_ s: JSON, _ pointer: String) -> [(schema: JSON, pointer: String)] {
            var result = [(s, pointer)]
            if case .string(let ref)? = s["$ref"], let target = v.resolve(ref) { result += expand(target, ref) }
            for (i, alternative) in (s["anyOf"]?.arrayValue ?? []).enumerated() { result += expand(alternative, "\(pointer)/anyOf/\(i)") }
            return result
        }
        var current = expand(v.resolve("#/$defs/scenario")!, "#/$defs/scenario")
        for component in path {
            current = current.flatMap { candidate -> [(schema: JSON, pointer: String)] in
                if component == "[]" { return candidate.schema["items"].map { expand($0, "\(candidate.pointer)/items") } ?? [] }
                if let p = candidate.schema["properties"]?[component] { return expand(p, "\(candidate.pointer)/properties/\(component)") }
                if case .object? = candidate.schema["additionalProperties"] {
                    return expand(candidate.schema["additionalProperties"]!, "\(candidate.pointer)/additionalProperties")
                }
                return []
            }
        }
        return current
    }

    /// Loads every valid file with the decoder's key tables recorded.
    static func recorded() throws -> AcceptedKeysRecorder {
        let recorder = AcceptedKeysRecorder()
        try AcceptedKeysRecorder.$current.withValue(recorder) {
            for file in validFiles { _ = try ScenarioLoader.load(path: file) }
        }
        return recorder
    }

    @Test("at every key path the schema has exactly the keys the decoder accepts, and the decoder reads every object of the schema")
    func keysMatchTheDecoder() throws {
        let v = try Self.validator()
        let recorder = try Self.recorded()
        #expect(recorder.tables.count > 500)
        var covered = Set<String>()
        for table in Set(recorder.tables) {
            let objects = Self.schemas(at: Self.components(table.path), in: v).filter { $0.schema["properties"] != nil }
            func keys(_ o: (schema: JSON, pointer: String)) -> Set<String> {
                let all = Set(o.schema["properties"]!.objectValue!.keys)
                return o.pointer == "#/$defs/scenario" ? all.subtracting(ScenarioSchema.loaderKeys) : all
            }
            let accepted = Set(table.keys)
            let exact = objects.filter { keys($0) == accepted }
            if !exact.isEmpty {
                covered.formUnion(exact.map(\.pointer))
            } else {
                // A decoder that first checks a mapping against the keys of all its forms (a distribution,
                // an arrival process) before reading it as one form: the union of the schema's forms.
                let union = objects.reduce(into: Set<String>()) { $0.formUnion(keys($1)) }
                #expect(union == accepted && objects.count > 1,
                        "decoder at '\(table.path)' accepts \(accepted.sorted()); schema: \(objects.map { keys($0).sorted() })")
            }
        }
        // Every object the schema describes is one the decoder reads.
        var all = Set<String>(), seen = Set<String>()
        func collect(_ s: JSON, _ pointer: String) {
            guard seen.insert(pointer).inserted else { return }
            if s["properties"] != nil { all.insert(pointer) }
            if case .string(let ref)? = s["$ref"], let target = v.resolve(ref) { collect(target, ref) }
            for (i, a) in (s["anyOf"]?.arrayValue ?? []).enumerated() { collect(a, "\(pointer)/anyOf/\(i)") }
            for (k, p) in s["properties"]?.objectValue ?? [:] { collect(p, "\(pointer)/properties/\(k)") }
            if let items = s["items"] { collect(items, "\(pointer)/items") }
            if case .object? = s["additionalProperties"] { collect(s["additionalProperties"]!, "\(pointer)/additionalProperties") }
        }
        collect(v.resolve("#/$defs/scenario")!, "#/$defs/scenario")
        #expect(all.count > 40)
        #expect(all.subtracting(covered).isEmpty, "schema objects the decoder never read: \(all.subtracting(covered).sorted())")
    }

    @Test("each choice in the schema lists exactly the names the decoder accepts there")
    func choicesMatchTheDecoder() throws {
        let v = try Self.validator()
        let recorder = try Self.recorded()
        #expect(!recorder.choices.isEmpty)
        for choice in Set(recorder.choices) {
            let enums = Self.schemas(at: Self.components(choice.path), in: v).compactMap { $0.schema["enum"]?.arrayValue }
            #expect(enums.contains { Set($0.compactMap(\.stringValue)) == Set(choice.keys) },
                    "decoder at '\(choice.path)' accepts \(choice.keys); schema enums: \(enums)")
        }
    }
}
