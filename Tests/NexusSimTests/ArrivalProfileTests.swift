import Foundation
import NexusScenario
import NexusSim
import Testing

/// Time-varying Poisson arrivals (thinning), spikes, growth and MMPP: counts against their exact expectations,
/// with tolerances from the Poisson (or MMPP) variance of the counts.
@Suite struct ArrivalProfileTests {
    static let oneClass = "  classes: [{name: x, share: 100%, tier: a, input_tokens: 10, output_tokens: 1}]"

    static func arrivals(_ arrivals: String, duration: String, seed: UInt64 = 1, start: String = "2026-11-02T00:00:00Z") throws -> [Arrival] {
        TrafficFixtures.arrivals(try TrafficFixtures.scenario(duration: duration, start: start, traffic: "  arrivals: \(arrivals)\n\(oneClass)"),
                                 seed: seed)
    }

    /// Counts per bucket of `width` seconds.
    static func counts(_ arrivals: [Arrival], width: Double, buckets: Int) -> [Int] {
        var c = [Int](repeating: 0, count: buckets)
        for a in arrivals { c[min(Int(Double(a.time) / 1e9 / width), buckets - 1)] += 1 }
        return c
    }

    @Test func peakToTroughShowsInThePerMinuteArrivalSeriesWithin5Percent() throws {
        // One day at a mean 40/s, peak 14:00, ratio 4, through the whole simulation (the JSON's series).
        let scenario = try TrafficFixtures.scenario(duration: "24h", traffic: """
              arrivals: {process: poisson, rate: 40/s, daily_profile: {peak_hour: 14, peak_to_trough: 4}}
            \(Self.oneClass)
            """)
        let s = TrafficFixtures.run(scenario)
        let perMinute = s.series.arrivals
        #expect(perMinute.count >= 1440)
        // The 11 minutes around the crest (14:00) and the trough (02:00); the sinusoid varies by < 0.05 % over ±5 min.
        func mean(around minute: Int) -> Double {
            Double((minute - 5...minute + 5).reduce(0) { $0 + perMinute[$1] }) / 11
        }
        let peak = mean(around: 14 * 60), trough = mean(around: 2 * 60)
        let ratio = peak / trough
        #expect(abs(ratio - 4) / 4 < 0.05, "peak/trough \(ratio)")
        // And the exact levels: a = 3/5, so the crest is 1.6 × and the trough 0.4 × the mean 2400/min.
        #expect(abs(peak - 3840) < 4 * (3840.0 / 11).squareRoot())
        #expect(abs(trough - 960) < 4 * (960.0 / 11).squareRoot())
        // The profile has mean 1: the day's total is the mean rate × 86 400 s.
        let expected = 40.0 * 86_400
        #expect(abs(Double(s.requestsSimulated) - expected) < 4 * expected.squareRoot())
    }

    @Test func hourlyAndWeeklyProfilesAreNormalisedAndFollowed() throws {
        // Hours 0–11 weight 1, hours 12–23 weight 3 (normalised: 0.5 and 1.5); weekdays 2, weekend 1
        // (normalised: 7/12 × ...). Time 0 is a Wednesday (start 2026-11-04).
        var hourly = [Double](repeating: 1, count: 12) + [Double](repeating: 3, count: 12)
        let weekly = [2.0, 2, 2, 2, 2, 1, 1]
        let a = try Self.arrivals("""
            {process: poisson, rate: 2/s, daily_profile: {hourly: \(hourly)}, weekly_profile: \(weekly)}
            """, duration: "7d", start: "2026-11-04T00:00:00Z")
        hourly = hourly.map { $0 / 2 }
        let weeklyNorm = weekly.map { $0 * 7 / 12 }
        let perDay = Self.counts(a, width: 86_400, buckets: 7)
        for day in 0..<7 {
            let weekday = (day + 2) % 7  // Wednesday first
            let expected = 2 * 86_400 * weeklyNorm[weekday]
            #expect(abs(Double(perDay[day]) - expected) < 4 * expected.squareRoot(), "day \(day)")
        }
        let perHour = Self.counts(a, width: 3600, buckets: 168)
        for hour in 0..<24 {
            let observed = (0..<7).reduce(0) { $0 + perHour[$1 * 24 + hour] }
            let expected = (0..<7).reduce(0.0) { $0 + 2 * 3600 * hourly[hour] * weeklyNorm[($1 + 2) % 7] }
            #expect(abs(Double(observed) - expected) < 4 * expected.squareRoot(), "hour \(hour)")
        }
    }

