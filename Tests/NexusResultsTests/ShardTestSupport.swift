import Foundation
import NexusResults
import NexusScenario
import NexusSim

/// Runs `body` with a fresh temporary directory, removed afterwards.
func withTemporaryDirectory(_ body: (URL) throws -> Void) throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("nexus-shard-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: root) }
    try body(root)
}

enum ShardRuns {
    /// A shipped scenario, loaded as the command line would (`--param`, `--set`).
    static func shipped(_ file: String, parameters: [(String, String)] = [], overrides: [(String, String)] = []) throws -> Scenario {
        try ScenarioLoader.load(path: Scenarios.root.appendingPathComponent("Scenarios/\(file)").path, parameters: parameters,
                                overrides: overrides.map { Override(path: $0.0, value: $0.1) })
    }

    /// The business week, shortened to 3 h with 40k conversations a day and an MSER-5 warm-up: users,
    /// conversations, several tiers and models, and a warm-up decided while running.
    static func businessWeek() throws -> Scenario {
        try shipped("business-week.yaml", parameters: [("daily_requests", "40k")],
                    overrides: [("simulation.duration", "3h"), ("simulation.warmup", "mser5")])
    }

    /// Runs `scenario` (all of it, or one shard) and stores it in the database at `path`, through the same
    /// library calls as `nexus-sim run`: begin the run, run the replications, finish it with its verdicts.
    @discardableResult
    static func run(_ scenario: Scenario, into path: String, seed: UInt64 = 1, replications: Int, shard: Shard = .whole,
                    command: String = "run") throws -> (report: RunReport, runID: Int64) {
        let store = try ResultsStore(path: path)
        let id = try store.beginRun(command: command, scenario: scenario, scenarioPath: scenario.sourcePath, seed: seed,
                                    replications: replications, shard: shard, toolVersion: "test")
        let report = Experiment.report(scenario: scenario, seed: seed,
                                       policy: ReplicationPolicy(replications: replications, threads: 2, shard: shard))
        let verdicts = GateReport(report: report, targets: try scenario.resolvedTargets(), targetsSource: "").verdicts
        try store.finishRun(id: id, report: report, verdicts: verdicts)
        return (report, id)
    }

    /// Runs every shard of `count` into its own database in `directory`; returns their paths (shard order).
    static func shards(_ scenario: Scenario, count: Int, in directory: URL, seed: UInt64 = 1, replications: Int,
                       prefix: String = "shard") throws -> [String] {
        try (1...count).map { i in
            let path = directory.appendingPathComponent("\(prefix)-\(i)-of-\(count).sqlite").path
            try run(scenario, into: path, seed: seed, replications: replications, shard: Shard(index: i, of: count))
            return path
        }
    }

    /// The merged run of `paths` (stored in `output` unless `nil`).
    static func mergedRun(_ paths: [String], into output: String?) throws -> ShardMerge.MergedRun {
        guard case .run(let merged) = try ShardMerge.merge(shards: paths, into: output) else {
            throw MergeError("expected a run, got a sweep")
        }
        return merged
    }

    /// The error message `ShardMerge.merge` fails with.
    static func mergeError(_ paths: [String], into output: String? = nil) -> String? {
        do {
            _ = try ShardMerge.merge(shards: paths, into: output)
            return nil
        } catch let error as MergeError {
            return error.description
        } catch {
            return "unexpected \(error)"
        }
    }
}
