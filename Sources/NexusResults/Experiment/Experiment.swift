import Dispatch
import Foundation
import NexusScenario
import NexusSim

/// Runs the replications of a scenario in parallel and collects their summaries in replication order.
///
/// Each replication derives its run seed from the base seed and its index, owns all of its state, and
/// shares only the read-only plan; so the results are identical whatever the number of threads. Two plans
/// run with the same base seed and indices see the same random numbers (common random numbers).
public enum Experiment {
    /// One replication to run: replication `replication` of `plans[plan]`.
    public struct Job: Sendable, Hashable {
        public var plan: Int
        public var replication: Int
        public init(plan: Int, replication: Int) {
            self.plan = plan
            self.replication = replication
        }
    }

    /// Runs `replications` replications of `plan` starting from `seed`.
    /// - Parameter threads: worker threads; `nil` uses every core.
    public static func run(
        plan: SimulationPlan, seed: UInt64, replications: Int, threads: Int? = nil, progress: ProgressMeter? = nil
    ) -> [RunSummary] {
        precondition(replications >= 1)
        return run(plans: [plan], seed: seed, jobs: (0..<replications).map { Job(plan: 0, replication: $0) },
                   threads: threads, progress: progress)
    }

    /// Runs `jobs` (replications of several plans, e.g. the points of a sweep) on one pool of workers, and
    /// returns their summaries in the order of `jobs`.
    public static func run(
        plans: [SimulationPlan], seed: UInt64, jobs: [Job], threads: Int? = nil, progress: ProgressMeter? = nil
    ) -> [RunSummary] {
        guard !jobs.isEmpty else { return [] }
        let results = ResultSlots(count: jobs.count)
        let workers = min(jobs.count, max(threads ?? ProcessInfo.processInfo.activeProcessorCount, 1))
        if let progress {
            for (plan, count) in Dictionary(grouping: jobs, by: \.plan).mapValues(\.count).sorted(by: { $0.key < $1.key }) {
                progress.addReplications(count, nanosEach: plans[plan].runEndNanos, workers: workers)
            }
        }
        // Workers take jobs in order; each writes only its own slot.
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let index = next.take(below: jobs.count) {
                let job = jobs[index]
                let simulation = Simulation(plan: plans[job.plan], baseSeed: seed, replication: job.replication)
                results.store(run(simulation, progress: progress, id: progress?.nextReplicationID(), label: job.replication), at: index)
            }
        }
        return results.values
    }

    /// Runs one replication, in steps of 1 % of its simulated time when progress is reported (stepping gives
    /// exactly the same result as one call).
    private static func run(_ simulation: consuming Simulation, progress: ProgressMeter?, id: Int?, label: Int) -> RunSummary {
        guard let progress, let id else { return simulation.run() }
        let end = simulation.endTime
        progress.begin(replication: id, label: label, totalNanos: end)
        defer { progress.end(replication: id) }
        var reached: Int64 = 0
        var requests = 0
        for i in 1...Int64(ProgressMeter.steps) {
            // Exactly `steps` steps, target = end × i / steps computed without overflowing Int64.
            let target = end / Int64(ProgressMeter.steps) * i + end % Int64(ProgressMeter.steps) * i / Int64(ProgressMeter.steps)
            guard target > reached else { continue }
            simulation.run(until: target)
            let simulated = simulation.requestsSimulatedSoFar
            progress.advance(replication: id, simulatedNanos: target - reached, requests: simulated - requests)
            reached = target
            requests = simulated
        }
        return simulation.finish()
    }
}

extension SimulationPlan {
    /// Simulated time one replication covers: the duration plus the drain period, in nanoseconds.
    var runEndNanos: Int64 { scenario.simulation.durationNanos + scenario.simulation.drainNanos }
}

/// Per-index result storage written by several threads, each index by exactly one.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [RunSummary?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ summary: RunSummary, at index: Int) {
        lock.lock()
        slots[index] = summary
        lock.unlock()
    }

    var values: [RunSummary] { slots.map { $0! } }
}

/// A shared work counter.
private final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}
