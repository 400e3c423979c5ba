/// How the response cache behaves: a TTL per cache class, capacity, and what must never be cached.
public struct ResponseCachePolicy: Hashable, Sendable {
    /// Time to live per cache class (index = class), nanoseconds; 0 means the class bypasses the cache.
    public var ttlNanos: [Nanoseconds]
    /// Most entries kept; `nil` means no entry limit.
    public var capacityEntries: Int?
    /// Most response bytes kept; `nil` means no byte limit.
    public var capacityBytes: Int?
    /// Classifications whose requests are never cached (e.g. confidential and restricted data).
    public var neverCache: ClassificationSet
    /// Time to answer from the cache.
    public var hitLatencyNanos: Nanoseconds
    /// The semantic match tried when the exact key misses; `nil`: exact match only.
    public var semantic: SemanticCachePolicy?

    public init(ttlNanos: [Nanoseconds], capacityEntries: Int? = nil, capacityBytes: Int? = nil,
                neverCache: ClassificationSet = [], hitLatencyNanos: Nanoseconds = 5_000_000, semantic: SemanticCachePolicy? = nil) {
        self.ttlNanos = ttlNanos
        self.capacityEntries = capacityEntries
        self.capacityBytes = capacityBytes
        self.neverCache = neverCache
        self.hitLatencyNanos = hitLatencyNanos
        self.semantic = semantic
    }
}

/// Counters of one cache class.
public struct CacheClassStats: Hashable, Sendable, Codable {
    public var hits = 0
    public var misses = 0
    /// Entries removed because their TTL passed.
    public var expirations = 0
    /// Entries removed to make room.
    public var evictions = 0
    /// Requests that did not use the cache (TTL 0 or a never-cached classification).
    public var bypasses = 0

    public init() {}

    /// hits / (hits + misses); 0 without lookups.
    public var hitRate: Double { hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses) }
}

/// The answer to a cache lookup.
public enum CacheLookup: Hashable, Sendable {
    /// A stored response of `sizeBytes`, still fresh.
    case hit(sizeBytes: Int)
    case miss
    /// The request may not use the cache.
    case bypass
}
