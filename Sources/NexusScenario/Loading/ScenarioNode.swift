import Yams

/// The scenario document as a tree that remembers where each value came from.
///
/// Yams composes the YAML; this tree adds what error messages need (file positions, or the
/// command-line flag that supplied a value) and can be edited by `--set` before decoding.
indirect enum ScenarioNode: Sendable {
    case scalar(String, SourceLocation?)
    case mapping([(key: String, keyLocation: SourceLocation?, value: ScenarioNode)], SourceLocation?)
    case sequence([ScenarioNode], SourceLocation?)
    /// A key present with no value (`key:`), YAML's null.
    case null(SourceLocation?)

    var location: SourceLocation? {
        switch self {
        case .scalar(_, let l), .mapping(_, let l), .sequence(_, let l), .null(let l): l
        }
    }

    /// What kind of value this is, in words for error messages.
    var kindDescription: String {
        switch self {
        case .scalar(let s, _): "'\(s)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .null: "nothing"
        }
    }
}

extension ScenarioNode {
    /// Composes YAML text into a tree. Syntax errors carry the file, line and column.
    static func parse(yaml text: String, file: String) throws -> ScenarioNode {
        try YAMLLimits.check(text, file: file)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ScenarioError(yamlError: error, file: file)
        }
        guard let root else {
            throw ScenarioError(location: .file(file, line: 1, column: 1), keyPath: "",
                                message: "the scenario is empty; expected a mapping with at least 'name'")
        }
        var sizes: [NodeIdentity: Int] = [:]
        var firstAlias: (location: SourceLocation?, anchor: Mark)?
        let size = expandedSize(root, file: file, sizes: &sizes, firstAlias: &firstAlias, usedAt: nil)
        if size > YAMLLimits.maximumExpandedValues, let alias = firstAlias {
            throw ScenarioError(location: alias.location, keyPath: "",
                                message: "YAML aliases here and after would expand the document to more than "
                                    + "\(YAMLLimits.maximumExpandedValues) values (the first refers to the anchor at line "
                                    + "\(alias.anchor.line), column \(alias.anchor.column)); at most \(YAMLLimits.maximumExpandedValues) are accepted")
        }
        return try ScenarioNode(root, file: file)
    }

    /// A node of the composed document, by kind and position. YAML composes an alias as the very node its
    /// anchor names, so a node met again is an alias.
    private struct NodeIdentity: Hashable {
        var kind: UInt8
        var line: Int
        var column: Int
    }

    /// The number of values the document has once its aliases are expanded, computed without expanding them:
    /// each anchored node is sized once. Stops counting past the limit.
    private static func expandedSize(_ node: Node, file: String, sizes: inout [NodeIdentity: Int],
                                     firstAlias: inout (location: SourceLocation?, anchor: Mark)?, usedAt: SourceLocation?) -> Int {
        func loc(_ mark: Mark?) -> SourceLocation? { mark.map { .file(file, line: $0.line, column: $0.column) } }
        let kind: UInt8? = switch node {
        case .scalar(let s): s.string.isEmpty ? nil : 0
        case .mapping: 1
        case .sequence: 2
        case .alias: nil
        }
        let identity = kind.flatMap { k in node.mark.map { NodeIdentity(kind: k, line: $0.line, column: $0.column) } }
        if let identity, let known = sizes[identity] {
            if firstAlias == nil, let mark = node.mark { firstAlias = (usedAt ?? loc(mark), mark) }
            return known
        }
        let limit = YAMLLimits.maximumExpandedValues + 1
        var total = 1
        switch node {
        case .mapping(let m):
            for (k, v) in m where total < limit {
                total += 1 + expandedSize(v, file: file, sizes: &sizes, firstAlias: &firstAlias, usedAt: loc(k.mark))
            }
        case .sequence(let items):
            for item in items where total < limit {
                total += expandedSize(item, file: file, sizes: &sizes, firstAlias: &firstAlias, usedAt: loc(items.mark))
            }
        default: break
        }
        total = min(total, limit)
        if let identity { sizes[identity] = total }
        return total
    }

    private init(_ node: Node, file: String) throws {
        func loc(_ mark: Mark?) -> SourceLocation? { mark.map { .file(file, line: $0.line, column: $0.column) } }
        switch node {
        case .scalar(let s):
            // Plain `~`, `null` or an empty value is YAML's null; a quoted "null" is a string.
            if s.style == .plain, ["", "~", "null", "Null", "NULL"].contains(s.string) {
                self = .null(loc(s.mark))
            } else {
                self = .scalar(s.string, loc(s.mark))
            }
        case .mapping(let m):
            var entries: [(key: String, keyLocation: SourceLocation?, value: ScenarioNode)] = []
            for (k, v) in m {
                guard case .scalar(let key) = k else {
                    throw ScenarioError(location: loc(k.mark), keyPath: "",
                                        message: "expected a plain key, found a complex key")
                }
                entries.append((key.string, loc(key.mark), try ScenarioNode(v, file: file)))
            }
            self = .mapping(entries, loc(m.mark))
        case .sequence(let s):
            self = .sequence(try s.map { try ScenarioNode($0, file: file) }, loc(s.mark))
        case .alias(let a):
            throw ScenarioError(location: loc(a.mark), keyPath: "",
                                message: "YAML aliases are not supported in scenarios; write the value out")
        }
    }
}

extension ScenarioError {
    init(yamlError: YamlError, file: String) {
        switch yamlError {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            self.init(location: .file(file, line: mark.line, column: mark.column), keyPath: "",
                      message: "YAML syntax: \(what)")
        case let .duplicatedKeysInMapping(duplicates, context):
            self.init(location: .file(file, line: context.mark.line, column: context.mark.column), keyPath: "",
                      message: "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in a mapping")
        default:
            self.init(location: .file(file, line: 1, column: 1), keyPath: "", message: "YAML: \(yamlError)")
        }
    }
}
