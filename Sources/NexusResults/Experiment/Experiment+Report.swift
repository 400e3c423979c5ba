import NexusGateway
import NexusScenario
import NexusSim

extension Experiment {
    /// Runs `scenario` as the policy says and returns the report: the whole statistics pipeline of a run.
    ///
    /// - Warm-up: with `simulation.warmup: mser5` a pilot (replication 0, no warm-up) is simulated first; MSER-5
    ///   on its per-window mean latency gives the truncation point, which then serves as the fixed warm-up of
    ///   every replication (so that metrics are recomputed from the requests that arrive after it). The report's
    ///   scenario carries the warm-up used.
    /// - Precision: with a precision goal, replications are added (in batches sized from the current interval)
    ///   until the p95's interval is narrow enough or the cap is reached. Replication `i` always has the same
    ///   derived seed, so the result does not depend on how the batches fell.
    /// - Shard: with ``ReplicationPolicy/shard`` other than the whole run, only that shard's replications run
    ///   (same seeds as unsharded); the report covers them, and ``ShardMerge`` reassembles the whole run.
    public static func report(
        scenario: Scenario, seed: UInt64, policy: ReplicationPolicy, progress: ProgressMeter? = nil
    ) -> RunReport {
        let scenario = withWarmup(scenario, seed: seed, progress: progress)
        let plan = SimulationPlan(scenario)
        if !policy.shard.isWhole {
            let jobs = policy.shard.jobs(points: 1, replications: policy.replications)
            return RunReport(scenario: scenario, seed: seed,
                             replications: run(plans: [plan], seed: seed, jobs: jobs, threads: policy.threads, progress: progress))
        }
        let first = policy.relativePrecision == nil ? policy.replications : max(policy.replications, 2)
        var summaries = run(plan: plan, seed: seed, replications: first, threads: policy.threads, progress: progress)
        if let goal = policy.relativePrecision {
            while summaries.count < policy.maxReplications {
                let estimate = RunReport(scenario: scenario, seed: seed, replications: summaries)
                    .estimate(ReplicationPolicy.precisionMetric)
                guard let width = estimate?.relativeHalfWidth, width.isFinite, width > goal else { break }
                // The half-width shrinks like 1/√n: aim for the n that would meet the goal, at most doubling.
                let n = summaries.count
                let wanted = Int((Double(n) * (width / goal) * (width / goal)).rounded(.up))
                let next = min(max(wanted, n + 1), 2 * n, policy.maxReplications)
                summaries += run(plans: [plan], seed: seed, jobs: (n..<next).map { Job(plan: 0, replication: $0) },
                                 threads: policy.threads, progress: progress)
            }
        }
        return RunReport(scenario: scenario, seed: seed, replications: summaries)
    }

    /// The scenario with its warm-up decided: unchanged for a fixed warm-up; for MSER-5, the truncation found
    /// on a pilot replication (see ``report(scenario:seed:policy:progress:)``).
    public static func withWarmup(_ scenario: Scenario, seed: UInt64, progress: ProgressMeter? = nil) -> Scenario {
        guard scenario.simulation.warmupMethod == .mser5 else { return scenario }
        var pilotScenario = scenario
        pilotScenario.simulation.warmupNanos = 0
        let pilot = run(plan: SimulationPlan(pilotScenario), seed: seed, replications: 1, threads: 1, progress: progress)[0]
        let windows = MSER5.truncation(pilot.series.meanLatencyMillis)
        var decided = scenario
        decided.simulation.warmupNanos = min(Int64(windows) * scenario.simulation.seriesWindowNanos,
                                             scenario.simulation.durationNanos - 1)
        return decided
    }
}
