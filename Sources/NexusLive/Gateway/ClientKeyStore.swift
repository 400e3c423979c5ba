import NexusGateway

/// The client keys the gateway accepts, looked up by the SHA-256 of the presented key.
///
/// The keys file is JSON:
/// ```json
/// {"keys": [{"id": "finance-app", "sha256": "<64 hex digits>", "user": "ann", "team": "finance",
///            "tiers": ["mission_critical"], "classifications": ["public", "internal", "confidential"]}]}
/// ```
/// Only digests are stored, so the file reveals no key; `printf %s "$KEY" | sha256sum` makes one.
public struct ClientKeyStore: Sendable {
    private var byDigest: [String: ClientKey] = [:]

    /// The keys, in file order.
    public private(set) var keys: [ClientKey] = []

    public init(keys: [ClientKey]) throws(ClientKeyFileError) {
        for key in keys {
            guard byDigest[key.sha256] == nil else { throw ClientKeyFileError(path: nil, message: "key '\(key.id)' has the same sha256 as another key") }
            byDigest[key.sha256] = key
        }
        self.keys = keys
    }

    /// Whether any key is configured (without one, the gateway serves loopback clients only).
    public var isEmpty: Bool { keys.isEmpty }

    /// The key whose digest matches the presented key, or nil.
    public func key(presented: String) -> ClientKey? {
        byDigest[SHA256.hexDigest(presented)]
    }

    /// Reads a keys file's contents; errors give the file, line and column or the entry and member at fault.
    public init(fileContents bytes: [UInt8], path: String?, tierNames: Set<String>) throws(ClientKeyFileError) {
        func fail(_ message: String) -> ClientKeyFileError { ClientKeyFileError(path: path, message: message) }
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw fail(error.description)
        }
        guard let entries = root.objectValue?["keys"]?.arrayValue else {
            throw fail("expected an object with a 'keys' array")
        }
        var keys: [ClientKey] = []
        var ids: Set<String> = []
        let allowed = ["id", "sha256", "user", "team", "tiers", "classifications"]
        for (index, entry) in entries.enumerated() {
            let at = "keys[\(index)]"
            guard let object = entry.objectValue else { throw fail("\(at): expected an object, found \(entry.typeDescription)") }
            for member in object.members where !allowed.contains(member.key) {
                throw fail("\(at).\(member.key): unknown key; valid keys: \(allowed.joined(separator: ", "))")
            }
            guard let id = object["id"]?.stringValue, !id.isEmpty else { throw fail("\(at).id: expected a non-empty string") }
            guard ids.insert(id).inserted else { throw fail("\(at).id: the id '\(id)' is used twice") }
            guard let digest = object["sha256"]?.stringValue?.lowercased(), digest.utf8.count == 64,
                  digest.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
            else { throw fail("\(at).sha256: expected the key's SHA-256 as 64 hexadecimal digits (printf %s \"$KEY\" | sha256sum)") }
            func optionalString(_ name: String) throws(ClientKeyFileError) -> String? {
                guard let value = object[name], value != .null else { return nil }
                guard let text = value.stringValue, !text.isEmpty else { throw fail("\(at).\(name): expected a non-empty string") }
                return text
            }
            func stringList(_ name: String) throws(ClientKeyFileError) -> [String]? {
                guard let value = object[name], value != .null else { return nil }
                let strings = value.arrayValue?.compactMap(\.stringValue)
                guard let strings, strings.count == value.arrayValue?.count else { throw fail("\(at).\(name): expected a list of strings") }
                return strings
            }
            let tiers = try stringList("tiers")
            for tier in tiers ?? [] where !tierNames.contains(tier) {
                throw fail("\(at).tiers: no tier '\(tier)' in the scenario; tiers: \(tierNames.sorted().joined(separator: ", "))")
            }
            var classifications: Set<DataClassification>?
            if let names = try stringList("classifications") {
                classifications = []
                for name in names {
                    guard let classification = DataClassification(rawValue: name) else {
                        throw fail("\(at).classifications: '\(name)' is not one of \(DataClassification.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    classifications?.insert(classification)
                }
            }
            keys.append(ClientKey(
                id: id, sha256: digest, user: try optionalString("user"), team: try optionalString("team"),
                tiers: tiers.map(Set.init), classifications: classifications))
        }
        do {
            try self.init(keys: keys)
        } catch {
            throw fail(error.message)
        }
    }
}

/// A keys file that cannot be used.
public struct ClientKeyFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String?
    public var message: String

    public var description: String { path.map { "\($0): \(message)" } ?? message }
}
