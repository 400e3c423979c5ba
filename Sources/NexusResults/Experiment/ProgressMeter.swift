import Foundation

/// Progress of running replications, shared by the worker threads: simulated time done out of the total,
/// and requests simulated. Readers take a ``Snapshot`` (e.g. a terminal progress line every half second).
public final class ProgressMeter: @unchecked Sendable {
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

        /// Share done, 0–1.
        public var fractionDone: Double { totalSimulatedSeconds > 0 ? min(simulatedSeconds / totalSimulatedSeconds, 1) : 0 }
        /// Simulated requests per wall-clock second.
        public var requestsPerSecond: Double { elapsedSeconds > 0 ? Double(requests) / elapsedSeconds : 0 }
        /// Estimated wall-clock seconds left, from the pace so far; `nil` before any progress.
        public var etaSeconds: Double? {
            fractionDone > 0 ? elapsedSeconds * (1 - fractionDone) / fractionDone : nil
        }

        /// `simulated 3h12m of 24h00m (13 %) · 1.2M requests/s · ETA 0:42`.
        public var line: String {
            let rate = requestsPerSecond >= 1e6 ? String(format: "%.1fM", requestsPerSecond / 1e6)
                : String(format: "%.0fk", requestsPerSecond / 1e3)
            let eta = etaSeconds.map { String(format: "%d:%02d", Int($0) / 60, Int($0) % 60) } ?? "–"
            return "simulated \(Self.clock(simulatedSeconds)) of \(Self.clock(totalSimulatedSeconds)) "
                + String(format: "(%.0f %%)", fractionDone * 100) + " · \(rate) requests/s · ETA \(eta)"
        }

        static func clock(_ seconds: Double) -> String {
            let s = Int(seconds)
            return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s % 3600 / 60) : String(format: "%dm%02ds", s / 60, s % 60)
        }
    }

    private let lock = NSLock()
    private var doneNanos: Int64 = 0
    private var totalNanos: Int64 = 0
    private var requests = 0
    private let started = ContinuousClock.now

    public init() {}

    /// Adds simulated time still to do (replications about to run).
    public func addWork(_ nanos: Int64) {
        lock.lock(); totalNanos += nanos; lock.unlock()
    }

    /// Records simulated time and requests just completed by one worker.
    public func advance(simulatedNanos: Int64, requests: Int) {
        lock.lock()
        doneNanos += simulatedNanos
        self.requests += requests
        lock.unlock()
    }

    public var snapshot: Snapshot {
        lock.lock()
        defer { lock.unlock() }
        let elapsed = ContinuousClock.now - started
        return Snapshot(simulatedSeconds: Double(doneNanos) / 1e9, totalSimulatedSeconds: Double(totalNanos) / 1e9,
                        requests: requests,
                        elapsedSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
