import Foundation
import NexusGateway
import NexusScenario
import NexusSim
import Testing

private let second: Nanoseconds = 1_000_000_000
private let minute: Nanoseconds = 60 * second
private let hour: Nanoseconds = 60 * minute

/// The provider `p` (models `a`, `b`, `c`) with `extra` appended to its entry (indented by four spaces),
/// loaded through the scenario loader as the simulator gets it.
func providerSpec(_ extra: String) throws -> ProviderSpec {
    let text = """
        name: provider-test
        simulation:
          duration: 1h
        gateway:
          instances: 1
          concurrency: 1
        providers:
          - name: p
            classifications: [public]
            models:
              - {name: a, price: {input_per_mtok: $1, output_per_mtok: $1}, ttft: 1s}
              - {name: b, price: {input_per_mtok: $1, output_per_mtok: $1}, ttft: 1s}
              - {name: c, price: {input_per_mtok: $1, output_per_mtok: $1}, ttft: 1s}
        \(extra)
        tiers:
          - name: t
            models: [p/a]
        traffic:
          arrivals: {process: poisson, rate: 1/s}
          classes:
            - {name: c, share: 100%, tier: t, input_tokens: 10, output_tokens: 10}
        """
    return try ScenarioLoader.parse(text: text).providers[0]
}

/// Three scheduled windows, declared out of order.
private let scheduledYAML = """
        outages:
          - {start: 30m, duration: 10m, mode: degraded, latency_factor: 4, error_rate: 10%, models: [b]}
          - {start: 10m, duration: 5m, mode: down}
          - {start: 50m, duration: 1m, mode: throttled, retry_after: 20s, models: [a, c]}
    """

private func schedule(_ extra: String, runEnd: Nanoseconds = hour, seed: UInt64 = 1) throws -> OutageSchedule {
    OutageSchedule(provider: try providerSpec(extra), runEnd: runEnd, stream: RandomStream(runSeed: seed, name: "provider.p.outages"))
}

/// Total length of the union of `intervals`, clipped to [0, end).
private func unionLength(_ intervals: [OutageSchedule.Interval], clippedTo end: Nanoseconds) -> Nanoseconds {
    var total: Nanoseconds = 0
    var reach: Nanoseconds = 0
    for i in intervals.sorted(by: { $0.start < $1.start }) {
        let lo = max(i.start, reach), hi = min(i.end, end)
        if hi > lo { total += hi - lo }
        reach = max(reach, min(i.end, end))
    }
    return total
}

@Suite("OutageSchedule")
struct OutageScheduleTests {
    @Test("scheduled windows: sorted, start inclusive, end exclusive, per-model masks")
    func scheduledWindows() throws {
        let s = try schedule(scheduledYAML)
        #expect(s.scheduled.map(\.start) == [10 * minute, 30 * minute, 50 * minute])
        #expect(s.scheduled.map(\.end) == [15 * minute, 40 * minute, 51 * minute])
        #expect(s.scheduled.map(\.modelMask) == [0b111, 0b010, 0b101])
        #expect(s.random.isEmpty)

        let down = s.scheduled[0].effect
        #expect(down.mode == .down && down.errorRate == 1 && down.latencyFactor == 1)
        for model in 0..<3 {
            #expect(s.effect(at: 10 * minute - 1, model: model) == nil)
            #expect(s.effect(at: 10 * minute, model: model) == down)
            #expect(s.effect(at: 15 * minute - 1, model: model) == down)
            #expect(s.effect(at: 15 * minute, model: model) == nil)
        }
        let degraded = try #require(s.effect(at: 30 * minute, model: 1))
        #expect(degraded.mode == .degraded && degraded.latencyFactor == 4 && degraded.errorRate == 0.1)
        #expect(s.effect(at: 40 * minute - 1, model: 1) == degraded)
        #expect(s.effect(at: 40 * minute, model: 1) == nil)
        #expect(s.effect(at: 35 * minute, model: 0) == nil)
        #expect(s.effect(at: 35 * minute, model: 2) == nil)

        let throttled = try #require(s.effect(at: 50 * minute, model: 0))
        #expect(throttled.mode == .throttled && throttled.retryAfterSeconds == 20)
        #expect(s.effect(at: 50 * minute + 30 * second, model: 2) == throttled)
        #expect(s.effect(at: 50 * minute + 30 * second, model: 1) == nil)
        #expect(s.effect(at: 51 * minute, model: 0) == nil)
        #expect(s.effect(at: 0, model: 0) == nil)
    }

    @Test("scheduled windows take precedence over random outages")
    func precedence() throws {
        let s = try schedule("""
                outages:
                  - {start: 0, duration: 30m, mode: down, models: [b]}
                random_outages: {mtbf: 1m, mttr: 30s, mode: throttled}
            """)
        let random = try #require(s.random.first?.effect)
        let scheduled = s.scheduled[0].effect
        #expect(random.mode == .throttled && scheduled.mode == .down)
        #expect(s.random.count > 10)
        for interval in s.random {
            let mid = interval.start + (interval.end - interval.start) / 2
            // Model b: the scheduled window wins while it lasts.
            #expect(s.effect(at: mid, model: 1) == (mid < 30 * minute ? scheduled : random))
            #expect(s.effect(at: interval.start, model: 0) == random)
            #expect(s.effect(at: interval.end - 1, model: 2) == random)
        }
        // Between random outages only the scheduled window (for b) applies.
        for (previous, next) in zip(s.random, s.random.dropFirst()) where next.start > previous.end {
            let gap = previous.end + (next.start - previous.end) / 2
            #expect(s.effect(at: gap, model: 0) == nil)
            #expect(s.effect(at: previous.end, model: 0) == nil)
            #expect(s.effect(at: gap, model: 1) == (gap < 30 * minute ? scheduled : nil))
        }
    }

