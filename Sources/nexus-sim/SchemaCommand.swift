import ArgumentParser
import NexusScenario

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema (draft 2020-12) of the scenario format.",
        discussion: """
            Editors use it to complete and check scenarios as you type. Save it (or use the copy in \
            docs/scenario.schema.json) and put this first line in a scenario:
              # yaml-language-server: $schema=../docs/scenario.schema.json
            (the path is relative to the scenario). See docs/writing-scenarios.md.
            """)

    func run() throws {
        print(ScenarioSchema.jsonText, terminator: "")
    }
}
