import Foundation
import NexusResults
import Testing

/// A clock the test moves by hand.
private final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds = 0.0
    var now: Double { lock.lock(); defer { lock.unlock() }; return seconds }
    func advance(_ s: Double) { lock.lock(); seconds += s; lock.unlock() }
}

@Suite struct ProgressMeterTests {
    static let day: Int64 = 86_400_000_000_000

    @Test func lineShowsEachRunningReplicationsDayAndTheCountDone() {
        let clock = ManualClock()
        let meter = ProgressMeter(clock: { clock.now })
        meter.addReplications(10, nanosEach: 31 * Self.day + 600_000_000_000, workers: 2)
        let a = meter.nextReplicationID(), b = meter.nextReplicationID()
        meter.begin(replication: a, label: 2, totalNanos: 31 * Self.day)
        meter.begin(replication: b, label: 3, totalNanos: 31 * Self.day)
        for _ in 0..<36 { clock.advance(0.1); meter.advance(replication: a, simulatedNanos: 31 * Self.day / 100, requests: 1000) }
        for _ in 0..<33 { clock.advance(0.1); meter.advance(replication: b, simulatedNanos: 31 * Self.day / 100, requests: 1000) }
        let line = meter.snapshot.line
        // 36 % of 31 days is 11.2 days: day 12; 33 % is 10.2 days: day 11. The 10-minute drain is not a day.
        #expect(line.hasPrefix("replication 3: day 12/31 · replication 4: day 11/31 · 0 of 10 done"), "\(line)")
    }

    @Test func anEarlyEstimateOfACenturyLongRunPrintsInsteadOfTrapping() {
        let clock = ManualClock()
        let meter = ProgressMeter(clock: { clock.now })
        let century = 36_525 * Self.day
        meter.addReplications(1, nanosEach: century, workers: 1)
        let a = meter.nextReplicationID()
        meter.begin(replication: a, label: 1, totalNanos: century)
        clock.advance(10)
        meter.advance(replication: a, simulatedNanos: 1, requests: 1)
        let snapshot = meter.snapshot
        // 10 s for 1 ns of 100 years: an estimate of ~3e19 s, beyond any integer count of seconds.
        #expect((snapshot.etaSeconds ?? 0) > 1e18)
        #expect(snapshot.line.hasSuffix("ETA –"), "\(snapshot.line)")
    }

    @Test func reservedPassesCountFromTheStart() {
        let meter = ProgressMeter(clock: { 0 })
        meter.reserve(20, nanosEach: Self.day)
        meter.addReplications(10, nanosEach: Self.day, workers: 2)
        #expect(meter.snapshot.replicationsTotal == 20 && meter.snapshot.totalSimulatedSeconds == 20 * 86_400)
        meter.addReplications(10, nanosEach: Self.day, workers: 2)
        #expect(meter.snapshot.replicationsTotal == 20)
        meter.addReplications(5, nanosEach: Self.day, workers: 2)
        #expect(meter.snapshot.replicationsTotal == 25 && meter.snapshot.totalSimulatedSeconds == 25 * 86_400)
    }

    /// A replication whose first half of simulated time takes 90 % of its wall time (a budget that blocks
    /// half-way makes the rest cheap): once one has finished, the others are estimated by its curve — not by
    /// the share of simulated time, which would say twice or more the time really left.
    @Test func etaFollowsTheShapeOfAFinishedReplication() throws {
        let clock = ManualClock()
        let meter = ProgressMeter(clock: { clock.now })
        meter.addReplications(2, nanosEach: 100, workers: 1)
        func runSteps(_ id: Int, _ steps: Range<Int>) {
            for step in steps {
                clock.advance(step < 50 ? 0.18 : 0.02)  // 9 s for the first half, 1 s for the second
                meter.advance(replication: id, simulatedNanos: 1, requests: 10)
            }
        }
        let first = meter.nextReplicationID()
        meter.begin(replication: first, label: 0, totalNanos: 100)
        runSteps(first, 0..<100)
        meter.end(replication: first)
        let second = meter.nextReplicationID()
        meter.begin(replication: second, label: 1, totalNanos: 100)
        runSteps(second, 0..<50)
        // Half of the second replication's simulated time is done, but 90 % of its work: 1 s is left.
        let eta = try #require(meter.snapshot.etaSeconds)
        #expect(abs(eta - 1) < 1e-6, "\(eta)")
        #expect(meter.snapshot.replicationsDone == 1)
    }

    @Test func etaBeforeAnyReplicationFinishesUsesTheRecentPace() throws {
        let clock = ManualClock()
        let meter = ProgressMeter(clock: { clock.now })
        meter.addReplications(1, nanosEach: 200, workers: 1)
        let id = meter.nextReplicationID()
        meter.begin(replication: id, label: 0, totalNanos: 200)
        // 40 steps slowly (1 s each), then the pace quadruples for 35 s; the last 30 s see only the fast pace.
        for _ in 0..<40 { clock.advance(1); meter.advance(replication: id, simulatedNanos: 1, requests: 1); _ = meter.snapshot }
        for _ in 0..<140 { clock.advance(0.25); meter.advance(replication: id, simulatedNanos: 1, requests: 1); _ = meter.snapshot }
        // 20 steps left at 4 steps/s: 5 s (the average since the start, 180 steps in 75 s, would say 8.3 s).
        let eta = try #require(meter.snapshot.etaSeconds)
        #expect(abs(eta - 5) < 0.5, "\(eta)")
    }
}
