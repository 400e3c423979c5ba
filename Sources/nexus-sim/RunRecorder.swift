import Foundation
import NexusResults
import NexusScenario

/// Stores one run in the results database: inserted as `running` before it starts, finished with its
/// metrics, series and target verdicts, or marked `failed` when storing fails (exit code 3).
struct RunRecorder {
    let store: ResultsStore
    let db: String
    let runID: Int64

    /// Begins a run, or returns `nil` with `--no-store`. Exits with code 3 when the database fails.
    static func begin(_ options: StoreOptions, command: String, scenario: Scenario, scenarioPath: String,
                      seed: UInt64, replications: Int, shard: Shard = .whole, forecastMonth: String? = nil) throws -> RunRecorder? {
        guard !options.noStore else { return nil }
        let store = try openStore(options.db)
        do {
            let id = try store.beginRun(command: command, scenario: scenario, scenarioPath: scenarioPath, seed: seed,
                                        replications: replications, shard: shard, forecastMonth: forecastMonth,
                                        toolVersion: NexusSimCommand.version)
            // Watched from the moment the row exists: an interruption marks it incomplete.
            InterruptHandler.install(db: options.db, runIDs: [id])
            try store.recordOwner(ofRun: id)
            return RunRecorder(store: store, db: options.db, runID: id)
        } catch {
            printError("error: could not store the run in \(options.db): \(error)")
            throw ExitStatus.storeFailure
        }
    }

    /// Stores the results and marks the run finished; prints the run id on stderr.
    func finish(_ report: RunReport, verdicts: [TargetVerdict], forecast: MonthForecast? = nil, quiet: Bool = false) throws {
        var failure: Error?
        InterruptHandler.storing(runID: runID, in: store) {
            do {
                try store.finishRun(id: runID, report: report, verdicts: verdicts)
                if let forecast { try store.saveForecast(json: forecast.json.rendered(), runID: runID) }
                if !quiet { printError("stored as run \(runID) in \(db)") }
                return true
            } catch {
                failure = error
                do {
                    try store.markRun(id: runID, status: .failed)
                    printError("error: could not store the run in \(db): \(error); run \(runID) is marked failed")
                } catch let markError {
                    printError("error: could not store the run in \(db): \(error); marking run \(runID) failed "
                        + "also failed (\(markError)), so it stays 'running' and is shown as abandoned once this process is gone")
                }
                return false
            }
        }
        if failure != nil { throw ExitStatus.storeFailure }
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
