/// What the lifecycle needs to know about a request: where it may go, how big it is, whose budget it uses
/// and what identifies its answer in the response cache.
public struct GatewayRequest: Hashable, Sendable {
    /// The tier it asked for (the OpenAI `model` of a live request).
    public var tier: Int
    /// Index of its cache class in the response cache's TTL table.
    public var cacheClass: Int
    public var inputTokens: Int
    /// The client's `max_tokens`: bounds an attempt's worst-case cost, which the budget reserves.
    public var maxOutputTokens: Int
    /// The output it is expected to produce (the `cost` strategy's estimate).
    public var expectedOutputTokens: Int
    /// The user whose budgets it spends; `-1` when unknown.
    public var user: Int
    /// Fingerprint of the prompt, and of the parameters that change the answer; together the cache key.
    public var promptFingerprint: UInt64
    public var parametersFingerprint: UInt64
    /// When the client sent it: the deadline runs from here, also while it waited for a gateway worker.
    public var receivedAt: Nanoseconds
    /// The team whose budget it spends; `nil` when unknown.
    public var team: Int?
    /// Its data classification: which providers may receive it.
    public var classification: DataClassification
    /// Fingerprint of what the prompt asks (its intent), shared by its paraphrases: the semantic cache's key
    /// with the parameters; `nil`: the prompt's own fingerprint.
    public var intentFingerprint: UInt64?

    @inlinable
    public init(tier: Int, classification: DataClassification, cacheClass: Int = 0, inputTokens: Int, maxOutputTokens: Int,
                expectedOutputTokens: Int? = nil, user: Int = -1, team: Int? = nil, promptFingerprint: UInt64 = 0,
                parametersFingerprint: UInt64 = 0, receivedAt: Nanoseconds, intentFingerprint: UInt64? = nil) {
        self.tier = tier
        self.classification = classification
        self.cacheClass = cacheClass
        self.inputTokens = inputTokens
        self.maxOutputTokens = maxOutputTokens
        self.expectedOutputTokens = expectedOutputTokens ?? maxOutputTokens
        self.user = user
        self.team = team
        self.promptFingerprint = promptFingerprint
        self.parametersFingerprint = parametersFingerprint
        self.receivedAt = receivedAt
        self.intentFingerprint = intentFingerprint
    }

    /// The response-cache key: the prompt's fingerprint mixed with the answer-changing parameters'.
    @inlinable
    public var cacheKey: UInt64 { Self.mix(promptFingerprint, parametersFingerprint) }

    /// The semantic cache's key: the intent's fingerprint mixed with the parameters'.
    @inlinable
    public var semanticKey: UInt64 { Self.mix(intentFingerprint ?? promptFingerprint, parametersFingerprint) }

    @inlinable
    static func mix(_ promptFingerprint: UInt64, _ parametersFingerprint: UInt64) -> UInt64 {
        var z = (promptFingerprint ^ parametersFingerprint &* 0x9E37_79B9_7F4A_7C15) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
