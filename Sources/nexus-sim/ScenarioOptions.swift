import ArgumentParser
import Foundation
import NexusResults
import NexusScenario
import NexusSim

/// Options shared by every command that loads a scenario.
struct ScenarioOptions: ParsableArguments {
    @Argument(help: "Scenario YAML file.")
    var scenario: String

    @Option(name: .customLong("param"), help: ArgumentHelp("Set a declared parameter.", valueName: "NAME=VALUE"))
    var parameters: [String] = []

    @Option(name: .customLong("set"), help: ArgumentHelp("Override any key by its dotted path.", valueName: "PATH=VALUE"))
    var overrides: [String] = []

    @Option(help: ArgumentHelp("Replay this recorded trace instead of the scenario's arrivals.", valueName: "FILE"))
    var trace: String?

    @Option(help: ArgumentHelp("The trace's format: \(TraceFormat.allCases.map(\.rawValue).joined(separator: "|")).", valueName: "FORMAT"))
    var traceFormat: String?

    func validate() throws {
        if traceFormat != nil, trace == nil { throw ValidationError("--trace-format needs --trace FILE") }
        if let traceFormat, TraceFormat(rawValue: traceFormat) == nil {
            throw ValidationError("--trace-format expects one of \(TraceFormat.allCases.map(\.rawValue).joined(separator: ", ")), found '\(traceFormat)'")
        }
    }

    /// `--trace FILE --trace-format FMT` as overrides of `traffic.trace` (so they are stored with the run like
    /// any `--set`); the file is made absolute, since the scenario resolves relative paths against its own folder.
    var traceOverrides: [String] {
        guard let trace else { return [] }
        let absolute = trace.hasPrefix("/") ? trace : FileManager.default.currentDirectoryPath + "/" + trace
        var result = ["traffic.trace.file='\(absolute.replacingOccurrences(of: "'", with: "''"))'"]
        if let traceFormat { result.append("traffic.trace.format=\(traceFormat)") }
        return result
    }

    /// Loads the scenario, or prints the precise error on stderr and exits with the invalid-input code.
    func load() throws -> Scenario {
        try loadScenario(path: scenario, parameters: parameters, overrides: overrides + traceOverrides)
    }

    /// The scenario's targets resolved against the metric contract, or the precise error and exit code 2.
    func resolveTargets(of scenario: Scenario) throws -> [GateTarget] {
        do {
            return try scenario.resolvedTargets()
        } catch let error as ScenarioError {
            printError(error.description)
            throw ExitStatus.invalidInput
        }
    }
}

/// Loads the scenario at `path` with `--param NAME=VALUE` and `--set PATH=VALUE` flags, or prints the
/// precise error on stderr and exits with the invalid-input code.
func loadScenario(path: String, parameters: [String], overrides: [String]) throws -> Scenario {
    let scenario: Scenario
    do {
        scenario = try ScenarioLoader.load(
            path: path,
            parameters: try parameters.map { try splitAssignment($0, flag: "--param") },
            overrides: try overrides.map { let (p, v) = try splitAssignment($0, flag: "--set"); return Override(path: p, value: v) })
    } catch let error as ScenarioError {
        printError(error.description)
        throw ExitStatus.invalidInput
    }
    for warning in scenario.warnings { printError(warning.description) }
    // A trace is read through once before anything runs: a malformed row (policy fail) is bad input.
    if let spec = scenario.traffic.trace {
        do {
            let stats = try TraceStats.scan(spec, classNames: scenario.traffic.classes.map(\.name))
            if stats.skippedRows > 0 {
                printError("note: \(spec.path): \(stats.skippedRows) malformed rows will be skipped (on_bad_row: skip)")
            }
        } catch {
            printError(error.description)
            throw ExitStatus.invalidInput
        }
    }
    return scenario
}

/// Splits `NAME=VALUE`, or reports the flag's misuse and exits with the invalid-input code.
func splitAssignment(_ text: String, flag: String) throws -> (String, String) {
    guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
        printError("error: \(flag) expects NAME=VALUE, found '\(text)'")
        throw ExitStatus.invalidInput
    }
    return (String(text[..<eq]), String(text[text.index(after: eq)...]))
}

/// Writes a line to standard error (standard output is reserved for results).
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
