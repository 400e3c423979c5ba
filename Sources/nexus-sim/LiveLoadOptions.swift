import ArgumentParser
import Foundation
import NexusLive
import NexusResults
import NexusScenario
import NexusSim

/// Options of a live load (`load`, `gate --live`): the target and how to drive it.
struct LiveLoadOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The OpenAI-compatible endpoint to load: a base URL (requests go to /v1/chat/completions), "
        + "a base ending in /v1, or the full …/chat/completions URL.", valueName: "URL"))
    var target: String?

    @Option(help: ArgumentHelp("Speed factor K: scenario time runs K times faster than wall time; latencies are reported "
        + "in scenario time (wall × K).", valueName: "K"))
    var speed: Double = 1

    @Option(name: .customLong("model-map"), help: ArgumentHelp("Send this `model` for a request class instead of its tier "
        + "(e.g. a LiteLLM model group); repeatable.", valueName: "CLASS=MODEL"))
    var modelMap: [String] = []

    @Option(name: .customLong("api-key-env"), help: ArgumentHelp("Send the key in this environment variable as "
        + "`authorization: Bearer KEY` (a LiteLLM master key, say); the key never appears on the command line.",
        valueName: "VAR"))
    var apiKeyEnv: String?

    @Option(help: ArgumentHelp("Most connections open to the target at once.", valueName: "N"))
    var connections = 1024

    @Option(name: .customLong("event-loops"), help: ArgumentHelp("Event loops (threads) sending requests.", valueName: "N"))
    var eventLoops = min(2, ProcessInfo.processInfo.activeProcessorCount)

    @Option(name: .customLong("start-at"), help: ArgumentHelp("Scenario time 0 at this wall-clock time (Unix seconds, "
        + "fractions allowed), shared with `providers --start-at` and the other shards; default: as soon as the "
        + "generator is ready.", valueName: "UNIX_SECONDS"))
    var startAt: Double?

    /// The load configuration for `scenario`, or the precise error and the invalid-input exit code.
    func configuration(for scenario: Scenario, seed: UInt64, shard: Shard) throws -> LoadConfiguration {
        guard let target else {
            printError("error: give the endpoint to load with --target URL, e.g. --target http://127.0.0.1:8080")
            throw ExitStatus.invalidInput
        }
        do {
            let map = try LoadConfiguration.modelMap(modelMap, classes: scenario.traffic.classes.map(\.name))
            let start = try startAt.map { (value) throws(StartTimeError) in try StartTime(unixSeconds: value) }
            var apiKey: String?
            if let name = apiKeyEnv {
                guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                    throw LoadConfigurationError("--api-key-env \(name): the environment variable \(name) is not set or empty")
                }
                apiKey = value
            }
            let configuration = LoadConfiguration(target: target, speed: speed, seed: seed, modelMap: map, shard: shard,
                                                  connections: connections, eventLoops: eventLoops, startAt: start, apiKey: apiKey)
            try configuration.check()
            return configuration
        } catch {
            printError("error: \(error)")
            throw ExitStatus.invalidInput
        }
    }

    /// Runs the load to its end and returns the run's report (one replication).
    func run(scenario: Scenario, configuration: LoadConfiguration) throws -> RunReport {
        let wall = Double(scenario.simulation.durationNanos + scenario.simulation.drainNanos) / 1e9 / configuration.speed
        printError("load: \(scenario.name) → \(configuration.chatCompletionsURL) at speed \(configuration.speed)"
            + (configuration.shard.isWhole ? "" : ", shard \(configuration.shard)")
            + String(format: " (up to %.1f s of wall time)", wall))
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.result = .success(try await LoadGenerator.run(scenario: scenario, configuration: configuration)) }
            catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        switch box.result! {
        case .success(let summary):
            return RunReport(scenario: scenario, seed: configuration.seed, replications: [summary])
        case .failure(let error as LoadConfigurationError):
            printError("error: \(error)")
            throw ExitStatus.invalidInput
        case .failure(let error as TraceError):
            printError("\(error)")
            throw ExitStatus.invalidInput
        case .failure(let error):
            printError("error: the load failed: \(error)")
            throw ExitStatus.storeFailure
        }
    }
}

/// The load's result, handed from its task to the waiting command.
private final class ResultBox: @unchecked Sendable {
    var result: Result<RunSummary, Error>?
}
