import ArgumentParser
import Foundation
import NexusResults

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report (SVG charts, summary tables) of a stored run or comparison.",
        discussion: """
            RUN is a run id or `latest` (the most recent finished run): its targets, summary, budget, charts over \
            clock time (warm-up shaded, 95 % bands over replications), failure reasons, per-provider and per-model \
            cost and cache; a forecast adds the daily band and table, a sweep point its sweep's table. \
            --comparison ID|latest reports a stored `compare` instead. The HTML file has no external resources \
            and works offline; --csv also exports a run's time series.
            """)

    @Argument(help: ArgumentHelp("Run id, or `latest`.", valueName: "run"))
    var selector: String?

    @Option(help: ArgumentHelp("Report a stored comparison (id or `latest`) instead of a run.", valueName: "id"))
    var comparison: String?

    @Option(help: "Results database.")
    var db = "Results/results.sqlite"

    @Option(help: ArgumentHelp("HTML file to write (default: Results/run-ID.html or Results/comparison-ID.html).", valueName: "FILE.html"))
    var out: String?

    @Option(help: ArgumentHelp("Also write the run's time series as CSV.", valueName: "FILE.csv"))
    var csv: String?

    func validate() throws {
        try validateDatabasePath(db)
        func valid(_ s: String) -> Bool { s == "latest" || Int64(s).map { $0 > 0 } == true }
        switch (selector, comparison) {
        case (nil, nil): throw ValidationError("give a run (an id or 'latest'), or --comparison ID|latest")
        case (.some, .some): throw ValidationError("give either a run or --comparison, not both")
        case (let s?, nil):
            guard valid(s) else { throw ValidationError("expected a run id (a positive whole number) or 'latest', found '\(s)'") }
        case (nil, let c?):
            guard valid(c) else { throw ValidationError("--comparison expects an id (a positive whole number) or 'latest', found '\(c)'") }
            if csv != nil { throw ValidationError("--csv exports a run's series; a comparison has none") }
        }
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: db) else {
            printError("error: no results database at \(db); run a scenario first or pass --db")
            throw ExitStatus.invalidInput
        }
        let store = try openStore(db)
        if let comparison {
            let document = try load(comparison, missing: comparison == "latest" ? "has no comparison" : "has no comparison \(comparison)") {
                try ComparisonDocument.load(from: store, comparison: $0)
            }
            try writeHTML(document.html, to: out ?? "Results/comparison-\(document.comparison.id).html")
            return
        }
        let selector = selector ?? "latest"
        let document = try load(selector, missing: selector == "latest" ? "has no finished run" : "has no run \(selector)") {
            try RunDocument.load(from: store, run: $0)
        }
        try writeHTML(document.html, to: out ?? "Results/run-\(document.run.id).html")
        if let csv {
            try write(document.csv, to: csv, append: false)
            printError("wrote \(csv)")
        }
    }

    /// The document `selector` (an id, or `latest` as `nil`) names, read by `read`; a missing one is invalid
    /// input (exit 2) with `missing` as the reason, an unreadable store a store failure (exit 3).
    private func load<Document>(_ selector: String, missing: String, _ read: (Int64?) throws -> Document?) throws -> Document {
        do {
            guard let found = try read(selector == "latest" ? nil : Int64(selector)) else {
                printError("error: \(db) \(missing)")
                throw ExitStatus.invalidInput
            }
            return found
        } catch let error as ResultsStoreError {
            printError("error: cannot read \(db): \(error)")
            throw ExitStatus.storeFailure
        }
    }

    private func writeHTML(_ html: String, to path: String) throws {
        try write(html, to: path, append: false)
        printError("wrote \(path)")
    }
}
