import ArgumentParser
import Foundation
import NexusResults
import NexusScenario

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two scenarios (or one scenario under two sets of --set) with common random numbers.",
        discussion: """
            Both sides run the same replications with the same seeds, so they see the same traffic and the same \
            provider draws; every metric either side reports (headline, cost, failure reasons, per tier, class and \
            model, cache, budget, autoscaling) gets the paired difference B − A with a 95 % interval, and differences \
            whose interval excludes 0 are marked significant. Every difference and sign is B − A. Examples:
              nexus-sim compare a.yaml b.yaml
              nexus-sim compare baseline.yaml --set-b gateway.instances=6
            With --runs A,B two stored runs of --db are compared instead (nothing runs), e.g. a simulation and a \
            live load (`nexus-sim load`) of the same scenario and seed; they need the same seed and replication \
            count (a live load has 1: store the simulation with `run --replications 1`):
              nexus-sim compare --runs 4,5
            """)

    @Argument(help: "Scenario A.")
    var scenarioA: String?

    @Option(help: ArgumentHelp("Compare two stored runs of --db (ids) instead of running scenarios.", valueName: "A,B"))
    var runs: String?

    @Argument(help: "Scenario B (default: scenario A, changed with --set-b / --param-b).")
    var scenarioB: String?

    @Option(name: .customLong("param"), help: ArgumentHelp("Set a declared parameter on both sides.", valueName: "NAME=VALUE"))
    var parameters: [String] = []

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a key on both sides.", valueName: "PATH=VALUE"))
    var overrides: [String] = []

    @Option(name: .customLong("param-a"), help: ArgumentHelp("Set a parameter of A only.", valueName: "NAME=VALUE"))
    var parametersA: [String] = []

    @Option(name: .customLong("set-a"), help: ArgumentHelp("Override a key of A only.", valueName: "PATH=VALUE"))
    var overridesA: [String] = []

    @Option(name: .customLong("param-b"), help: ArgumentHelp("Set a parameter of B only.", valueName: "NAME=VALUE"))
    var parametersB: [String] = []

    @Option(name: .customLong("set-b"), help: ArgumentHelp("Override a key of B only.", valueName: "PATH=VALUE"))
    var overridesB: [String] = []

    @OptionGroup var experiment: ExperimentOptions

    @Flag(help: "Print the comparison as one JSON object on stdout.")
    var json = false

    @OptionGroup var storage: StoreOptions

    func validate() throws {
        if let runs {
            guard scenarioA == nil, scenarioB == nil else { throw ValidationError("give either scenarios or --runs A,B, not both") }
            guard storedRunIDs(runs) != nil else { throw ValidationError("--runs expects two run ids, e.g. --runs 4,5; found '\(runs)'") }
            return
        }
        guard scenarioA != nil else { throw ValidationError("give a scenario to compare (or --runs A,B for two stored runs)") }
        if let r = experiment.replications, r < 2 {
            throw ValidationError("compare needs at least 2 replications for its intervals")
        }
        if scenarioB == nil, parametersA.isEmpty, overridesA.isEmpty, parametersB.isEmpty, overridesB.isEmpty {
            throw ValidationError("give a second scenario, or change one side with --set-a/--set-b or --param-a/--param-b")
        }
    }

    /// `4,5` as two run ids.
    private func storedRunIDs(_ text: String) -> (Int64, Int64)? {
        let parts = text.split(separator: ",").map { Int64($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let a = parts[0], let b = parts[1] else { return nil }
        return (a, b)
    }

    func run() throws {
        if let runs, let ids = storedRunIDs(runs) {
            let (idA, idB) = ids
            let store = try openStore(storage.db)
            let comparison: Comparison
            do {
                comparison = try Comparison.storedRuns(idA, idB, in: store)
            } catch let error as ComparisonInputError {
                printError("error: \(error.description)")
                throw ExitStatus.invalidInput
            } catch {
                printError("error: cannot read runs from \(storage.db): \(error)")
                throw ExitStatus.storeFailure
            }
            print(json ? comparison.json.rendered() : comparison.text)
            return
        }
        guard let scenarioA else { return }
        let a = try loadScenario(path: scenarioA, parameters: parameters + parametersA, overrides: overrides + overridesA)
        let pathB = scenarioB ?? scenarioA
        let b = try loadScenario(path: pathB, parameters: parameters + parametersB, overrides: overrides + overridesB)
        let seed = experiment.seed(for: a)
        // Intervals need replications: default 10 unless the scenario asks for more.
        let policy = experiment.policy(for: a, defaultReplications: max(a.simulation.replications, 10))
        let (reportA, reportB) = experiment.withProgress { progress in
            // B runs exactly A's replications (a precision goal is decided on A), with the same seeds.
            let reportA = Experiment.report(scenario: a, seed: seed, policy: policy, progress: progress)
            var fixed = policy
            fixed.replications = reportA.replications.count
            fixed.relativePrecision = nil
            return (reportA, Experiment.report(scenario: b, seed: seed, policy: fixed, progress: progress))
        }
        let comparison = Comparison(a: reportA, b: reportB,
                                    labelA: label(scenarioA, parametersA, overridesA),
                                    labelB: label(pathB, parametersB, overridesB))
        try storeComparison(comparison, a: a, b: b, seed: seed)
        print(json ? comparison.json.rendered() : comparison.text)
    }

    /// Stores the comparison (table `comparisons`) so that `nexus-sim report --comparison` can render it.
    private func storeComparison(_ comparison: Comparison, a: Scenario, b: Scenario, seed: UInt64) throws {
        guard !storage.noStore else { return }
        let store = try openStore(storage.db)
        do {
            let id = try store.saveComparison(StoredComparison(
                labelA: comparison.labelA, labelB: comparison.labelB, scenarioA: a.name, scenarioB: b.name, seed: seed,
                replications: comparison.a.replications.count, json: comparison.json.rendered(), toolVersion: NexusSimCommand.version))
            printError("stored as comparison \(id) in \(storage.db)")
        } catch {
            printError("error: could not store the comparison in \(storage.db): \(error)")
            throw ExitStatus.storeFailure
        }
    }

    private func label(_ path: String, _ parameters: [String], _ overrides: [String]) -> String {
        ([path] + parameters.map { "--param \($0)" } + overrides.map { "--set \($0)" }).joined(separator: " ")
    }
}
