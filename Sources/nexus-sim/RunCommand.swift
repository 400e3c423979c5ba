import ArgumentParser
import Foundation
import NexusResults
import NexusScenario

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario and report latency, availability, errors and cost.",
        discussion: """
            The summary (and --json's `targets`) shows the scenario's targets with their verdicts, judged as `gate` \
            judges them; run's exit code does not depend on them (`gate`'s does). Every run is stored in the results database (run id on stderr). With --shard i/N only that share of \
            the replications runs (same seeds as unsharded); `nexus-sim merge` combines the N shards' databases \
            into exactly the unsharded run.
            """)

    @OptionGroup var options: ScenarioOptions
    @OptionGroup var experiment: ExperimentOptions
    @OptionGroup var sharding: ShardOptions
    @OptionGroup var storage: StoreOptions

    @Flag(help: "Print one JSON object on stdout (the documented contract) instead of the summary.")
    var json = false

    func validate() throws {
        if sharding.shard != nil, experiment.precision != nil {
            throw ValidationError("--precision decides the replication count while running, so it cannot be split with --shard; "
                + "give --replications instead")
        }
    }

    func run() throws {
        let scenario = try options.load()
        // Targets are checked before anything runs, so a misspelt metric is an input error (exit 2).
        let targets = try options.resolveTargets(of: scenario)
        let seed = experiment.seed(for: scenario)
        var policy = experiment.policy(for: scenario)
        policy.shard = try sharding.resolve(replications: policy.replications)
        sharding.announce(policy.shard, replications: policy.replications)
        let recorder = try RunRecorder.begin(storage, command: "run", scenario: scenario, scenarioPath: options.scenario,
                                             seed: seed, replications: policy.replications, shard: policy.shard)
        if let recorder { InterruptHandler.install(db: recorder.db, runIDs: [recorder.runID]) }

        let report = experiment.withProgress { Experiment.report(scenario: scenario, seed: seed, policy: policy, progress: $0) }
        let verdicts = GateReport(report: report, targets: targets, targetsSource: options.scenario).verdicts
        try recorder?.finish(report, verdicts: verdicts)
        print(json ? report.json(targets: verdicts).rendered() : report.text(targets: verdicts))
    }
}
