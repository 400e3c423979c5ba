#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NexusGateway
import NexusScenario

/// The time-varying rate of the synthetic arrival process, and piecewise-constant upper bounds of it for
/// thinning (Lewis & Shedler): within a segment the bound is constant, so candidate arrivals are a Poisson
/// process at the bound, each kept with probability rate/bound.
struct RateProfile: Sendable {
    static let secondsPerMonth = 30.436875 * 86_400
    static let secondsPerWeek = 7.0 * 86_400

    let daily: DailyProfile?
    let weekly: [Double]?
    let growthPerMonth: Double
    let spikes: [ArrivalSpike]
    /// Seconds from Monday 00:00 UTC of the start's week to simulated time 0.
    let weekOffsetSeconds: Double
    /// Whether segments must end at every wall-clock hour (the profile changes with the time of day).
    let hourlySegments: Bool
    /// Spike start and end times, seconds, sorted.
    let spikeBoundaries: [Double]
    /// Sinusoid amplitude a = (R − 1)/(R + 1).
    let amplitude: Double
    let peakHour: Double

    init(_ spec: RateProfileSpec, spikes: [ArrivalSpike] = []) {
        daily = spec.daily
        weekly = spec.weekly
        growthPerMonth = spec.growthPerMonth
        self.spikes = spikes
        let epochSeconds = spec.startEpochNanos / 1_000_000_000
        let sub = Double(spec.startEpochNanos % 1_000_000_000) / 1e9
        // 1970-01-01 was a Thursday: three days after a Monday.
        let week = Int64(Self.secondsPerWeek)
        weekOffsetSeconds = Double(((epochSeconds + 3 * 86_400) % week + week) % week) + sub
        hourlySegments = spec.daily != nil || spec.weekly != nil || spec.growthPerMonth != 0
        spikeBoundaries = spikes.flatMap { [Double($0.startNanos) / 1e9, Double($0.startNanos + $0.durationNanos) / 1e9] }.sorted()
        if case .sinusoid(let peak, let ratio) = spec.daily {
            amplitude = (ratio - 1) / (ratio + 1)
            peakHour = peak
        } else {
            amplitude = 0
            peakHour = 0
        }
    }

    /// The multiplier of the mean rate at simulated time `t` seconds.
    func multiplier(at t: Double) -> Double {
        let wall = weekOffsetSeconds + t
        var m = dailyMultiplier(hourOfDay: wall.truncatingRemainder(dividingBy: 86_400) / 3600)
        if let weekly { m *= weekly[Int(wall.truncatingRemainder(dividingBy: Self.secondsPerWeek) / 86_400) % 7] }
        if growthPerMonth != 0 { m *= growth(at: t) }
        return m * spikeMultiplier(at: t)
    }

    /// The spikes' multiplier at `t` nanoseconds (integer comparisons, for the spikes-only process).
    func spikeMultiplier(nanos t: Nanoseconds) -> Double {
        var m = 1.0
        var inSpike = false
        for s in spikes where t >= s.startNanos && t < s.startNanos + s.durationNanos {
            m = inSpike ? max(m, s.multiplier) : s.multiplier
            inSpike = true
        }
        return m
    }

    /// The spikes' multiplier at `t`: the largest of those in force, or 1 (constant within a segment).
    @inline(__always) func spikeMultiplier(at t: Double) -> Double {
        var m = 1.0
        var inSpike = false
        for s in spikes where t >= Double(s.startNanos) / 1e9 && t < Double(s.startNanos + s.durationNanos) / 1e9 {
            m = inSpike ? max(m, s.multiplier) : s.multiplier
            inSpike = true
        }
        return m
    }

    @inline(__always) func growth(at t: Double) -> Double { pow(1 + growthPerMonth, t / Self.secondsPerMonth) }

    private func dailyMultiplier(hourOfDay h: Double) -> Double {
        switch daily {
        case nil: 1
        case .hourly(let values): values[min(Int(h), 23)]
        case .sinusoid: sinusoid(h)
        }
    }

    @inline(__always) private func sinusoid(_ h: Double) -> Double { 1 + amplitude * cos(2 * .pi * (h - peakHour) / 24) }

    /// End of the segment that starts at `t`: the next wall-clock hour (when the profile depends on the time of
    /// day, week or growth) or spike boundary, whichever is first; `.infinity` when the multiplier never changes.
    func segmentEnd(after t: Double) -> Double {
        var end = Double.infinity
        if hourlySegments {
            let wall = weekOffsetSeconds + t
            end = t + (3600 - wall.truncatingRemainder(dividingBy: 3600))
            if end <= t { end = t + 3600 }
        }
        if let b = spikeBoundaries.first(where: { $0 > t }), b < end { end = b }
        return end
    }

    /// An upper bound of the multiplier on [t, end), where [t, end) lies within one segment.
    func bound(from t: Double, to end: Double) -> Double {
        var m: Double
        let wall = weekOffsetSeconds + t
        let h0 = wall.truncatingRemainder(dividingBy: 86_400) / 3600
        switch daily {
        case nil: m = 1
        case .hourly(let values): m = values[min(Int(h0), 23)]
        case .sinusoid:
            let h1 = h0 + (end - t) / 3600
            m = max(sinusoid(h0), sinusoid(h1))
            // The crest inside [h0, h1]?
            var crest = peakHour
            while crest < h0 { crest += 24 }
            if crest <= h1 { m = 1 + amplitude }
        }
        if let weekly { m *= weekly[Int(wall.truncatingRemainder(dividingBy: Self.secondsPerWeek) / 86_400) % 7] }
        if growthPerMonth != 0 { m *= max(growth(at: t), growth(at: end.isFinite ? end : t)) }
        return m * spikeMultiplier(at: t)
    }
}
