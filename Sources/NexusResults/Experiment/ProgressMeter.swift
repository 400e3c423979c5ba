import Foundation

/// Progress of running replications, shared by the worker threads: which replications are running and how
/// far each has got in simulated time, how many are done, and requests simulated. Readers take a
/// ``Snapshot`` (e.g. a terminal progress line every half second).
///
/// The time left is estimated from the wall-clock cost of simulated time as measured so far, not assumed
/// constant: simulated time is not uniform work (a weekend has less traffic than a weekday, and once a budget
/// blocks, refused requests cost a fraction of served ones). Once a replication has finished, its own
/// wall-clock curve (the share of its wall time spent by each 1 % of simulated time) weighs the progress of
/// the others, so the estimate follows the shape of a replication; before that, the pace of the last
/// ``recentWindowSeconds`` is extrapolated rather than the average since the start.
public final class ProgressMeter: @unchecked Sendable {
    /// A replication in progress: its index and the simulated seconds it has reached.
    public struct Running: Sendable, Hashable {
        public var replication: Int
        public var simulatedSeconds: Double
    }

    /// Progress at one moment.
    public struct Snapshot: Sendable, Hashable {
        /// Simulated time done over all replications, seconds.
        public var simulatedSeconds: Double
        /// Simulated time of all replications scheduled so far, seconds.
        public var totalSimulatedSeconds: Double
        /// Requests simulated so far (warm-up included).
        public var requests: Int
        /// Wall-clock seconds since the meter was created.
        public var elapsedSeconds: Double
        /// Replications scheduled so far, and finished.
        public var replicationsTotal = 0
        public var replicationsDone = 0
        /// The running replications, by index, with the simulated seconds each has reached, ascending by index.
        public var running: [Running] = []
        /// Simulated seconds one replication covers (the longest scheduled), for the "day d of D" display.
        public var replicationSeconds = 0.0
        /// Estimated wall-clock seconds left; `nil` before any progress.
        public var etaSeconds: Double?

        /// Share of simulated time done, 0–1.
        public var fractionDone: Double { totalSimulatedSeconds > 0 ? min(simulatedSeconds / totalSimulatedSeconds, 1) : 0 }
        /// Simulated requests per wall-clock second.
        public var requestsPerSecond: Double { elapsedSeconds > 0 ? Double(requests) / elapsedSeconds : 0 }

        /// `replication 3 of 10 at day 12 of 31, 2 done (24 %) · 1.2M requests/s · ETA 4:12`; runs shorter than
        /// two days show the clock (`simulated 3h12m of 24h00m`) instead of days.
        public var line: String {
            let rate = requestsPerSecond >= 1e6 ? String(format: "%.1fM", requestsPerSecond / 1e6)
                : String(format: "%.0fk", requestsPerSecond / 1e3)
            let eta = etaSeconds.map(Self.duration) ?? "–"
            // Days when a replication covers two or more (its drain period, minutes, is not a day of its own).
            let days = max(Int(replicationSeconds / 86_400), 1)
            func at(_ s: Double) -> String {
                replicationSeconds >= 2 * 86_400 ? "day \(min(Int(s / 86_400) + 1, days))/\(days)"
                    : Self.clock(s) + "/" + Self.clock(replicationSeconds)
            }
            var parts: [String]
            if replicationsTotal <= 1 {
                parts = ["simulated " + at(running.first?.simulatedSeconds ?? simulatedSeconds)]
            } else {
                parts = running.prefix(3).map { "replication \($0.replication + 1): \(at($0.simulatedSeconds))" }
                if running.count > 3 { parts.append("\(running.count - 3) more running") }
                parts.append("\(replicationsDone) of \(replicationsTotal) done")
            }
            return parts.joined(separator: " · ") + String(format: " (%.0f %%)", fractionDone * 100) + " · \(rate) requests/s · ETA \(eta)"
        }

