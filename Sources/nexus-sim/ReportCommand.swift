import ArgumentParser
import Foundation
import NexusResults

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report (SVG charts, summary tables) of a stored run.",
        discussion: """
            RUN is a run id or `latest` (the most recent finished run). The HTML file has no external resources \
            and works offline; --csv also exports the run's time series.
            """)

    @Argument(help: ArgumentHelp("Run id, or `latest`.", valueName: "run"))
    var selector: String

    @Option(help: "Results database.")
    var db = "Results/results.sqlite"

    @Option(help: ArgumentHelp("HTML file to write (default: Results/run-ID.html).", valueName: "FILE.html"))
    var out: String?

    @Option(help: ArgumentHelp("Also write the time series as CSV.", valueName: "FILE.csv"))
    var csv: String?

    func validate() throws {
        try validateDatabasePath(db)
        guard selector == "latest" || Int64(selector).map({ $0 > 0 }) == true else {
            throw ValidationError("expected a run id (a positive whole number) or 'latest', found '\(selector)'")
        }
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: db) else {
            printError("error: no results database at \(db); run a scenario first or pass --db")
            throw ExitStatus.invalidInput
        }
        let store = try openStore(db)
        let document: RunDocument
        do {
            guard let found = try RunDocument.load(from: store, run: selector == "latest" ? nil : Int64(selector)) else {
                printError(selector == "latest" ? "error: \(db) has no finished run" : "error: \(db) has no run \(selector)")
                throw ExitStatus.invalidInput
            }
            document = found
        } catch let error as ResultsStoreError {
            printError("error: cannot read \(db): \(error)")
            throw ExitStatus.storeFailure
        }
        let path = out ?? "Results/run-\(document.run.id).html"
        try write(document.html, to: path, append: false)
        printError("wrote \(path)")
        if let csv {
            try write(document.csv, to: csv, append: false)
            printError("wrote \(csv)")
        }
    }
}
