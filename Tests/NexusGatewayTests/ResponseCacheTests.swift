import Foundation
import NexusGateway
import Testing

@Suite struct ResponseCacheTests {
    static let second: Int64 = 1_000_000_000

    static func cache(ttl: [Int64] = [3600 * second, 1800 * second, 0], entries: Int? = nil, bytes: Int? = nil) -> ResponseCache {
        ResponseCache(policy: ResponseCachePolicy(ttlNanos: ttl, capacityEntries: entries, capacityBytes: bytes,
                                                  neverCache: [.confidential, .restricted]))
    }

    @Test func ttlStartsAtInsertAndIsNotRefreshedByHits() {
        var c = Self.cache()
        #expect(c.lookup(1, cacheClass: 1, classification: .public, now: 0) == .miss)
        c.insert(1, cacheClass: 1, classification: .public, sizeBytes: 100, now: 0)
        #expect(c.lookup(1, cacheClass: 1, classification: .public, now: 1799 * Self.second) == .hit(sizeBytes: 100))
        #expect(c.lookup(1, cacheClass: 1, classification: .public, now: 1800 * Self.second) == .miss)
        #expect(c.stats[1].hits == 1 && c.stats[1].misses == 2 && c.stats[1].expirations == 1)
        #expect(c.count == 0)
    }

    @Test func zeroTTLAndProtectedClassificationsBypass() {
        var c = Self.cache()
        #expect(c.lookup(1, cacheClass: 2, classification: .public, now: 0) == .bypass)
        c.insert(1, cacheClass: 2, classification: .public, sizeBytes: 10, now: 0)
        #expect(c.count == 0)
        #expect(c.lookup(2, cacheClass: 0, classification: .confidential, now: 0) == .bypass)
        c.insert(2, cacheClass: 0, classification: .restricted, sizeBytes: 10, now: 0)
        #expect(c.count == 0)
        #expect(c.stats[2].bypasses == 1 && c.stats[0].bypasses == 1)
    }

    @Test func leastRecentlyUsedIsEvictedFirst() {
        var c = Self.cache(entries: 3)
        for k in UInt64(1)...3 { c.insert(k, cacheClass: 0, classification: .public, sizeBytes: 1, now: Int64(k)) }
        _ = c.lookup(1, cacheClass: 0, classification: .public, now: 10)   // 1 becomes most recent
        c.insert(4, cacheClass: 0, classification: .public, sizeBytes: 1, now: 11)
        #expect(c.keysByRecency == [4, 1, 3])   // 2 was least recently used
        #expect(c.stats[0].evictions == 1)
    }

    @Test func byteCapacityEvictsUntilTheResponseFits() {
        var c = Self.cache(bytes: 1000)
        c.insert(1, cacheClass: 0, classification: .public, sizeBytes: 400, now: 0)
        c.insert(2, cacheClass: 0, classification: .public, sizeBytes: 400, now: 1)
        c.insert(3, cacheClass: 0, classification: .public, sizeBytes: 500, now: 2)   // evicts 1 only
        #expect(c.keysByRecency == [3, 2] && c.bytes == 900)
        c.insert(4, cacheClass: 0, classification: .public, sizeBytes: 2000, now: 3)  // larger than the cache
        #expect(c.keysByRecency == [3, 2])
    }

    @Test func expiredOneOffPromptsDoNotAccumulate() {
        // 100k one-off prompts at 10/s with a 60 s TTL: about 600 live entries at any time.
        var c = Self.cache(ttl: [60 * Self.second])
        var maxCount = 0
        for i in 0..<100_000 {
            let now = Int64(i) * Self.second / 10
            _ = c.lookup(UInt64(i), cacheClass: 0, classification: .public, now: now)
            c.insert(UInt64(i), cacheClass: 0, classification: .public, sizeBytes: 1, now: now)
            maxCount = max(maxCount, c.count)
        }
        #expect(maxCount <= 601)
    }

    // MARK: Against closed forms

    /// Zipf(s) popularity over `n` prompts.
    static func zipf(n: Int, s: Double) -> [Double] {
        let w = (1...n).map { 1 / pow(Double($0), s) }
        let total = w.reduce(0, +)
        return w.map { $0 / total }
    }

