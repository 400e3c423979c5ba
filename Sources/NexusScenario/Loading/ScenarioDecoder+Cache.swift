import NexusGateway

/// The `cache:` section: the gateway's response cache.
extension ScenarioDecoder {
    /// `cache: {ttl: {simple: 3600s, pattern: 1800s, complex: 0s}, capacity_entries: 100k, capacity_bytes: 1G,
    /// never_cache: [confidential, restricted], hit_latency: 5ms, bytes_per_token: 4, semantic: {...}}`.
    func cache(_ f: Field) throws -> CacheSpec {
        let m = try f.mapping(allowed: ["ttl", "capacity_entries", "capacity_bytes", "never_cache", "hit_latency", "bytes_per_token",
                                        "semantic"])
        let ttlField = try m.required("ttl")
        let ttl = try ttlField.mapping(allowed: CacheClass.allCases.map(\.rawValue))
        let ttls = try CacheClass.allCases.map { c in try ttl.optional(c.rawValue)?.durationNanos() ?? 0 }
        return CacheSpec(
            policy: ResponseCachePolicy(
                ttlNanos: ttls,
                capacityEntries: try m.optional("capacity_entries")?.int(in: 1...Int(Int32.max)),
                capacityBytes: try m.optional("capacity_bytes")?.int(in: 1...Int.max / 2),
                neverCache: ClassificationSet(try m.optional("never_cache")?.list().map { try $0.choice(DataClassification.self) }
                    ?? [.confidential, .restricted]),
                hitLatencyNanos: try m.optional("hit_latency")?.durationNanos() ?? 5_000_000,
                semantic: try m.optional("semantic").map(semantic)),
            bytesPerOutputToken: try m.optional("bytes_per_token")?.int(in: 1...1_000) ?? 4)
    }

    /// Embedding price when a scenario does not say: OpenAI's text-embedding-3-small, $0.02 per million tokens
    /// (https://openai.com/api/pricing/).
    static let defaultEmbeddingPerMillionTokens = 0.02

    /// `semantic: {threshold: 50, hit_probability, false_hit_probability, lookup_latency, embedding_per_mtok, false_hits: serve|fail}`:
    /// the probabilities and the lookup time default to GPTCache's benchmark at `threshold` (see ``SemanticCachePolicy``).
    private func semantic(_ f: Field) throws -> SemanticCachePolicy {
        let m = try f.mapping(allowed: ["threshold", "hit_probability", "false_hit_probability", "lookup_latency", "embedding_per_mtok",
                                        "false_hits"])
        let range = SemanticCachePolicy.gptCacheThresholds
        let threshold = try m.optional("threshold")?.double(in: range, what: "a GPTCache search-distance threshold") ?? 50
        let table = SemanticCachePolicy.gptCacheBenchmark(threshold: threshold)
        let hit = try m.optional("hit_probability")?.fraction() ?? table.hit
        let falseHitField = m.optional("false_hit_probability")
        let falseHit = try falseHitField?.fraction() ?? table.falseHit
        guard hit + falseHit <= 1 + 1e-12 else {
            throw (falseHitField ?? f).error("hit_probability + false_hit_probability must be at most 100%, found \(hit + falseHit)")
        }
        let latency = try m.optional("lookup_latency")?.durationNanos() ?? Nanoseconds(roundingSeconds: table.seconds)
        let price = try m.optional("embedding_per_mtok")?.dollars() ?? USD(Self.defaultEmbeddingPerMillionTokens)
        let falseHits = try m.optional("false_hits")?.choice(FalseHitAccounting.self) ?? .serve
        return SemanticCachePolicy(hitProbability: hit, falseHitProbability: min(falseHit, 1 - hit), lookupLatencyNanos: latency,
                                   embeddingPricePerToken: USD(price.dollars / 1e6), falseHitsFail: falseHits == .fail)
    }
}

/// How the semantic cache's wrong answers are counted.
public enum FalseHitAccounting: String, CaseIterable, Sendable {
    /// Served and counted as false hits (the client gets an answer, to another question).
    case serve
    /// Counted as failed requests with reason `wrong_cached_answer`.
    case fail
}
