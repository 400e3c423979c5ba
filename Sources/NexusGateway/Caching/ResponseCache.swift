/// The gateway's exact-match response cache: a key is the fingerprint of the prompt and of the parameters
/// that change the answer. Entries live for their class's TTL from insertion (hits do not extend it),
/// within an entry and/or byte capacity enforced by least-recently-used eviction.
///
/// Entries of one class expire in insertion order (one TTL per class), so expired entries are purged
/// from the front of per-class FIFO queues: memory stays bounded by what is live, even with one-off
/// prompts that are never looked up again. Lookup, insert and purge are O(1) amortised.
public struct ResponseCache: Sendable {
    public let policy: ResponseCachePolicy
    public private(set) var stats: [CacheClassStats]

    /// Entries in a slab with an intrusive doubly linked LRU list (most recent at `head`).
    private struct Entry: Sendable {
        var key: UInt64
        var cacheClass: Int32
        var sizeBytes: Int
        var expiresAt: Nanoseconds
        var previous: Int32 = -1
        var next: Int32 = -1
        var generation: UInt32 = 0
        /// The semantic key of its prompt (the intent); the exact key without a semantic cache.
        var intent: UInt64 = 0
    }

    private var entries: [Entry] = []
    private var free: [Int32] = []
    private var index: [UInt64: Int32] = [:]
    private var head: Int32 = -1
    private var tail: Int32 = -1
    /// Per class, entries in insertion (hence expiry) order: (slot, generation at insertion).
    private var expiryQueues: [[(slot: Int32, generation: UInt32)]]
    private var expiryHeads: [Int]
    public private(set) var count = 0
    public private(set) var bytes = 0
    /// With a semantic cache: per intent, the slots of its live entries (at most one per wording), oldest first.
    private var intents: [UInt64: [Int32]] = [:]
    private let isSemantic: Bool
    /// Semantic lookups (after an exact miss): right matches, wrong matches, misses.
    public private(set) var semanticHits = 0
    public private(set) var semanticFalseHits = 0
    public private(set) var semanticMisses = 0

    public init(policy: ResponseCachePolicy) {
        self.policy = policy
        stats = Array(repeating: CacheClassStats(), count: policy.ttlNanos.count)
        expiryQueues = Array(repeating: [], count: policy.ttlNanos.count)
        expiryHeads = Array(repeating: 0, count: policy.ttlNanos.count)
        isSemantic = policy.semantic != nil
    }

    /// Whether a request of this class and classification may use the cache at all.
    public func admits(cacheClass: Int, classification: DataClassification) -> Bool {
        policy.ttlNanos[cacheClass] > 0 && !policy.neverCache.contains(classification)
    }

    /// Looks up `key` at `now`, counting a hit, a miss (and an expiration) or a bypass for `cacheClass`.
    public mutating func lookup(_ key: UInt64, cacheClass: Int, classification: DataClassification, now: Nanoseconds) -> CacheLookup {
        guard admits(cacheClass: cacheClass, classification: classification) else {
            stats[cacheClass].bypasses += 1
            return .bypass
        }
        purgeExpired(now)
        guard let slot = index[key] else {
            stats[cacheClass].misses += 1
            return .miss
        }
        // Expired entries were purged above, so what the index finds is fresh.
        assert(entries[Int(slot)].expiresAt > now)
        stats[cacheClass].hits += 1
        moveToFront(slot)
        return .hit(sizeBytes: entries[Int(slot)].sizeBytes)
    }

    /// The semantic match after an exact miss (see ``SemanticCachePolicy``): `draw` (uniform in [0, 1)) decides
    /// between a match to the intent's stored answer (below the hit probability, when the intent is stored), a
    /// match to another intent's answer (the next false-hit probability's worth), and a miss. A matched entry
    /// counts as used (least-recently-used order). `.miss` without a semantic policy.
    public mutating func semanticLookup(intent: UInt64, draw: Double, now: Nanoseconds) -> SemanticLookup {
        guard let semantic = policy.semantic else { return .miss }
        purgeExpired(now)
        var threshold = 0.0
        if let own = intents[intent]?.last {
            threshold = semantic.hitProbability
            if draw < threshold {
                semanticHits += 1
                moveToFront(own)
                return .hit(key: entries[Int(own)].key, sizeBytes: entries[Int(own)].sizeBytes)
            }
        }
        if draw < threshold + semantic.falseHitProbability, let other = mostRecent(notOf: intent) {
            semanticFalseHits += 1
            moveToFront(other)
            return .falseHit(key: entries[Int(other)].key, sizeBytes: entries[Int(other)].sizeBytes)
        }
        semanticMisses += 1
        return .miss
    }

