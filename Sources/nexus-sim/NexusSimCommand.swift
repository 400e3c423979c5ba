import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct NexusSimCommand: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "nexus-sim",
        abstract: "Simulate a multi-provider AI gateway before it meets real traffic.",
        discussion: """
            Exit codes: 0 success; 1 a gate target was missed; 2 invalid input (scenario, parameter, \
            override, trace); 3 the results store, an output file or standard output could not be written; \
            64 command-line usage error; 129, 130, 143 interrupted by SIGHUP, SIGINT, SIGTERM (the run is \
            stored as incomplete).
            """,
        version: version,
        subcommands: [RunCommand.self, ForecastCommand.self, GateCommand.self, CompareCommand.self, SweepCommand.self,
                      LoadCommand.self, MergeCommand.self, ReportCommand.self, RunsCommand.self, ValidateCommand.self, SchemaCommand.self,
                      BenchCommand.self, ImportCommand.self, ExportCommand.self, CalibrateCommand.self, GatewayCommand.self,
                      ProvidersCommand.self]
    )

    /// Parses and runs the command with the exit-code contract enforced: no subcommand is a usage error (64);
    /// a result that could not be written to standard output is a failure (3); signals end runs cleanly.
    static func main() {
        StandardOutput.prepare()
        InterruptHandler.install()
        let arguments = CommandLineArguments.normalized(Array(CommandLine.arguments.dropFirst()))
        guard !arguments.isEmpty else {
            printError(helpMessage())
            printError("error: give a subcommand, e.g. nexus-sim run Scenarios/baseline.yaml")
            terminate(ExitCode.validationFailure.rawValue)
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let message = CommandLineArguments.explained(fullMessage(for: error))
            // Help and version requests (exit 0) go to stdout; errors to stderr.
            if !message.isEmpty {
                if code == .success { print(message) } else { printError(message) }
            }
            // A result printed before a non-zero verdict (a missed gate target) must also have been written.
            if code == .success || code == ExitStatus.targetMissed, !StandardOutput.flush() {
                terminate(ExitStatus.storeFailure.rawValue)
            }
            terminate(code.rawValue)
        }
        terminate(StandardOutput.flush() ? 0 : ExitStatus.storeFailure.rawValue)
    }
}
