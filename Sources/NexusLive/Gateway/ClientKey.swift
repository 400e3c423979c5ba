import NexusGateway

/// A client API key as the gateway knows it: only its SHA-256 digest, who it belongs to and what it may use.
public struct ClientKey: Sendable, Hashable {
    /// A name for the key that is safe to log and audit (never the key).
    public var id: String
    /// SHA-256 of the key, 64 lowercase hexadecimal digits.
    public var sha256: String
    /// The user the key's calls are attributed to (budgets per user, audit log).
    public var user: String?
    public var team: String?
    /// Tiers the key may call; `nil` means all.
    public var tiers: Set<String>?
    /// Data classifications the key may send; `nil` means all.
    public var classifications: Set<DataClassification>?

    public init(id: String, sha256: String, user: String? = nil, team: String? = nil,
                tiers: Set<String>? = nil, classifications: Set<DataClassification>? = nil) {
        self.id = id
        self.sha256 = sha256
        self.user = user
        self.team = team
        self.tiers = tiers
        self.classifications = classifications
    }

    /// Whether the key may call `tier`.
    public func allows(tier: String) -> Bool { tiers?.contains(tier) ?? true }

    /// Whether the key may send data of `classification`.
    public func allows(classification: DataClassification) -> Bool { classifications?.contains(classification) ?? true }
}
