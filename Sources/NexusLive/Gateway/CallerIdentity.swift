import NexusGateway

/// Who is calling and what the call is: the client key (if any), user, team, and the traffic class or
/// classification asked for in the `x-nexus-*` headers.
public struct CallerIdentity: Sendable, Hashable {
    /// The key's id (never the key).
    public var keyID: String?
    public var user: String?
    public var team: String?
    /// `x-nexus-class`.
    public var trafficClass: String?
    /// `x-nexus-classification`.
    public var classification: String?
    /// The key's scopes; nil without keys.
    public var key: ClientKey?
    /// `x-nexus-input-tokens` and `x-nexus-output-tokens` as sent: the load generator's sampled token counts,
    /// passed on to the upstream unchanged so that the provider emulator answers with the lengths the
    /// simulation used. The gateway itself does not trust them (it estimates the prompt from the body).
    public var tokenHints: [String: String]
    /// `x-nexus-intent`: what the prompt asks, shared by its paraphrases — the semantic cache's key (the
    /// embedding's role; `nexus-sim load` sends the simulated intent). Without it the prompt is its own intent.
    public var intent: String?

    public init(keyID: String? = nil, user: String? = nil, team: String? = nil, trafficClass: String? = nil,
                classification: String? = nil, key: ClientKey? = nil, tokenHints: [String: String] = [:], intent: String? = nil) {
        self.tokenHints = tokenHints
        self.keyID = keyID
        self.user = user
        self.team = team
        self.trafficClass = trafficClass
        self.classification = classification
        self.key = key
        self.intent = intent
    }
}
