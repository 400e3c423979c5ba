import ArgumentParser

@main
struct NexusSimCommand: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "nexus-sim",
        abstract: "Simulate a multi-provider AI gateway before it meets real traffic.",
        discussion: """
            Exit codes: 0 success; 1 a gate target was missed; 2 invalid input (scenario, parameter, \
            override); 3 the results store or a file could not be written; 64 command-line usage error.
            """,
        version: version,
        subcommands: [RunCommand.self, ForecastCommand.self, GateCommand.self, CompareCommand.self, SweepCommand.self,
                      MergeCommand.self, ReportCommand.self, ValidateCommand.self, SchemaCommand.self, BenchCommand.self]
    )
}
