import NexusGateway

/// The `cache:` section: the gateway's response cache.
extension ScenarioDecoder {
    /// `cache: {ttl: {simple: 3600s, pattern: 1800s, complex: 0s}, capacity_entries: 100k, capacity_bytes: 1G,
    /// never_cache: [confidential, restricted], hit_latency: 5ms, bytes_per_token: 4}`.
    func cache(_ f: Field) throws -> CacheSpec {
        let m = try f.mapping(allowed: ["ttl", "capacity_entries", "capacity_bytes", "never_cache", "hit_latency", "bytes_per_token"])
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
                hitLatencyNanos: try m.optional("hit_latency")?.durationNanos() ?? 5_000_000),
            bytesPerOutputToken: try m.optional("bytes_per_token")?.int(in: 1...1_000) ?? 4)
    }
}
