import ArgumentParser
import Foundation
import NexusResults
import NexusScenario

/// Options shared by every command that runs replications: seed, replications, precision, threads, progress.
struct ExperimentOptions: ParsableArguments {
    @Option(help: "Run seed (default: the scenario's simulation.seed).")
    var seed: UInt64?

    @Option(help: "Independent replications, run in parallel (default: the scenario's simulation.replications).")
    var replications: Int?

    @Option(help: ArgumentHelp("Add replications until the p95 latency's 95 % interval half-width is within this share of its mean.",
                               valueName: "PERCENT"))
    var precision: String?

    @Option(help: "Most replications --precision may use.")
    var maxReplications = 200

    @Option(help: "Worker threads for replications (default: all cores).")
    var threads: Int?

    @Flag(help: "No progress line on stderr (it is shown only when stderr is a terminal).")
    var quiet = false

    func validate() throws {
        let replicationRange = SimulationSettings.replicationRange, threadRange = SimulationSettings.threadRange
        if let replications, !replicationRange.contains(replications) {
            throw ValidationError("--replications must be from \(replicationRange.lowerBound) to \(replicationRange.upperBound), found \(replications)")
        }
        if let threads, !threadRange.contains(threads) {
            throw ValidationError("--threads must be from \(threadRange.lowerBound) to \(threadRange.upperBound), found \(threads)")
        }
        if !(2...replicationRange.upperBound).contains(maxReplications) {
            throw ValidationError("--max-replications must be from 2 to \(replicationRange.upperBound), found \(maxReplications)")
        }
        if let precision, relativePrecision(precision) == nil {
            throw ValidationError("--precision expects a percentage above 0 such as 2% or a fraction such as 0.02, found '\(precision)'")
        }
    }

    private func relativePrecision(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let value = t.hasSuffix("%") ? Double(t.dropLast()).map { $0 / 100 } : Double(t)
        guard let value, value > 0, value < 1 else { return nil }
        return value
    }

    /// The replication policy for `scenario`; `minimum` raises the replication count (e.g. 2 for intervals).
    func policy(for scenario: Scenario, defaultReplications: Int? = nil) -> ReplicationPolicy {
        ReplicationPolicy(
            replications: replications ?? defaultReplications ?? scenario.simulation.replications,
            relativePrecision: precision.flatMap(relativePrecision),
            maxReplications: maxReplications, threads: threads)
    }

    func seed(for scenario: Scenario) -> UInt64 { seed ?? scenario.simulation.seed }

    /// Runs `body` with a progress meter drawn on stderr when it is a terminal and not `--quiet`.
    func withProgress<T>(_ body: (ProgressMeter?) throws -> T) rethrows -> T {
        guard !quiet, isatty(STDERR_FILENO) == 1 else { return try body(nil) }
        let display = ProgressDisplay()
        defer { display.stop() }
        return try body(display.meter)
    }
}

/// Options of commands that store their runs.
struct StoreOptions: ParsableArguments {
    @Option(help: "Results database.")
    var db = "Results/results.sqlite"

    @Flag(help: "Do not store the run.")
    var noStore = false

    func validate() throws {
        if !noStore { try validateDatabasePath(db) }
    }
}

/// Refuses `--db` values that name no file (`''`, `:memory:`): a run stored there would be lost on exit.
func validateDatabasePath(_ path: String) throws {
    if let problem = ResultsStore.notAFilePath(path) { throw ValidationError("--db: \(problem)") }
}