    /// Drives the cache with Poisson requests (rate λ per second) over prompts drawn from `p`; returns the
    /// hit rates of `batches` consecutive batches (after a warm-up batch).
    static func simulate(_ cache: inout ResponseCache, p: [Double], lambda: Double, requests: Int, batches: Int, seed: UInt64) -> [Double] {
        var rng = SplitMix(state: seed)
        var cumulative: [Double] = []
        var sum = 0.0
        for x in p { sum += x; cumulative.append(sum) }
        var now = 0.0
        let perBatch = requests / (batches + 1)
        var rates: [Double] = []
        var hits = 0
        for i in 0..<(perBatch * (batches + 1)) {
            now += -log(1 - Double.random(in: 0..<1, using: &rng)) / lambda
            let u = Double.random(in: 0..<1, using: &rng) * sum
            var lo = 0, hi = cumulative.count - 1
            while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] > u { hi = mid } else { lo = mid + 1 } }
            let key = UInt64(lo)
            let t = Int64(now * 1e9)
            if case .hit = cache.lookup(key, cacheClass: 0, classification: .public, now: t) {
                hits += 1
            } else {
                cache.insert(key, cacheClass: 0, classification: .public, sizeBytes: 1, now: t)
            }
            if (i + 1) % perBatch == 0 {
                if i + 1 > perBatch { rates.append(Double(hits) / Double(perBatch)) }
                hits = 0
            }
        }
        return rates
    }

    static func meanAndStandardError(_ xs: [Double]) -> (Double, Double) {
        let n = Double(xs.count), m = xs.reduce(0, +) / n
        let v = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)
        return (m, (v / n).squareRoot())
    }

    /// TTL set on insert, not refreshed, no capacity limit: prompt i is a renewal process whose hit
    /// probability is λp_iT / (1 + λp_iT), so the hit rate is Σ p_i · λp_iT / (1 + λp_iT).
    @Test(arguments: [(1000, 0.8, 20.0, 30.0), (5000, 1.0, 50.0, 120.0), (200, 1.2, 5.0, 10.0)])
    func ttlHitRateMatchesClosedForm(prompts: Int, s: Double, lambda: Double, ttlSeconds: Double) {
        let p = Self.zipf(n: prompts, s: s)
        let exact = p.reduce(0) { $0 + $1 * (lambda * $1 * ttlSeconds) / (1 + lambda * $1 * ttlSeconds) }
        var cache = Self.cache(ttl: [Int64(ttlSeconds * 1e9)])
        let rates = Self.simulate(&cache, p: p, lambda: lambda, requests: 420_000, batches: 20, seed: UInt64(prompts))
        let (mean, se) = Self.meanAndStandardError(rates)
        #expect(abs(mean - exact) < 5 * se, "hit rate \(mean) ± \(se), closed form \(exact)")
    }

    /// LRU with capacity C and no expiry: Che's approximation. The characteristic time t_C solves
    /// Σ (1 − e^(−λ p_i t_C)) = C, and the hit rate is Σ p_i (1 − e^(−λ p_i t_C)); it is accurate to a few
    /// percent for Zipf popularity.
    @Test(arguments: [(2000, 0.8, 100), (2000, 1.0, 200), (10000, 0.9, 1000)])
    func lruHitRateMatchesChe(prompts: Int, s: Double, capacity: Int) {
        let p = Self.zipf(n: prompts, s: s)
        let lambda = 100.0
        func occupancy(_ t: Double) -> Double { p.reduce(0) { $0 + 1 - exp(-lambda * $1 * t) } }
        var lo = 0.0, hi = 1.0
        while occupancy(hi) < Double(capacity) { hi *= 2 }
        for _ in 0..<100 { let mid = (lo + hi) / 2; if occupancy(mid) < Double(capacity) { lo = mid } else { hi = mid } }
        let che = p.reduce(0) { $0 + $1 * (1 - exp(-lambda * $1 * lo)) }
        var cache = ResponseCache(policy: ResponseCachePolicy(ttlNanos: [Int64.max / 4], capacityEntries: capacity))
        let rates = Self.simulate(&cache, p: p, lambda: lambda, requests: 420_000, batches: 20, seed: UInt64(capacity))
        let (mean, _) = Self.meanAndStandardError(rates)
        #expect(abs(mean / che - 1) < 0.03, "LRU hit rate \(mean), Che \(che)")
    }
}
