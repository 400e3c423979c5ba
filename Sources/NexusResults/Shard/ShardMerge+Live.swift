import NexusScenario
import NexusSim

extension ShardMerge {
    /// The command that stores live loads (`nexus-sim load`), whose shards split the arrivals.
    static let liveLoadCommand = "load"

    /// The merged report of a live load's shards (already checked to be the complete set): each shard sent
    /// every N-th arrival of the same replication, so their summaries add up request by request (see
    /// ``RunSummary/combine(withSharesOf:)``) into the one replication of the unsharded load.
    static func mergeLiveLoad(_ parts: [(ShardInput, StoredRun)]) throws -> MergedRun {
        let (first, run) = parts[0]
        var combined: RunSummary?
        for (input, stored) in parts {
            let rows = try input.store.replications(runID: stored.id)
            guard rows.count == 1, rows[0].replication == 0 else {
                throw MergeError("\(input.describe(stored)): a live load's shard holds one replication (0), found "
                    + "\(ShardInput.list(rows.map(\.replication)))")
            }
            let summary: RunSummary
            do {
                summary = try RunSummary(storedJSON: rows[0].summaryJSON)
            } catch {
                throw MergeError("\(input.describe(stored)): its replication cannot be read (stored by nexus-sim "
                    + "\(stored.toolVersion)): \(error)")
            }
            guard summary.live != nil else {
                throw MergeError("\(input.describe(stored)): it is stored as a 'load' run but holds no live measurements")
            }
            if combined == nil { combined = summary } else { combined!.combine(withSharesOf: summary) }
        }
        let scenario: Scenario
        do {
            scenario = try run.scenario()
        } catch let error as ScenarioError {
            throw MergeError("\(first.describe(run)): the stored scenario no longer loads: \(error.description)")
        }
        let report = RunReport(scenario: scenario, seed: run.seed, replications: [combined!])
        let targets = try storedTargets(parts, scenario: scenario)
        let verdicts = GateReport(report: report, targets: targets, targetsSource: "").verdicts
        return MergedRun(command: run.command, report: report, verdicts: verdicts, forecast: nil,
                         shardCount: parts.count, runID: nil)
    }
}
