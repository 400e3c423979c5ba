import NexusGateway

/// The longest time a random draw may put between two events, in seconds (about 149 years).
///
/// Longer than any run may last (100 years, the scenario's limit), so a draw clamped here only moves an event
/// past the end of the run; and short enough that the end of a run plus one such gap stays inside the
/// clock's `Int64` nanoseconds (292 years). An exponential draw reaches about 44 times its mean, so without the
/// clamp a mean of a few years (a random outage's time between failures) could overflow the clock.
@usableFromInline let longestDrawnGapSeconds = 4.7e9

extension Nanoseconds {
    /// A randomly drawn gap of `seconds`, in whole nanoseconds (as ``init(roundingSeconds:)``), clamped to
    /// `0...longestDrawnGapSeconds`; a NaN becomes 0. Use it wherever a draw in seconds becomes a time.
    @inlinable
    init(drawnGapSeconds seconds: Double) {
        // Written so that NaN fails both comparisons and lands on 0.
        self.init(roundingSeconds: seconds >= 0 ? (seconds <= longestDrawnGapSeconds ? seconds : longestDrawnGapSeconds) : 0)
    }

    /// The same for a draw in nanoseconds, rounded to the nearest whole one.
    init(drawnGapNanos nanos: Double) {
        let longest = longestDrawnGapSeconds * 1e9
        self.init((nanos >= 0 ? (nanos <= longest ? nanos : longest) : 0).rounded())
    }
}