    /// The most recently used entry of another intent: found within the first few entries of the recency list
    /// (an intent has at most one entry per wording).
    private func mostRecent(notOf intent: UInt64) -> Int32? {
        var slot = head
        while slot >= 0 {
            if entries[Int(slot)].intent != intent { return slot }
            slot = entries[Int(slot)].next
        }
        return nil
    }

    /// Stores a response (after a miss was answered by a model). Evicts least-recently-used entries until
    /// the capacity holds; a response larger than the whole byte capacity is not stored.
    public mutating func insert(_ key: UInt64, cacheClass: Int, classification: DataClassification, sizeBytes: Int, now: Nanoseconds) {
        insert(key, intent: key, cacheClass: cacheClass, classification: classification, sizeBytes: sizeBytes, now: now)
    }

    /// ``insert(_:cacheClass:classification:sizeBytes:now:)`` of a prompt of semantic key `intent`.
    public mutating func insert(_ key: UInt64, intent: UInt64, cacheClass: Int, classification: DataClassification, sizeBytes: Int,
                                now: Nanoseconds) {
        guard admits(cacheClass: cacheClass, classification: classification) else { return }
        if let capacity = policy.capacityBytes, sizeBytes > capacity { return }
        purgeExpired(now)
        if let existing = index[key] { remove(existing) }
        while needsRoom(forBytes: sizeBytes), tail >= 0 {
            stats[Int(entries[Int(tail)].cacheClass)].evictions += 1
            remove(tail)
        }
        let slot: Int32
        let entry = Entry(key: key, cacheClass: Int32(cacheClass), sizeBytes: sizeBytes, expiresAt: now + policy.ttlNanos[cacheClass],
                          intent: intent)
        if let reused = free.popLast() {
            let generation = entries[Int(reused)].generation
            entries[Int(reused)] = entry
            entries[Int(reused)].generation = generation
            slot = reused
        } else {
            entries.append(entry)
            slot = Int32(entries.count - 1)
        }
        index[key] = slot
        linkAtFront(slot)
        if isSemantic { intents[intent, default: []].append(slot) }
        count += 1
        bytes += sizeBytes
        expiryQueues[cacheClass].append((slot, entries[Int(slot)].generation))
    }

    private func needsRoom(forBytes size: Int) -> Bool {
        if let capacity = policy.capacityEntries, count + 1 > capacity { return true }
        if let capacity = policy.capacityBytes, bytes + size > capacity { return true }
        return false
    }

    /// Drops expired entries from the front of each class's queue.
    private mutating func purgeExpired(_ now: Nanoseconds) {
        for c in expiryQueues.indices {
            while expiryHeads[c] < expiryQueues[c].count {
                let (slot, generation) = expiryQueues[c][expiryHeads[c]]
                let stale = entries[Int(slot)].generation != generation
                if !stale && entries[Int(slot)].expiresAt > now { break }
                if !stale {
                    stats[c].expirations += 1
                    remove(slot)
                }
                expiryHeads[c] += 1
            }
            // Compact the queue once its consumed prefix dominates, keeping memory proportional to live entries.
            if expiryHeads[c] > 1024, expiryHeads[c] * 2 > expiryQueues[c].count {
                expiryQueues[c].removeFirst(expiryHeads[c])
                expiryHeads[c] = 0
            }
        }
    }

    private mutating func remove(_ slot: Int32) {
        unlink(slot)
        index[entries[Int(slot)].key] = nil
        if isSemantic {
            let intent = entries[Int(slot)].intent
            intents[intent]?.removeAll { $0 == slot }
            if intents[intent]?.isEmpty == true { intents[intent] = nil }
        }
        count -= 1
        bytes -= entries[Int(slot)].sizeBytes
        entries[Int(slot)].generation &+= 1
        free.append(slot)
    }

    private mutating func linkAtFront(_ slot: Int32) {
        entries[Int(slot)].previous = -1
        entries[Int(slot)].next = head
        if head >= 0 { entries[Int(head)].previous = slot }
        head = slot
        if tail < 0 { tail = slot }
    }

    private mutating func unlink(_ slot: Int32) {
        let previous = entries[Int(slot)].previous, next = entries[Int(slot)].next
        if previous >= 0 { entries[Int(previous)].next = next } else { head = next }
        if next >= 0 { entries[Int(next)].previous = previous } else { tail = previous }
        entries[Int(slot)].previous = -1
        entries[Int(slot)].next = -1
    }

    private mutating func moveToFront(_ slot: Int32) {
        guard head != slot else { return }
        unlink(slot)
        linkAtFront(slot)
    }

    /// Keys from most to least recently used (for tests and inspection). O(n).
    public var keysByRecency: [UInt64] {
        var keys: [UInt64] = []
        var slot = head
        while slot >= 0 {
            keys.append(entries[Int(slot)].key)
            slot = entries[Int(slot)].next
        }
        return keys
    }
}
