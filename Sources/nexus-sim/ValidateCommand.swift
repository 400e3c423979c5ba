import ArgumentParser
import NexusResults
import NexusScenario

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a scenario without running it.",
        discussion: "Prints the first problem found with file:line:column, key path, expected and found values.")

    @OptionGroup var options: ScenarioOptions

    func run() throws {
        let scenario = try options.load()
        let targets = try options.resolveTargets(of: scenario)
        let models = scenario.providers.reduce(0) { $0 + $1.models.count }
        print("\(options.scenario): ok — scenario '\(scenario.name)': \(scenario.providers.count) providers, "
            + "\(models) models, \(scenario.tiers.count) tiers, \(scenario.traffic.classes.count) request classes"
            + (targets.isEmpty ? "" : ", \(targets.count) targets"))
    }
}
