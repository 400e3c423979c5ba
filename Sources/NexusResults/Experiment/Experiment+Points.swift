import NexusScenario
import NexusSim

extension Experiment {
    /// Runs `replications` replications of each scenario (the points of a sweep) on one pool of workers and
    /// returns one report per scenario, in order. Each scenario's warm-up is decided first (MSER-5 pilots).
    ///
    /// With a `shard`, only its jobs run (see ``Shard``: job `k = point × replications + replication`); each
    /// report then covers that shard's replications of its point, which needs `shard.count ≤ replications`.
    public static func reports(
        scenarios: [Scenario], seed: UInt64, replications: Int, shard: Shard = .whole, threads: Int? = nil,
        progress: ProgressMeter? = nil
    ) -> [RunReport] {
        precondition(replications >= shard.count, "every shard needs a replication of every point")
        let decided = scenarios.map { withWarmup($0, seed: seed, progress: progress) }
        let plans = decided.map(SimulationPlan.init)
        let jobs = shard.jobs(points: plans.count, replications: replications)
        let summaries = run(plans: plans, seed: seed, jobs: jobs, threads: threads, progress: progress)
        var byPoint = [[RunSummary]](repeating: [], count: plans.count)
        for (job, summary) in zip(jobs, summaries) { byPoint[job.plan].append(summary) }
        return decided.indices.map { RunReport(scenario: decided[$0], seed: seed, replications: byPoint[$0]) }
    }
}
