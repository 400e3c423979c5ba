import Histogram

/// A latency distribution recorded in microseconds with 3 significant digits (HdrHistogram), so that
/// percentiles are within 0.1 % and histograms merge exactly across replications and shards.
public struct LatencyHistogram: Sendable {
    public internal(set) var histogram: Histogram<UInt64>
    /// Exact sum of the recorded values in nanoseconds (the histogram's own mean is bucket-quantised).
    public internal(set) var sumNanos: Double = 0

    public init(significantDigits: SignificantDigits = .three) {
        // One hour in microseconds; larger values grow the histogram instead of being dropped.
        histogram = Histogram(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000,
                              numberOfSignificantValueDigits: significantDigits)
        histogram.autoResize = true
    }

    public var count: Int { Int(histogram.totalCount) }

    public mutating func record(nanos: Int64) {
        _ = histogram.record(UInt64(max(nanos, 0) / 1_000))
        sumNanos += Double(nanos)
    }

    public mutating func merge(_ other: LatencyHistogram) {
        histogram.add(other.histogram)
        sumNanos += other.sumNanos
    }

    public mutating func reset() {
        histogram.reset()
        sumNanos = 0
    }

    /// Exact mean in milliseconds; `nil` when empty.
    public var meanMillis: Double? { count == 0 ? nil : sumNanos / Double(count) / 1e6 }

    /// The value at `percentile` (0–100) in milliseconds (HdrHistogram's highest-equivalent value);
    /// `nil` when empty.
    public func percentileMillis(_ percentile: Double) -> Double? {
        count == 0 ? nil : Double(histogram.valueAtPercentile(percentile)) / 1e3
    }

    public var maxMillis: Double? { count == 0 ? nil : Double(histogram.max) / 1e3 }

    /// Share of recorded values strictly above `thresholdNanos` (at the histogram's resolution).
    public func fractionAbove(nanos thresholdNanos: Int64) -> Double {
        guard count > 0 else { return 0 }
        let atOrBelow = histogram.count(within: 0...UInt64(max(thresholdNanos, 0) / 1_000))
        return 1 - Double(atOrBelow) / Double(count)
    }
}