    @Test("random outages: sorted, non-overlapping, starting within the run, all models")
    func randomIntervals() throws {
        let runEnd = 48 * hour
        let s = try schedule("    random_outages: {mtbf: 20m, mttr: 2m, mode: degraded, latency_factor: 2}", runEnd: runEnd)
        #expect(s.scheduled.isEmpty)
        #expect(s.random.count > 50)
        for (i, interval) in s.random.enumerated() {
            #expect(interval.start >= 0 && interval.start < runEnd)
            #expect(interval.end > interval.start)
            #expect(interval.modelMask == 0b111)
            #expect(interval.effect.mode == .degraded && interval.effect.latencyFactor == 2 && interval.effect.errorRate == 0.2)
            if i > 0 { #expect(interval.start >= s.random[i - 1].end) }
        }
    }

    @Test("outages as rare and long as the limits allow stay inside the clock over the longest run")
    func longestRunWithRareLongOutages() throws {
        // 100 years, the scenario's longest duration: an exponential draw of a 100-year MTBF passes the clock's
        // 292 years about one time in 18, so over 200 seeds the clamp is reached many times.
        let century: Nanoseconds = 36_525 * 24 * hour
        var clampedRepairs = 0
        for seed in UInt64(1)...200 {
            let s = try schedule("    random_outages: {mtbf: 36525d, mttr: 36525d, mode: down}", runEnd: century, seed: seed)
            for interval in s.random {
                #expect(interval.start >= 0 && interval.start < century && interval.end > interval.start)
                if interval.end - interval.start == Nanoseconds(4.7e18) { clampedRepairs += 1 }
            }
        }
        #expect(clampedRepairs > 0)
    }

    @Test("random outages are a function of the seed")
    func determinism() throws {
        let extra = "    random_outages: {mtbf: 10m, mttr: 1m, mode: down}"
        #expect(try schedule(extra, seed: 7).random == schedule(extra, seed: 7).random)
        #expect(try schedule(extra, seed: 7).random != schedule(extra, seed: 8).random)
    }

    @Test("mean up and down times match MTBF and MTTR within 5 standard errors", arguments: [
        (hour, 10 * minute), (10 * minute, 10 * minute), (30 * second, 2 * hour),
    ])
    func meanDurations(mtbf: Nanoseconds, mttr: Nanoseconds) throws {
        let runEnd = 20_000 * (mtbf + mttr)
        let s = try schedule("    random_outages: {mtbf: \(mtbf / second)s, mttr: \(mttr / second)s, mode: down}", runEnd: runEnd)
        let ups = s.random.indices.map { i in Double(s.random[i].start - (i == 0 ? 0 : s.random[i - 1].end)) }
        let downs = s.random.map { Double($0.end - $0.start) }
        let n = Double(s.random.count)
        #expect(n > 19_000 && n < 21_000)
        // Exponential durations: the standard deviation equals the mean.
        let meanUp = ups.reduce(0, +) / n, meanDown = downs.reduce(0, +) / n
        #expect(abs(meanUp - Double(mtbf)) < 5 * Double(mtbf) / n.squareRoot(), "mean up \(meanUp / 1e9) s")
        #expect(abs(meanDown - Double(mttr)) < 5 * Double(mttr) / n.squareRoot(), "mean down \(meanDown / 1e9) s")
    }

    @Test("coverage per window adds up to the total outage time")
    func coverageSums() throws {
        let runEnd = 24 * hour
        let s = try schedule(scheduledYAML + "\n    random_outages: {mtbf: 15m, mttr: 3m, mode: throttled}", runEnd: runEnd)
        for width in [minute, 7 * minute, hour] {
            let count = Int(runEnd / width)
            let coverage = s.coverage(windows: count, width: width)
            #expect(coverage.count == count)
            #expect(coverage.allSatisfy { $0 >= 0 && $0 <= 1 + 1e-12 })
            let covered = coverage.reduce(0, +) * Double(width)
            let expected = Double(unionLength(s.scheduled + s.random, clippedTo: Nanoseconds(count) * width))
            #expect(abs(covered - expected) <= 1e-9 * expected, "width \(width)")
        }
    }

    @Test("coverage of scheduled windows, overlapping ones merged")
    func coverageExact() throws {
        let s = try schedule("""
                outages:
                  - {start: 10m, duration: 5m, mode: down}
                  - {start: 12m, duration: 2m, mode: degraded, models: [b]}
            """)
        // Windows of 4 minutes: [8, 12) half covered, [12, 16) three quarters.
        #expect(s.coverage(windows: 5, width: 4 * minute) == [0, 0, 0.5, 0.75, 0])
        #expect(s.coverage(windows: 2, width: 4 * minute) == [0, 0])
        #expect(s.coverage(windows: 1, width: hour) == [5.0 / 60])
    }
}