        static func clock(_ seconds: Double) -> String {
            let s = Int(seconds)
            return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s % 3600 / 60) : String(format: "%dm%02ds", s / 60, s % 60)
        }

        /// `0:42`, `12:05`, `1:02:03`; `–` for an estimate that is not finite or beyond 10^9 s (an early
        /// estimate of a very long run can be), which no integer conversion should meet.
        static func duration(_ seconds: Double) -> String {
            guard seconds.isFinite, abs(seconds) < 1e9 else { return "–" }
            let s = Int(seconds.rounded())
            return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s % 3600 / 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
        }
    }

    /// How far back the pace is measured before any replication has finished, wall-clock seconds.
    public static let recentWindowSeconds = 30.0
    /// Steps a replication's progress is reported in (see ``Experiment``).
    public static let steps = 100

    private struct Active {
        var label: Int
        var doneNanos: Int64 = 0
        var totalNanos: Int64
        var step = 0
        var startedAt: Double
        /// Wall-clock seconds since the start of the replication at the end of each step.
        var wallAtStep: [Double] = []
    }

    private let lock = NSLock()
    private var doneNanos: Int64 = 0
    private var totalNanos: Int64 = 0
    private var requests = 0
    private var replicationsTotal = 0
    private var replicationsDone = 0
    private var active: [Int: Active] = [:]
    /// Wall-clock share of a finished replication spent by the end of step i (mean over finished ones).
    private var curve: [Double] = []
    private var curves = 0
    /// Mean wall-clock seconds of a finished replication, and how many steps remain in unstarted ones.
    private var meanReplicationWall = 0.0
    private var maxReplicationNanos: Int64 = 0
    private var workers = 1
    private var nextID = 0
    private var reserved = 0
    /// (elapsed, done nanos) samples for the recent pace.
    private var history: [(elapsed: Double, done: Int64)] = []
    private let clock: @Sendable () -> Double

    /// A meter timed by the wall clock from now.
    public convenience init() {
        let started = ContinuousClock.now
        self.init(clock: {
            let e = ContinuousClock.now - started
            return Double(e.components.seconds) + Double(e.components.attoseconds) / 1e18
        })
    }

    /// A meter timed by `clock` (seconds since the meter started), e.g. a test's own clock.
    public init(clock: @escaping @Sendable () -> Double) {
        self.clock = clock
    }

    private var elapsed: Double { clock() }

    /// Adds simulated time still to do (replications about to run), without naming them.
    public func addWork(_ nanos: Int64) {
        lock.lock(); totalNanos += nanos; lock.unlock()
    }

    /// Adds `count` replications of `nanos` simulated time each to the work still to do, run by `workers`
    /// threads.
    public func addReplications(_ count: Int, nanosEach nanos: Int64, workers: Int) {
        lock.lock()
        self.workers = max(workers, 1)
        // Replications announced by `reserve` are already counted.
        let announced = min(count, reserved)
        reserved -= announced
        totalNanos += Int64(count - announced) * nanos
        replicationsTotal += count - announced
        maxReplicationNanos = max(maxReplicationNanos, nanos)
        lock.unlock()
    }

    /// Announces `count` replications of `nanos` each that will run in this and later passes (e.g. a run and its
    /// second pass), so that the share done and the time left cover all of them from the start; the next
    /// ``addReplications(_:nanosEach:workers:)`` calls take theirs from this reservation instead of adding them.
    public func reserve(_ count: Int, nanosEach nanos: Int64) {
        lock.lock()
        reserved += count
        totalNanos += Int64(count) * nanos
        replicationsTotal += count
        maxReplicationNanos = max(maxReplicationNanos, nanos)
        lock.unlock()
    }

    /// A fresh id for ``begin(replication:label:totalNanos:)``, unique within the meter.
    public func nextReplicationID() -> Int {
        lock.lock()
        defer { lock.unlock() }
        nextID += 1
        return nextID - 1
    }

    /// Marks replication job `id` (from ``nextReplicationID()``) as started: replication index `label`,
    /// covering `totalNanos` simulated time.
    public func begin(replication id: Int, label: Int, totalNanos: Int64) {
        lock.lock()
        active[id] = Active(label: label, totalNanos: totalNanos, startedAt: elapsed)
        lock.unlock()
    }

    /// Records simulated time and requests just completed by one worker (in a replication not named).
    public func advance(simulatedNanos: Int64, requests: Int) {
        lock.lock()
        doneNanos += simulatedNanos
        self.requests += requests
        lock.unlock()
    }

    /// Records that replication `id` has reached one more of its ``steps``.
    public func advance(replication id: Int, simulatedNanos: Int64, requests: Int) {
        lock.lock()
        doneNanos += simulatedNanos
        self.requests += requests
        if var a = active[id] {
            a.doneNanos += simulatedNanos
            a.step += 1
            a.wallAtStep.append(elapsed - a.startedAt)
            active[id] = a
        }
        lock.unlock()
    }

    /// Marks replication `id` finished; its wall-clock curve then shapes the estimate for the others.
    public func end(replication id: Int) {
        lock.lock()
        if let a = active.removeValue(forKey: id), let wall = a.wallAtStep.last, wall > 0, !a.wallAtStep.isEmpty {
            let shares = (0..<Self.steps).map { a.wallAtStep[min($0 * a.wallAtStep.count / Self.steps, a.wallAtStep.count - 1)] / wall }
            curve = curves == 0 ? shares : zip(curve, shares).map { ($0 * Double(curves) + $1) / Double(curves + 1) }
            meanReplicationWall = (meanReplicationWall * Double(curves) + wall) / Double(curves + 1)
            curves += 1
        }
        replicationsDone += 1
        lock.unlock()
    }

    public var snapshot: Snapshot {
        lock.lock()
        defer { lock.unlock() }
        let now = elapsed
        history.append((now, doneNanos))
        while let first = history.first, now - first.elapsed > Self.recentWindowSeconds, history.count > 2 { history.removeFirst() }
        let running = active.sorted { $0.key < $1.key }.map { Running(replication: $0.value.label, simulatedSeconds: Double($0.value.doneNanos) / 1e9) }
        var snapshot = Snapshot(simulatedSeconds: Double(doneNanos) / 1e9, totalSimulatedSeconds: Double(totalNanos) / 1e9,
                                requests: requests, elapsedSeconds: now, replicationsTotal: replicationsTotal,
                                replicationsDone: replicationsDone, running: running,
                                replicationSeconds: Double(maxReplicationNanos) / 1e9)
        snapshot.etaSeconds = eta(now: now)
        return snapshot
    }

    /// Seconds left (lock held).
    private func eta(now: Double) -> Double? {
        guard doneNanos > 0, totalNanos > doneNanos else { return doneNanos > 0 ? 0 : nil }
        if curves > 0, replicationsTotal > 0 {
            // Work in units of "one replication's wall time": what the running ones have left by the curve,
            // plus the replications not started; shared among as many workers as are running.
            let remainders = active.values.map { a in 1 - (a.step == 0 ? 0 : curve[min(a.step, curve.count) - 1]) }
            let unstarted = Double(max(replicationsTotal - replicationsDone - active.count, 0))
            // The last replications run side by side: the time left is the longest remainder, not their sum.
            if unstarted == 0 { return (remainders.max() ?? 0) * meanReplicationWall }
            return (remainders.reduce(0, +) + unstarted) * meanReplicationWall / Double(workers)
        }
        // No replication finished yet: extrapolate the recent pace.
        guard let first = history.first, now - first.elapsed > 1, doneNanos > first.done else {
            let f = Double(doneNanos) / Double(totalNanos)
            return now * (1 - f) / f
        }
        let pace = Double(doneNanos - first.done) / (now - first.elapsed)
        return Double(totalNanos - doneNanos) / pace
    }
}
