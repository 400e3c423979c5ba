import ArgumentParser
import Foundation
import NexusResults
import NexusScenario

struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Run a scenario and check it against its targets; the exit code says whether all were met.",
        discussion: """
            Targets come from the scenario's `targets:` block, or from --targets FILE (one per line, e.g. \
            `p95_latency < 2s`), which replaces them. With two or more replications a target is judged on the \
            conservative end of its 95 % interval (upper bound for <, lower bound for >), otherwise on the point \
            estimate. With --live --target URL the targets are judged on a live load of the target (as `nexus-sim load` \
            runs it) instead of a simulation. Exit codes: 0 all targets met; 1 a target missed; 2 invalid input (scenario, targets, \
            parameter, override; nothing run or stored); 3 results store or output file failure.
            """)

    @OptionGroup var options: ScenarioOptions
    @OptionGroup var experiment: ExperimentOptions
    @OptionGroup var storage: StoreOptions

    @Flag(help: "Judge a live load of --target URL (as `nexus-sim load` runs it) instead of a simulation.")
    var live = false

    @OptionGroup var load: LiveLoadOptions

    @Option(help: ArgumentHelp("Targets file (replaces the scenario's targets).", valueName: "FILE"))
    var targets: String?

    @Option(help: ArgumentHelp("Write the verdicts as JUnit XML (one testcase per target).", valueName: "FILE"))
    var junit: String?

    @Option(help: ArgumentHelp("Write a Markdown summary, e.g. to $GITHUB_STEP_SUMMARY (appended when the file exists).",
                               valueName: "FILE"))
    var markdown: String?

    @Flag(help: "Print the run's JSON object (the documented contract) on stdout instead of the verdict table.")
    var json = false

    func run() throws {
        let scenario = try options.load()
        let gateTargets: [GateTarget]
        let source: String
        do {
            if let targets {
                gateTargets = try scenario.resolve(TargetFile.load(path: targets))
                source = targets
            } else {
                gateTargets = try scenario.resolvedTargets()
                source = "\(options.scenario) (targets:)"
            }
        } catch let error as ScenarioError {
            printError(error.description)
            throw ExitStatus.invalidInput
        }
        guard !gateTargets.isEmpty else {
            printError("error: \(options.scenario): no targets to check; add a 'targets:' block to the scenario "
                + "(e.g. '- p95_latency < 2s') or pass --targets FILE")
            throw ExitStatus.invalidInput
        }
        let seed = experiment.seed(for: scenario)
        let policy = experiment.policy(for: scenario)
        if !live, load.target != nil {
            printError("error: --target URL is for a live gate; add --live to load the target instead of simulating")
            throw ExitStatus.invalidInput
        }
        let liveConfiguration = live ? try load.configuration(for: scenario, seed: seed, shard: .whole) : nil
        let recorder = try RunRecorder.begin(storage, command: "gate", scenario: scenario, scenarioPath: options.scenario,
                                             seed: seed, replications: live ? 1 : policy.replications)
        if let recorder { InterruptHandler.install(db: recorder.db, runIDs: [recorder.runID]) }

        let started = Date()
        let report: RunReport
        if let liveConfiguration {
            do {
                report = try load.run(scenario: scenario, configuration: liveConfiguration)
            } catch {
                if let recorder { try? recorder.store.markRun(id: recorder.runID, status: .failed) }
                throw error
            }
        } else {
            report = experiment.withProgress { Experiment.report(scenario: scenario, seed: seed, policy: policy, progress: $0) }
        }
        let elapsed = Date().timeIntervalSince(started)
        let gate = GateReport(report: report, targets: gateTargets, targetsSource: source)
        try recorder?.finish(report, verdicts: gate.verdicts)

        if let junit { try write(gate.junitXML(elapsedSeconds: elapsed, timestamp: started), to: junit, append: false) }
        if let markdown { try write(gate.markdown, to: markdown, append: true) }
        print(json ? report.json(targets: gate.verdicts).rendered() : gate.text)
        if !gate.passed { throw ExitStatus.targetMissed }
    }
}
