import ArgumentParser
import Foundation
import NexusResults

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List the runs in a results database, or delete old ones.",
        subcommands: [List.self, Prune.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List stored runs, newest first: id, start, command, scenario, status, replications and key results.",
            discussion: """
                A run stored as `running` whose process (recorded with its pid and host) is gone from this machine \
                is listed as `abandoned`. Exit codes: 0 listed; 2 no database at --db; 3 it cannot be read.
                """)

        @Option(help: "Results database.")
        var db = "Results/results.sqlite"

        @Option(help: "Show at most this many runs.")
        var limit: Int?

        @Flag(help: "Print {\"runs\": [...]} as JSON instead of a table.")
        var json = false

        func validate() throws {
            try validateDatabasePath(db)
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, found \(limit)") }
        }

        func run() throws {
            let store = try openExistingStore(db)
            do {
                let listings = try store.runListings(limit: limit)
                print(json ? RunListing.json(listings).rendered() : RunListing.table(listings), terminator: json ? "\n" : "")
            } catch let error as ResultsStoreError {
                printError("error: cannot read \(db): \(error)")
                throw ExitStatus.storeFailure
            }
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete runs with their metrics, series, replications and targets, then compact the database.",
            discussion: """
                Give exactly one of --keep (keep the N newest runs) or --older-than (delete runs started more than \
                D ago: 30d, 12h, 90m, 2w). A sweep is deleted only whole, when all its runs are selected; a run \
                still running is kept. Exit codes: 0 pruned; 2 no database at --db; 3 it cannot be written; \
                64 usage error.
                """)

        @Option(help: "Results database.")
        var db = "Results/results.sqlite"

        @Option(help: ArgumentHelp("Keep the N newest runs, delete the rest.", valueName: "N"))
        var keep: Int?

        @Option(help: ArgumentHelp("Delete runs that started more than this long ago (30d, 12h, 90m, 2w).", valueName: "D"))
        var olderThan: String?

        @Flag(help: "Do not VACUUM afterwards (the space is reused by later runs but the file does not shrink).")
        var noVacuum = false

        func validate() throws {
            try validateDatabasePath(db)
            _ = try selection()
        }

        func selection() throws -> PruneSelection {
            switch (keep, olderThan) {
            case (nil, nil): throw ValidationError("give --keep N or --older-than D (e.g. --keep 20, --older-than 30d)")
            case (.some, .some): throw ValidationError("give either --keep or --older-than, not both")
            case (let keep?, nil):
                guard keep >= 0 else { throw ValidationError("--keep must be 0 or more, found \(keep)") }
                return .keepNewest(keep)
            case (nil, let text?):
                guard let seconds = PruneSelection.ageSeconds(text) else {
                    throw ValidationError("--older-than expects a positive age with a unit s, m, h, d or w (e.g. 30d, 12h), "
                        + "at most 100 years, found '\(text)'")
                }
                return .olderThan(seconds: seconds)
            }
        }

        func run() throws {
            let store = try openExistingStore(db)
            do {
                print(try store.prune(try selection(), vacuum: !noVacuum).text, terminator: "")
            } catch let error as ResultsStoreError {
                printError("error: cannot prune \(db): \(error)")
                throw ExitStatus.storeFailure
            }
        }
    }
}

/// Opens a results database that must already exist (listing or pruning a new file would only create it).
func openExistingStore(_ path: String) throws -> ResultsStore {
    guard FileManager.default.fileExists(atPath: path) else {
        printError("error: no results database at \(path); run a scenario first or pass --db")
        throw ExitStatus.invalidInput
    }
    return try openStore(path)
}