    /// Both generators: constant rate with spikes only (candidates at the peak rate over the whole run), and
    /// spikes on a profile (a negligible growth forces the segment-wise thinning).
    @Test(arguments: ["", ", growth_per_month: 0.000001%"])
    func spikesMultiplyTheRateForTheirDurationAndTheLargestWinsWhereTheyOverlap(_ profile: String) throws {
        let a = try Self.arrivals("""
            {process: poisson, rate: 10/s\(profile), spikes: [{start: 10m, duration: 5m, multiplier: 6}, {start: 12m, duration: 1m, multiplier: 9}]}
            """, duration: "20m")
        let perMinute = Self.counts(a, width: 60, buckets: 20)
        // Minute 12: spikes × 6 and × 9 overlap; the largest applies (the autoscaling issue's rule), not 54.
        for (minute, multiplier) in [(5, 1.0), (10, 6), (11, 6), (12, 9), (13, 6), (14, 6), (15, 1)] {
            let expected = 600 * multiplier
            #expect(abs(Double(perMinute[minute]) - expected) < 4 * expected.squareRoot(), "minute \(minute)")
        }
    }

    @Test func growthCompoundsPerMonth() throws {
        // 20 % a month over two months: expected count r·M/ln(1.2)·(1.2^2 − 1).
        let a = try Self.arrivals("{process: poisson, rate: 0.2/s, growth_per_month: 20%}", duration: "60.87375d")
        let month = 30.436875 * 86_400
        let expected = 0.2 * month / log(1.2) * (1.44 - 1)
        #expect(abs(Double(a.count) - expected) < 4 * expected.squareRoot())
        let firstDay = a.filter { $0.time < 86_400_000_000_000 }.count
        let lastDay = a.filter { Double($0.time) / 1e9 >= 2 * month - 86_400 }.count
        let ratio = Double(lastDay) / Double(firstDay)
        #expect(abs(ratio - 1.44) < 0.06, "last/first day \(ratio)")
    }

    @Test func mmppAlternatesBetweenOnAndOffRates() throws {
        // On 20/s for 1 min on average, off 0/s for 4 min: mean 4/s; bursty.
        let arrivals = "{process: mmpp, on_rate: 20/s, off_rate: 0, mean_on: 1m, mean_off: 4m}"
        let days = 5.0
        let a = try Self.arrivals(arrivals, duration: "\(days)d")
        let t = days * 86_400
        let (on, off, mOn, mOff) = (20.0, 0.0, 60.0, 240.0)
        let mean = (on * mOn + off * mOff) / (mOn + mOff)
        // Asymptotic variance of an MMPP count: λ̄t + 2(λ₁−λ₀)²π₁π₀ t/(α+β), α = 1/mOn, β = 1/mOff.
        let pOn = mOn / (mOn + mOff)
        let variance = mean * t + 2 * pow(on - off, 2) * pOn * (1 - pOn) * t / (1 / mOn + 1 / mOff)
        #expect(abs(Double(a.count) - mean * t) < 4 * variance.squareRoot(), "\(a.count) vs \(mean * t)")
        // Bursty: most minutes are silent, and the per-minute counts are far more dispersed than Poisson.
        let perMinute = Self.counts(a, width: 60, buckets: Int(t / 60)).map(Double.init)
        let m = perMinute.reduce(0, +) / Double(perMinute.count)
        let v = perMinute.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(perMinute.count - 1)
        #expect(v / m > 50, "index of dispersion \(v / m)")
        #expect(Double(perMinute.filter { $0 == 0 }.count) / Double(perMinute.count) > 0.6)
    }

    @Test func constantPoissonIsUnchangedAndTheSameSeedGivesTheSameTraffic() throws {
        let spec = "{process: poisson, rate: 5/s, daily_profile: {peak_hour: 3, peak_to_trough: 2}, spikes: [{start: 1h, duration: 1h, multiplier: 3}]}"
        let a = try Self.arrivals(spec, duration: "6h")
        let b = try Self.arrivals(spec, duration: "6h")
        #expect(a.map(\.time) == b.map(\.time) && a.map(\.inputTokens) == b.map(\.inputTokens))
        let c = try Self.arrivals(spec, duration: "6h", seed: 2)
        #expect(a.map(\.time) != c.map(\.time))
        // A plain Poisson process: exponential gaps of mean 1/rate (mean within 4 standard errors).
        let plain = try Self.arrivals("{process: poisson, rate: 5/s}", duration: "2h")
        let gaps = zip(plain.dropFirst(), plain).map { Double($0.time - $1.time) / 1e9 }
        let meanGap = gaps.reduce(0, +) / Double(gaps.count)
        #expect(abs(meanGap - 0.2) < 4 * 0.2 / Double(gaps.count).squareRoot())
    }
}
