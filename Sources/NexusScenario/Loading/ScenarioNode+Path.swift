extension ScenarioNode {
    /// The value at a key path: mapping keys, and list items by index.
    func node(at path: [String]) -> ScenarioNode? {
        guard let head = path.first else { return self }
        switch self {
        case .mapping(let entries, _):
            return entries.first { $0.key == head }?.value.node(at: Array(path.dropFirst()))
        case .sequence(let items, _):
            guard let i = Int(head), items.indices.contains(i) else { return nil }
            return items[i].node(at: Array(path.dropFirst()))
        default:
            return nil
        }
    }
}
