import ArgumentParser
import Foundation
import NexusLive
import NexusResults
import NexusScenario

struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Replay a scenario's traffic against a running OpenAI-compatible gateway and report it like a run.",
        discussion: """
            Open loop: each request is sent at its scheduled time (scenario time / K) whatever is still \
            outstanding, and its latency and TTFT are measured from that time, so queueing in the target shows. \
            The arrivals are those `run` simulates with the same seed (synthetic, or --trace). The output has \
            `run --json`'s keys, `traffic.source: "live"` and a `live` block (target, speed, send lag, \
            connections, client errors); the run is stored like any run, so report, compare and merge work on \
            it. With --shard i/N this generator sends arrival k when k mod N = i − 1; `nexus-sim merge` \
            combines the N databases. Exit codes: 0 done; 2 invalid input; 3 results store or load failure.
            """)

    @OptionGroup var options: ScenarioOptions
    @OptionGroup var live: LiveLoadOptions
    @OptionGroup var storage: StoreOptions

    @Option(help: "Run seed (default: the scenario's simulation.seed).")
    var seed: UInt64?

    @Option(help: ArgumentHelp("Send only shard i of N of the arrivals (1-based): arrival k when k mod N = i − 1. "
        + "Merge the shards' databases with `nexus-sim merge`.", valueName: "i/N"))
    var shard: String?

    @Flag(help: "Print one JSON object on stdout (the documented contract) instead of the summary.")
    var json = false

    func run() throws {
        let scenario = try options.load()
        let targets = try options.resolveTargets(of: scenario)
        let seed = seed ?? scenario.simulation.seed
        var parsedShard = Shard.whole
        if let shard {
            do { parsedShard = try Shard(parsing: shard) } catch let error as ShardError {
                printError("error: \(error.description)")
                throw ExitCode.validationFailure
            }
        }
        let configuration = try live.configuration(for: scenario, seed: seed, shard: parsedShard)
        let recorder = try RunRecorder.begin(storage, command: "load", scenario: scenario, scenarioPath: options.scenario,
                                             seed: seed, replications: 1, shard: parsedShard)
        let report: RunReport
        do {
            report = try live.run(scenario: scenario, configuration: configuration)
        } catch {
            if let recorder { try? recorder.store.markRun(id: recorder.runID, status: .failed) }
            throw error
        }
        let verdicts = GateReport(report: report, targets: targets, targetsSource: options.scenario).verdicts
        try recorder?.finish(report, verdicts: verdicts)
        print(json ? report.json(targets: verdicts).rendered() : report.text(targets: verdicts))
    }
}
