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
    /// Without `--trace-format` the format is detected from the file's first line when it is a named format's
    /// (otherwise the scenario's own `traffic.trace.format` applies, or the flag is asked for).
    var traceOverrides: [Override] {
        get throws {
            guard let trace else { return [] }
            let flag = "--trace \(trace)"
            let absolute = trace.hasPrefix("/") ? trace : FileManager.default.currentDirectoryPath + "/" + trace
            var result = [Override(path: "traffic.trace.file", value: "'\(absolute.replacingOccurrences(of: "'", with: "''"))'", flag: flag)]
            if let traceFormat {
                result.append(Override(path: "traffic.trace.format", value: traceFormat, flag: "--trace-format \(traceFormat)"))
            } else {
                do {
                    if let detected = try TraceFormat.detect(path: absolute) {
                        result.append(Override(path: "traffic.trace.format", value: detected.rawValue, flag: flag))
                    }
                } catch {
                    printError(error.description(namedAt: .commandLine(flag)))
                    throw ExitStatus.invalidInput
                }
            }
            return result
        }
    }

    /// Loads the scenario, or prints the precise error on stderr and exits with the invalid-input code.
    func load() throws -> Scenario {
        try loadScenario(path: scenario, parameters: parameters, overrides: overrides, trace: traceOverrides)
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
/// `trace` are the overrides of `--trace` (applied last).
func loadScenario(path: String, parameters: [String], overrides: [String], trace: [Override] = []) throws -> Scenario {
    let scenario: Scenario
    do {
        scenario = try ScenarioLoader.load(
            path: path,
            parameters: try parameters.map { try splitAssignment($0, flag: "--param") },
            overrides: try overrides.map { let (p, v) = try splitAssignment($0, flag: "--set"); return Override(path: p, value: v) }
                + trace)
    } catch let error as ScenarioError {
        if trace.count == 1, let flag = trace[0].flag, error.location == .commandLine(flag), error.keyPath == "traffic.trace" {
            // The scenario has no trace block and the format could not be told from the file.
            printError("error: \(flag): cannot tell the trace's format from its first line (not the columns of "
                + "\(TraceFormat.namedFormats)); give --trace-format "
                + TraceFormat.allCases.map(\.rawValue).joined(separator: "|")
                + " (csv and jsonl also need --set traffic.trace.columns.…)")
        } else {
            printError(error.description)
        }
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
            printError(error.description(namedAt: spec.fileLocation))
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
