import Histogram

/// A compact, exact serialisation: the non-empty buckets only, plus what bucket counts cannot say.
///
/// HdrHistogram's own `Codable` writes every slot of its counts array (about 23,000 for one hour at 3
/// significant digits), almost all zero. Here a histogram is `{"digits", "sum_ns", "min", "max", "buckets"}`,
/// `buckets` being a flat list `[value, count, value, count, ...]` of the non-empty buckets (each value
/// the bucket's lowest equivalent value, in microseconds). Decoding records each count in its bucket and then
/// restores the exact smallest non-zero and largest recorded values, which percentiles are clamped to; so
/// every query (percentiles, max, mean, counts within a range) and every merge gives the same answer as
/// on the original.
extension LatencyHistogram: Codable {
    private enum CodingKeys: String, CodingKey {
        case digits, sumNanos = "sum_ns", min, max, buckets
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(significantDigits: try container.decode(SignificantDigits.self, forKey: .digits))
        let minimum = try container.decode(UInt64.self, forKey: .min)
        let maximum = try container.decode(UInt64.self, forKey: .max)
        let buckets = try container.decode([UInt64].self, forKey: .buckets)
        guard buckets.count % 2 == 0 else {
            throw DecodingError.dataCorruptedError(forKey: .buckets, in: container,
                                                   debugDescription: "expected value, count pairs; found an odd count")
        }
        for i in stride(from: 0, to: buckets.count, by: 2) {
            let lowest = buckets[i]
            // The bucket holding the smallest non-zero value records that value itself (see `min` below).
            let value = lowest == 0 || minimum == 0 ? lowest : Swift.max(lowest, minimum)
            guard histogram.record(value, count: buckets[i + 1]) else {
                throw DecodingError.dataCorruptedError(forKey: .buckets, in: container,
                                                       debugDescription: "value \(value) cannot be recorded")
            }
        }
        // A zero count moves only the recorded maximum, to the exact value the original had seen.
        histogram.record(maximum, count: 0)
        sumNanos = try container.decode(Double.self, forKey: .sumNanos)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(histogram.numberOfSignificantValueDigits, forKey: .digits)
        try container.encode(sumNanos, forKey: .sumNanos)
        // `min` is the exact smallest value unless zeros were recorded (then 0, and the smallest non-zero
        // value matters to no query beyond its bucket).
        try container.encode(histogram.min, forKey: .min)
        try container.encode(histogram.maxRecorded, forKey: .max)
        var buckets: [UInt64] = []
        for bucket in histogram.recordedValues() {
            buckets.append(histogram.lowestEquivalentForValue(bucket.value))
            buckets.append(bucket.count)
        }
        try container.encode(buckets, forKey: .buckets)
    }
}
