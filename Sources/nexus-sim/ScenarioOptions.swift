import ArgumentParser
import Foundation
import NexusResults
import NexusScenario

/// Options shared by every command that loads a scenario.
struct ScenarioOptions: ParsableArguments {
    @Argument(help: "Scenario YAML file.")
    var scenario: String

    @Option(name: .customLong("param"), help: ArgumentHelp("Set a declared parameter.", valueName: "NAME=VALUE"))
    var parameters: [String] = []

    @Option(name: .customLong("set"), help: ArgumentHelp("Override any key by its dotted path.", valueName: "PATH=VALUE"))
    var overrides: [String] = []

    /// Loads the scenario, or prints the precise error on stderr and exits with the invalid-input code.
    func load() throws -> Scenario {
        try loadScenario(path: scenario, parameters: parameters, overrides: overrides)
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
    do {
        return try ScenarioLoader.load(
            path: path,
            parameters: try parameters.map { try splitAssignment($0, flag: "--param") },
            overrides: try overrides.map { let (p, v) = try splitAssignment($0, flag: "--set"); return Override(path: p, value: v) })
    } catch let error as ScenarioError {
        printError(error.description)
        throw ExitStatus.invalidInput
    }
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
