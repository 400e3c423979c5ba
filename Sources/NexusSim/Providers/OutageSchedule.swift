import NexusGateway
import NexusScenario

/// When a provider's outages happen: its scheduled windows plus random outages drawn up front for the
/// whole run (so the schedule, and hence common random numbers, does not depend on the traffic).
public struct OutageSchedule: Sendable {
    public struct Interval: Sendable, Hashable {
        public var start: Nanoseconds
        public var end: Nanoseconds
        public var effect: OutageEffect
        /// Bit i set: the provider's model i is affected.
        public var modelMask: UInt64
    }

    /// Scheduled windows first (they take precedence), then random outages, each list by start time.
    public private(set) var scheduled: [Interval]
    public private(set) var random: [Interval]

    public init(provider: ProviderSpec, runEnd: Nanoseconds, stream: RandomStream) {
        let allModels: UInt64 = provider.models.count >= 64 ? .max : (1 << UInt64(provider.models.count)) - 1
        scheduled = provider.outages.map { o in
            let mask = o.models.map { names in
                names.reduce(UInt64(0)) { m, name in m | (1 << UInt64(provider.models.firstIndex { $0.name == name }!)) }
            } ?? allModels
            return Interval(start: o.startNanos, end: o.startNanos + o.durationNanos, effect: o.effect, modelMask: mask)
        }.sorted { $0.start < $1.start }
        random = []
        if let r = provider.randomOutages {
            var t: Nanoseconds = 0
            // Each step adds at most two drawn gaps to a time before the run's end: inside the clock's range.
            while t < runEnd {
                t += Nanoseconds(drawnGapNanos: stream.exponential(mean: Double(r.meanTimeBetweenFailuresNanos)))
                guard t < runEnd else { break }
                let repair = max(Nanoseconds(drawnGapNanos: stream.exponential(mean: Double(r.meanTimeToRepairNanos))), 1)
                random.append(Interval(start: t, end: t + repair, effect: r.effect, modelMask: allModels))
                t += repair
            }
        }
    }

    /// The outage affecting model `modelIndex` at `now`, if any. O(s + log r).
    public func effect(at now: Nanoseconds, model modelIndex: Int) -> OutageEffect? {
        let bit: UInt64 = 1 << UInt64(modelIndex)
        for w in scheduled where w.start <= now && now < w.end && w.modelMask & bit != 0 { return w.effect }
        // Random intervals do not overlap: the candidate is the last one starting at or before `now`.
        var lo = 0, hi = random.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if random[mid].start <= now { lo = mid + 1 } else { hi = mid }
        }
        if lo > 0, now < random[lo - 1].end { return random[lo - 1].effect }
        return nil
    }

    /// The provider's outages as sorted, non-overlapping `[start, end)` intervals (overlapping scheduled
    /// windows merged), nanoseconds.
    public var mergedIntervals: [Range<Nanoseconds>] {
        (scheduled + random).sorted { $0.start < $1.start }.reduce(into: [Range<Nanoseconds>]()) { acc, i in
            if let last = acc.last, i.start <= last.upperBound {
                acc[acc.count - 1] = last.lowerBound..<max(last.upperBound, i.end)
            } else {
                acc.append(i.start..<max(i.start, i.end))
            }
        }
    }

    /// Share of each window of width `window` (from 0) covered by an outage of the provider, for `count` windows.
    public func coverage(windows count: Int, width window: Nanoseconds) -> [Double] {
        Self.coverage(of: mergedIntervals, windows: count, width: window)
    }

    /// Share of each of `count` windows of width `window` (from 0) covered by `intervals` (sorted, not
    /// overlapping, so that no window's share exceeds 1).
    public static func coverage(of intervals: [Range<Nanoseconds>], windows count: Int, width window: Nanoseconds) -> [Double] {
        var covered = [Double](repeating: 0, count: count)
        for interval in intervals {
            let (start, end) = (interval.lowerBound, interval.upperBound)
            var w = Int(start / window)
            while w < count, Nanoseconds(w) * window < end {
                let lo = max(start, Nanoseconds(w) * window), hi = min(end, Nanoseconds(w + 1) * window)
                if hi > lo { covered[w] += Double(hi - lo) / Double(window) }
                w += 1
            }
        }
        return covered
    }
}
