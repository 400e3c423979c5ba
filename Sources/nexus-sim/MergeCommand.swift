import ArgumentParser
import Foundation
import NexusResults

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the results databases of a run's shards (--shard i/N) into the unsharded run.",
        discussion: """
            Give every shard's database once, in any order. From each database the most recent run is taken \
            (or, when it is a point of a sweep, the whole sweep); they must be shards 1/N … N/N of the same run: \
            same scenario text, parameters, overrides, seed, replications and shard count. The merged run is \
            exactly the unsharded one — the same means, intervals and percentiles, byte for byte — and is stored \
            in --db as a finished run (or sweep); the output is what `run`, `sweep` or `forecast` would have \
            printed. Relative files the scenario names (price tables, traces) must be where the shards found them. \
            Exit codes: 0 merged; 2 the databases are not the complete set of shards of one finished run \
            (nothing stored); 3 a database could not be read or written.
            """)

    @Argument(help: ArgumentHelp("The shards' results databases.", valueName: "shard.sqlite"))
    var shards: [String] = []

    @OptionGroup var storage: StoreOptions

    @Flag(help: "Print the merged run's JSON object (the command's documented contract) instead of the summary.")
    var json = false

    @Option(help: ArgumentHelp("For a forecast: also write the daily table as CSV.", valueName: "FILE"))
    var csv: String?

    func validate() throws {
        if shards.isEmpty { throw ValidationError("give the shard databases to merge, e.g. nexus-sim merge shard-*.sqlite") }
    }

    func run() throws {
        let outcome: ShardMerge.Outcome
        do {
            outcome = try ShardMerge.merge(shards: shards, into: storage.noStore ? nil : storage.db)
        } catch let error as MergeError {
            printError("error: \(error.description)")
            throw ExitStatus.invalidInput
        } catch let error as ResultsStoreError {
            printError("error: \(error)")
            throw ExitStatus.storeFailure
        }
        switch outcome {
        case .run(let merged):
            let stored = merged.runID.map { " as run \($0) in \(storage.db)" } ?? ""
            printError("merged \(merged.shardCount) shard\(merged.shardCount == 1 ? "" : "s") "
                + "(\(merged.report.replications.count) replications)\(stored)")
            if let forecast = merged.forecast {
                if let csv { try write(forecast.csv, to: csv, append: false) }
                print(json ? forecast.json.rendered() : forecast.text)
            } else {
                if csv != nil { printError("note: --csv applies to forecasts; the merged run is a '\(merged.command)' run") }
                // The targets the shards were judged on (a gate's --targets file, say), not only the scenario's.
                print(json ? merged.report.json(targets: merged.verdicts).rendered() : merged.report.text(targets: merged.verdicts))
            }
        case .sweep(let merged):
            let stored = merged.sweepID.map { " as sweep \($0) (runs \(merged.runIDs.first!)–\(merged.runIDs.last!)) in \(storage.db)" } ?? ""
            printError("merged \(merged.shardCount) shard\(merged.shardCount == 1 ? "" : "s") of a sweep of "
                + "\(merged.result.points.count) points\(stored)")
            print(json ? merged.result.json.rendered() : merged.result.text)
        }
    }
}
