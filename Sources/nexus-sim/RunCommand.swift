import ArgumentParser
import Dispatch
import Foundation
import NexusResults
import NexusScenario
import NexusSim

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario and report latency, availability, errors and cost.",
        discussion: "Every run is stored in the results database (run id on stderr).")

    @OptionGroup var options: ScenarioOptions

    @Option(help: "Run seed (default: the scenario's simulation.seed).")
    var seed: UInt64?

    @Option(help: "Independent replications, run in parallel (default: the scenario's simulation.replications).")
    var replications: Int?

    @Option(help: "Worker threads for replications (default: all cores).")
    var threads: Int?

    @Flag(help: "Print one JSON object on stdout (the documented contract) instead of the summary.")
    var json = false

    @Option(help: "Results database.")
    var db = "Results/results.sqlite"

    @Flag(help: "Do not store the run.")
    var noStore = false

    func validate() throws {
        if let replications, replications < 1 { throw ValidationError("--replications must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let scenario = try options.load()
        let seed = seed ?? scenario.simulation.seed
        let replications = replications ?? scenario.simulation.replications
        let store = try noStore ? nil : openStore(db)
        let runID = try store.map { try $0.beginRun(record(scenario, seed: seed, replications: replications)) }
        if let runID { InterruptHandler.install(db: db, runID: runID) }

        let plan = SimulationPlan(scenario)
        let summaries = Experiment.run(plan: plan, seed: seed, replications: replications, threads: threads)
        let report = RunReport(scenario: scenario, seed: seed, replications: summaries)
        let jsonText = report.json.rendered()

        if let store, let runID {
            do {
                try store.finishRun(id: runID, metrics: report.metricRows, series: report.seriesRows, summaryJSON: jsonText)
                printError("stored as run \(runID) in \(db)")
            } catch {
                printError("error: could not store the run in \(db): \(error)")
                try? store.markRun(id: runID, status: .failed)
                throw ExitStatus.storeFailure
            }
        }
        print(json ? jsonText : report.text)
    }

    private func record(_ scenario: Scenario, seed: UInt64, replications: Int) -> RunRecord {
        RunRecord(
            command: "run", scenarioName: scenario.name, scenarioPath: options.scenario,
            scenarioText: scenario.sourceText,
            parameters: scenario.parameters.map { ($0.name, $0.value) },
            overrides: scenario.overrides.map { ($0.path, $0.value) },
            seed: seed, replications: replications, toolVersion: NexusSimCommand.version)
    }
}

/// Opens the results database, or reports why not and exits with the store-failure code.
func openStore(_ path: String) throws -> ResultsStore {
    do {
        return try ResultsStore(path: path)
    } catch {
        printError("error: cannot open the results database \(path): \(error)")
        throw ExitStatus.storeFailure
    }
}

/// Marks the run incomplete when the user interrupts it, so that an interrupted run is never taken
/// for a finished one.
enum InterruptHandler {
    nonisolated(unsafe) private static var source: DispatchSourceSignal?

    static func install(db: String, runID: Int64) {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let handler = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let onSignal = {
            // A separate connection: the main thread's is busy or not in use while simulating.
            try? ResultsStore(path: db).markRun(id: runID, status: .incomplete)
            printError("interrupted: run \(runID) stored as incomplete")
            exit(130)
        }
        handler.setEventHandler(handler: onSignal)
        handler.resume()
        let term = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
        term.setEventHandler(handler: onSignal)
        term.resume()
        source = handler
        termSource = term
    }

    nonisolated(unsafe) private static var termSource: DispatchSourceSignal?
}
