import ArgumentParser
import Foundation
import NexusResults
import NexusScenario

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a scenario over a grid of parameter or key values, in parallel.",
        discussion: """
            --grid NAME=v1,v2,... takes a declared parameter, or a dotted key path (applied like --set); several \
            --grid flags make the cartesian product. Prints metrics per point, the points that meet the targets \
            (the scenario's, or --targets FILE) with each target's judged value, and the cost-per-request versus p95 \
            Pareto front among the points that meet every target; a grid name whose values change nothing is an error, \
            identical points a warning. Stores every \
            point as a run and the sweep in the results database. With --shard i/N only that share of the \
            (point, replication) jobs runs; `nexus-sim merge` combines the shards' databases into the whole sweep.
            """)

    @OptionGroup var options: ScenarioOptions

    @Option(name: .customLong("grid"), help: ArgumentHelp("A grid axis.", valueName: "NAME=v1,v2,..."))
    var grid: [String] = []

    @Option(help: ArgumentHelp("Targets file (replaces the scenario's targets).", valueName: "FILE"))
    var targets: String?

    @OptionGroup var experiment: ExperimentOptions
    @OptionGroup var sharding: ShardOptions
    @OptionGroup var storage: StoreOptions

    @Flag(help: "Print the sweep as one JSON object on stdout.")
    var json = false

    func validate() throws {
        if experiment.precision != nil { throw ValidationError("--precision is not available for sweep; give --replications") }
    }

    func run() throws {
        let sweepGrid: SweepGrid
        let gateTargets: [GateTarget]
        var scenarios: [Scenario] = []
        let points: [[(name: String, value: String)]]
        do {
            sweepGrid = try SweepGrid(flags: grid)
            try sweepGrid.checkParameterNames(declared: ScenarioLoader.declaredParameterNames(path: options.scenario))
            points = sweepGrid.points
            for point in points {
                let parameters = point.filter { !SweepGrid.isOverride($0.name) }.map { "\($0.name)=\($0.value)" }
                let overrides = point.filter { SweepGrid.isOverride($0.name) }.map { "\($0.name)=\($0.value)" }
                scenarios.append(try loadScenario(path: options.scenario, parameters: options.parameters + parameters,
                                                  overrides: options.overrides + overrides, trace: options.traceOverrides))
            }
            gateTargets = try targets.map { try scenarios[0].resolve(TargetFile.load(path: $0)) } ?? scenarios[0].resolvedTargets()
        } catch let error as ScenarioError {
            printError(error.description)
            throw ExitStatus.invalidInput
        }
        // A grid name that changes nothing would run the same scenario several times under different labels.
        let inert = sweepGrid.inertAxes(scenarios)
        guard inert.isEmpty else {
            for name in inert {
                let values = sweepGrid.axes.first { $0.name == name }!.values.joined(separator: ",")
                printError("error: --grid \(name)=\(values): every value of '\(name)' gives the same scenario, so the points "
                    + "would be identical; " + (SweepGrid.isOverride(name)
                        ? "check that the key path is one the scenario uses (a value it overrides with the same value changes nothing)"
                        : "check that the scenario uses the parameter (as ${\(name)}) where it should"))
            }
            throw ExitStatus.invalidInput
        }
        let identical = SweepGrid.identicalPoints(scenarios)
        for group in identical {
            printError("warning: sweep points \(group.map(String.init).joined(separator: ", ")) ("
                + group.map { points[$0].map { "\($0.name)=\($0.value)" }.joined(separator: " ") }.joined(separator: "; ")
                + ") simulate identical scenarios")
        }
        let seed = experiment.seed(for: scenarios[0])
        let replications = experiment.policy(for: scenarios[0]).replications
        let shard = try sharding.resolve(replications: replications)
        sharding.announce(shard, replications: replications, points: scenarios.count)

        let recorders = try scenarios.map {
            try RunRecorder.begin(storage, command: "sweep", scenario: $0, scenarioPath: options.scenario,
                                  seed: seed, replications: replications, shard: shard)
        }
        if let first = recorders.first, let db = first?.db {
            InterruptHandler.install(db: db, runIDs: recorders.compactMap { $0?.runID })
        }

        let reports = experiment.withProgress {
            Experiment.reports(scenarios: scenarios, seed: seed, replications: replications, shard: shard,
                               threads: experiment.threads, progress: $0)
        }
        var result = SweepResult(points: zip(points, reports).map { ($0, $1) }, targets: gateTargets)
        result.identicalPoints = identical
        for (recorder, point) in zip(recorders, result.points) {
            try recorder?.finish(point.report, verdicts: point.verdicts, quiet: true)
        }
        if let store = recorders.first??.store {
            do {
                let id = try store.saveSweep(SweepRecord(
                    scenarioName: scenarios[0].name, grid: sweepGrid.axes, seed: seed, replications: replications,
                    points: zip(recorders, result.points).map { recorder, p in
                        SweepRecord.Point(runID: recorder!.runID, assignment: p.assignment.map { ($0.name, $0.value) },
                                          meetsTargets: p.meetsTargets, onParetoFront: p.onParetoFront)
                    }))
                let ids = recorders.compactMap { $0?.runID }
                printError("stored as sweep \(id) (runs \(ids.first!)–\(ids.last!)) in \(storage.db)")
            } catch {
                printError("error: could not store the sweep in \(storage.db): \(error)")
                throw ExitStatus.storeFailure
            }
        }
        print(json ? result.json.rendered() : result.text)
    }
}
