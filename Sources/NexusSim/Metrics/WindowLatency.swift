/// The latencies of one time-series window (or one autoscaler interval), for its p95 and mean.
///
/// The same buckets and percentile rule as a 2-significant-digit ``LatencyHistogram`` (HdrHistogram with
/// lowest value 1 µs: 256 sub-buckets, values within 1 %), so the series read exactly as before; but
/// written out here, specialised to these parameters. A window closes every simulated minute, and the
/// library's generic percentile walk cost more per window than the requests in a sparse one, while
/// recording here is a shift and an increment. Grows for values beyond an hour, like the histogram.
public struct WindowLatency: Sendable {
    /// Counts by bucket index (HdrHistogram's layout), and the highest index used since the last reset.
    private var counts = [UInt32](repeating: 0, count: Self.index(ofMicros: 3_600_000_000) + 1)
    private var highestIndex = -1
    /// Values recorded since the last reset.
    public private(set) var count = 0
    private var minNonZero = UInt64.max
    private var hasZero = false
    private var maxMicros: UInt64 = 0
    /// Exact sum of the recorded values, nanoseconds.
    private var sumNanos = 0.0

    // HdrHistogram with 2 significant digits and a lowest discernible value of 1: sub-bucket count
    // 2^⌈log2(200)⌉ = 256, half of it 128, no unit shift.
    private static let subBucketHalfCountMagnitude = 7
    private static let subBucketHalfCount = 128
    private static let subBucketMask: UInt64 = 255
    private static let leadingZeroCountBase = 56

    private static func index(ofMicros value: UInt64) -> Int {
        let bucket = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
        let subBucket = Int(value >> UInt64(bucket))
        return ((bucket + 1) << subBucketHalfCountMagnitude) + (subBucket - subBucketHalfCount)
    }

    /// The highest value in the bucket at `index` (HdrHistogram's `highestEquivalentForValue`).
    private static func highestMicros(atIndex index: Int) -> UInt64 {
        var bucket = (index >> subBucketHalfCountMagnitude) - 1
        var subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
        if bucket < 0 {
            subBucket -= subBucketHalfCount
            bucket = 0
        }
        let lowest = UInt64(subBucket) << UInt64(bucket)
        // The range of a value in the lower half of bucket 0 is 1; in a bucket b it is 2^b.
        return lowest + (UInt64(1) << UInt64(bucket)) - 1
    }

    public init() {}

    /// Records a latency in nanoseconds (kept in microseconds, like ``LatencyHistogram``). O(1).
    public mutating func record(nanos: Int64) {
        let micros = UInt64(max(nanos, 0) / 1_000)
        let i = Self.index(ofMicros: micros)
        if i >= counts.count { counts += [UInt32](repeating: 0, count: i + 1 - counts.count) }
        counts[i] &+= 1
        if i > highestIndex { highestIndex = i }
        count += 1
        sumNanos += Double(nanos)
        if micros == 0 { hasZero = true } else if micros < minNonZero { minNonZero = micros }
        if micros > maxMicros { maxMicros = micros }
    }

    /// Empties it, keeping its storage. O(buckets used).
    public mutating func reset() {
        if highestIndex >= 0 {
            counts.withUnsafeMutableBufferPointer { c in
                for i in 0...highestIndex { c[i] = 0 }
            }
        }
        highestIndex = -1
        count = 0
        minNonZero = .max
        hasZero = false
        maxMicros = 0
        sumNanos = 0
    }

    /// Exact mean in milliseconds; `nil` when empty.
    public var meanMillis: Double? { count == 0 ? nil : sumNanos / Double(count) / 1e6 }

    /// The value at `percentile` (0–100) in milliseconds, by HdrHistogram's rule (the highest value of the
    /// bucket holding that rank, within the recorded extremes); `nil` when empty.
    public func percentileMillis(_ percentile: Double) -> Double? {
        guard count > 0 else { return nil }
        let minimum: UInt64 = hasZero ? 0 : minNonZero
        if percentile == 0 { return Double(minimum) / 1e3 }
        if percentile >= 100 { return Double(maxMicros) / 1e3 }
        let requested = min(max(percentile.nextDown, 0), 100)
        let rank = max(1, UInt64((requested * Double(count) / 100).rounded(.up)))
        var seen: UInt64 = 0
        for i in 0...highestIndex {
            seen += UInt64(counts[i])
            if seen >= rank {
                return Double(max(min(Self.highestMicros(atIndex: i), maxMicros), minimum)) / 1e3
            }
        }
        return Double(maxMicros) / 1e3
    }
}
