import Foundation

/// `extends: FILE`: a scenario written as the changes to another one.
///
/// The base file (its path relative to the extending file) is read and resolved first (it may extend
/// another file in turn); the extending document is then merged onto it:
/// - mappings merge key by key, recursively; a key the base lacks is added;
/// - a list whose items are all mappings with a `name` (providers, models, tiers, classes) merges item by
///   item: an item whose name the base has is merged onto that item, a new name is appended, and
///   `{name: X, remove: true}` deletes the inherited item `X`;
/// - any other value (a scalar, a list of values, a list without names) replaces the inherited one; a key
///   set to null (`key: ~`) drops the inherited value, so the loader's default applies.
///
/// Every value keeps the location it was read from, so errors point at the base file for inherited values
/// and at the extending file for the values it sets.
extension ScenarioNode {
    /// The loader-level key naming the base scenario.
    static let extendsKey = "extends"
    /// The key that deletes an inherited named list item.
    static let removeKey = "remove"

    /// A scenario file's tree with its `extends:` chain merged in.
    struct Resolved {
        var root: ScenarioNode
        /// Each base file read, nearest first, with the folder its relative references resolve against.
        var bases: [(source: ScenarioSource, directory: String)]
    }

    /// Resolves the `extends:` chain of the document `root`, read from `file` in `directory`.
    /// - Parameter chain: the files already being resolved (standardised paths), to find cycles.
    static func resolvingExtends(_ root: ScenarioNode, file: String, directory: String, chain: [String] = []) throws -> Resolved {
        guard case .mapping(var entries, let location) = root,
              let index = entries.firstIndex(where: { $0.key == extendsKey }) else {
            return Resolved(root: root, bases: [])
        }
        let entry = entries.remove(at: index)
        guard case .scalar(let relative, let valueLocation) = entry.value, !relative.isEmpty else {
            throw ScenarioError(location: entry.value.location ?? entry.keyLocation, keyPath: extendsKey,
                                message: "expected the path of the scenario to extend (relative to this file), found \(entry.value.kindDescription)")
        }
        if relative.contains("${") {
            throw ScenarioError(location: valueLocation, keyPath: extendsKey,
                                message: "'extends' is read before parameters are known; write the path without ${...}")
        }
        let path = relative.hasPrefix("/") ? relative : (directory == "." ? relative : "\(directory)/\(relative)")
        let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
        let here = URL(fileURLWithPath: file).standardizedFileURL.path
        let visited = chain.isEmpty ? [here] : chain
        if let start = visited.firstIndex(of: standardized) {
            let cycle = (visited[start...] + [standardized]).map { URL(fileURLWithPath: $0).lastPathComponent }
            throw ScenarioError(location: valueLocation, keyPath: extendsKey,
                                message: "'extends' makes a cycle: \(cycle.joined(separator: " → "))")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw ScenarioError(location: valueLocation, keyPath: extendsKey,
                                message: "no base scenario '\(path)' (the path is relative to the extending file)")
        }
        let text: String
        do {
            text = try ScenarioText.read(path: path)
        } catch {
            // An error inside the base file keeps its own location; one about the file as a whole points here.
            guard error.location == nil else { throw error }
            throw ScenarioError(location: valueLocation, keyPath: extendsKey, message: error.message)
        }
        let baseDirectory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let base = try resolvingExtends(try ScenarioNode.parse(yaml: text, file: path), file: path, directory: baseDirectory,
                                        chain: visited + [standardized])
        let merged = try base.root.merging(.mapping(entries, location), path: "")
        return Resolved(root: merged, bases: [(ScenarioSource(path: path, text: text), baseDirectory)] + base.bases)
    }

    /// This (inherited) value with `override` merged onto it.
    func merging(_ override: ScenarioNode, path: String) throws -> ScenarioNode {
        switch (self, override) {
        case (.mapping, .mapping) where changesKind(to: override):
            // A distribution or arrival process of another kind is a new value, not an edit of the old one.
            return override
        case (.mapping(var entries, _), .mapping(let changes, let location)):
            for change in changes {
                let keyPath = path.isEmpty ? change.key : "\(path).\(change.key)"
                if let i = entries.firstIndex(where: { $0.key == change.key }) {
                    entries[i] = (change.key, change.keyLocation, try entries[i].value.merging(change.value, path: keyPath))
                } else {
                    entries.append(change)
                }
            }
            return .mapping(entries, location)
        case (.sequence(var items, _), .sequence(let changes, let location))
            where !items.isEmpty && !changes.isEmpty && items.allSatisfy({ $0.itemName != nil }) && changes.allSatisfy({ $0.itemName != nil }):
            for (offset, change) in changes.enumerated() {
                let name = change.itemName!
                let itemPath = "\(path)[\(offset)]"
                let existing = items.firstIndex { $0.itemName == name }
                if try change.removesItem(path: itemPath) {
                    guard let existing else {
                        let names = items.compactMap(\.itemName)
                        throw ScenarioError(location: change.location, keyPath: itemPath,
                                            message: "no inherited item named '\(name)' to remove; inherited: \(names.joined(separator: ", "))",
                                            suggestion: nearest(to: name, in: names))
                    }
                    items.remove(at: existing)
                } else if let existing {
                    items[existing] = try items[existing].merging(change.withoutRemoveKey, path: itemPath)
                } else {
                    items.append(change.withoutRemoveKey)
                }
            }
            return .sequence(items, location)
        default:
            return override
        }
    }

    /// Keys whose value says what kind of mapping this is (and so which other keys it has).
    static let kindKeys = ["dist", "process"]

    /// Whether `override` sets a kind key (`dist:`, `process:`) to another value than this mapping has.
    private func changesKind(to override: ScenarioNode) -> Bool {
        Self.kindKeys.contains { key in
            guard case .scalar(let new, _)? = override.node(at: [key]) else { return false }
            guard case .scalar(let old, _)? = node(at: [key]) else { return false }
            return new != old
        }
    }

    /// The `name:` of a list item that is a mapping.
    var itemName: String? {
        guard case .mapping(let entries, _) = self,
              let entry = entries.first(where: { $0.key == "name" }), case .scalar(let name, _) = entry.value else { return nil }
        return name
    }

    /// Whether this list item is `{name: X, remove: true}`; `remove: false` is allowed and means "keep".
    private func removesItem(path: String) throws -> Bool {
        guard case .mapping(let entries, _) = self, let entry = entries.first(where: { $0.key == Self.removeKey }) else { return false }
        let field = Field(node: entry.value, path: "\(path).\(Self.removeKey)", parameters: [:])
        guard try field.bool() else { return false }
        if let other = entries.first(where: { $0.key != "name" && $0.key != Self.removeKey }) {
            throw ScenarioError(location: other.keyLocation, keyPath: "\(path).\(other.key)",
                                message: "an item with 'remove: true' is deleted; it takes no other keys than 'name'")
        }
        return true
    }

    private var withoutRemoveKey: ScenarioNode {
        guard case .mapping(let entries, let location) = self else { return self }
        return .mapping(entries.filter { $0.key != Self.removeKey }, location)
    }
}
