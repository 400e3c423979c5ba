import NexusSim
import Testing

/// `WindowLatency` must read exactly like the 2-significant-digit `LatencyHistogram` (HdrHistogram) it
/// replaced for the per-window series: the library is the oracle.
@Suite struct WindowLatencyTests {
    /// Deterministic values spread over 0 to beyond an hour, with zeros and repeats.
    static func values(seed: UInt64, count: Int) -> [Int64] {
        var state = seed
        return (0..<count).map { i in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let scale = [0, 999, 5_000, 80_000, 3_000_000, 450_000_000, 9_000_000_000, 5_000_000_000_000][i % 8]
            return scale == 0 ? 0 : Int64(state >> 33) % Int64(scale) + 1
        }
    }

    @Test(arguments: [1, 2, 7, 100, 5_000])
    func percentilesAndMeanMatchTheTwoDigitHistogram(count: Int) throws {
        var window = WindowLatency()
        var reference = LatencyHistogram(significantDigits: .two)
        for round in 0..<2 {
            // The second round after a reset: reused storage must read as new.
            for v in Self.values(seed: UInt64(count + round), count: count) {
                window.record(nanos: v)
                reference.record(nanos: v)
            }
            #expect(window.count == reference.count)
            #expect(window.meanMillis == reference.meanMillis)
            for p in [0.0, 1, 50, 90, 95, 99, 99.9, 100] {
                #expect(window.percentileMillis(p) == reference.percentileMillis(p), "p\(p) of \(count) values")
            }
            window.reset()
            reference.reset()
            #expect(window.percentileMillis(95) == nil && window.meanMillis == nil)
        }
    }
}
