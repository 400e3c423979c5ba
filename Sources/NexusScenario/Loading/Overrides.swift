/// Applies `--set dotted.path=value` overrides to the document tree before it is decoded.
///
/// Path components select mapping keys; in a list, a component selects an item by index (`classes.0`)
/// or by its `name` (`providers.openai`). A missing final key is added, so that any valid key can be
/// set; decoding then checks it like any other.
extension ScenarioNode {
    func applying(_ override: Override) throws -> ScenarioNode {
        let flag = override.flag ?? "--set \(override.path)=\(override.value)"
        let components = override.path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !override.path.isEmpty, components.allSatisfy({ !$0.isEmpty }) else {
            throw ScenarioError(location: .commandLine(flag), keyPath: override.path,
                                message: "expected a dotted key path such as gateway.instances")
        }
        var value: ScenarioNode
        do {
            value = try ScenarioNode.parse(yaml: override.value.isEmpty ? "''" : override.value, file: "--set")
        } catch let error as ScenarioError {
            // The value came from the command line, not from a file named "--set".
            throw ScenarioError(location: .commandLine(flag), keyPath: override.path, message: error.message)
        }
        value = value.relocated(to: .commandLine(flag))
        return try replacing(components[...], with: value, walked: [], flag: flag)
    }

    private func replacing(_ path: ArraySlice<String>, with value: ScenarioNode, walked: [String], flag: String) throws -> ScenarioNode {
        guard let head = path.first else { return value }
        let rest = path.dropFirst()
        let here = (walked + [head]).joined(separator: ".")
        switch self {
        case .mapping(var entries, let loc):
            if let i = entries.firstIndex(where: { $0.key == head }) {
                entries[i].value = try entries[i].value.replacing(rest, with: value, walked: walked + [head], flag: flag)
            } else {
                let fresh = try ScenarioNode.mapping([], .commandLine(flag)).replacing(rest, with: value, walked: walked + [head], flag: flag)
                entries.append((head, .commandLine(flag), fresh))
            }
            return .mapping(entries, loc)
        case .sequence(var items, let loc):
            let index: Int
            if let i = Int(head) {
                guard items.indices.contains(i) else {
                    throw ScenarioError(location: .commandLine(flag), keyPath: here,
                                        message: "index \(i) is out of range; the list has \(items.count) items")
                }
                index = i
            } else {
                let names = items.map(\.nameValue)
                guard let i = names.firstIndex(of: head) else {
                    throw ScenarioError(location: .commandLine(flag), keyPath: here,
                                        message: "no item named '\(head)' in this list; items: \(names.compactMap { $0 }.joined(separator: ", "))",
                                        suggestion: nearest(to: head, in: names.compactMap { $0 }))
                }
                index = i
            }
            items[index] = try items[index].replacing(rest, with: value, walked: walked + [head], flag: flag)
            return .sequence(items, loc)
        case .null(let loc):
            return try ScenarioNode.mapping([], loc).replacing(path, with: value, walked: walked, flag: flag)
        case .scalar:
            throw ScenarioError(location: .commandLine(flag), keyPath: walked.joined(separator: "."),
                                message: "cannot set '\(head)' inside a single value")
        }
    }

    /// The `name:` of a mapping item, used to select list items by name.
    private var nameValue: String? {
        guard case .mapping(let entries, _) = self,
              let name = entries.first(where: { $0.key == "name" }), case .scalar(let s, _) = name.value else { return nil }
        return s
    }

    private func relocated(to location: SourceLocation) -> ScenarioNode {
        switch self {
        case .scalar(let s, _): .scalar(s, location)
        case .null: .null(location)
        case .sequence(let items, _): .sequence(items.map { $0.relocated(to: location) }, location)
        case .mapping(let entries, _):
            .mapping(entries.map { ($0.key, location, $0.value.relocated(to: location)) }, location)
        }
    }
}
