import ArgumentParser
import Foundation
import NexusResults
import NexusScenario

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario and report latency, availability, errors and cost.",
        discussion: "Every run is stored in the results database (run id on stderr).")

    @OptionGroup var options: ScenarioOptions
    @OptionGroup var experiment: ExperimentOptions
    @OptionGroup var storage: StoreOptions

    @Flag(help: "Print one JSON object on stdout (the documented contract) instead of the summary.")
    var json = false

    func run() throws {
        let scenario = try options.load()
        // Targets are checked before anything runs, so a misspelt metric is an input error (exit 2).
        let targets = try options.resolveTargets(of: scenario)
        let seed = experiment.seed(for: scenario)
        let policy = experiment.policy(for: scenario)
        let recorder = try RunRecorder.begin(storage, command: "run", scenario: scenario, scenarioPath: options.scenario,
                                             seed: seed, replications: policy.replications)
        if let recorder { InterruptHandler.install(db: recorder.db, runIDs: [recorder.runID]) }

        let report = experiment.withProgress { Experiment.report(scenario: scenario, seed: seed, policy: policy, progress: $0) }
        let verdicts = GateReport(report: report, targets: targets, targetsSource: options.scenario).verdicts
        try recorder?.finish(report, verdicts: verdicts)
        print(json ? report.json.rendered() : report.text)
    }
}
