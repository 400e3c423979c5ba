import Dispatch
import Foundation
import NexusScenario
import NexusSim

/// Runs the replications of a scenario in parallel and collects their summaries in replication order.
///
/// Each replication derives its run seed from the base seed and its index, owns all of its state, and
/// shares only the read-only plan; so the results are identical whatever the number of threads.
public enum Experiment {
    /// Runs `replications` replications of `plan` starting from `seed`.
    /// - Parameter threads: worker threads; `nil` uses every core.
    public static func run(
        plan: SimulationPlan, seed: UInt64, replications: Int, threads: Int? = nil
    ) -> [RunSummary] {
        precondition(replications >= 1)
        let results = ResultSlots(count: replications)
        let workers = min(replications, max(threads ?? ProcessInfo.processInfo.activeProcessorCount, 1))
        // Workers take replications in index order; each writes only its own slot.
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let index = next.take(below: replications) {
                let simulation = Simulation(plan: plan, baseSeed: seed, replication: index)
                results.store(simulation.run(), at: index)
            }
        }
        return results.values
    }
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
