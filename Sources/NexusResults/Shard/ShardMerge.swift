import Foundation
import NexusScenario
import NexusSim

/// Reassembles a run (or a sweep) that was split over machines with `--shard i/N` from the shards' results
/// databases, into exactly what the unsharded run would have produced.
///
/// Each input database contributes its most recent run — or, when that run is a point of a sweep, the whole
/// sweep. The inputs must be every shard `1/N … N/N` of one run, once each: the same scenario text
/// (SHA-256), parameters, overrides, seed, replication count, shard count, command, forecast month, warm-up
/// and tool version. Their stored replication summaries are put back in replication order and the report is
/// computed from them as for any run: the same means and Student-t intervals (from the per-replication
/// values) and the same percentiles (from the merged HdrHistograms). The result does not depend on the order
/// of the inputs.
public enum ShardMerge {
    /// What was merged.
    public enum Outcome: Sendable {
        case run(MergedRun)
        case sweep(MergedSweep)
    }

    /// A merged run: the report the unsharded run would have produced, and where it was stored.
    public struct MergedRun: Sendable {
        /// The command the shards ran (`run`, `forecast`, ...), which decides what to print.
        public var command: String
        public var report: RunReport
        /// Verdicts on the targets the shards were judged on.
        public var verdicts: [TargetVerdict]
        /// For a `forecast`, the month's forecast from the merged report.
        public var forecast: MonthForecast?
        /// How many shards were merged.
        public var shardCount: Int
        /// The merged run's id in the output database (`nil` when not stored).
        public var runID: Int64?
    }

    /// A merged sweep: every point's merged report, the points meeting the targets and the Pareto front.
    public struct MergedSweep: Sendable {
        public var result: SweepResult
        public var shardCount: Int
        /// The merged sweep's id and its points' run ids in the output database (`nil` and empty when not stored).
        public var sweepID: Int64?
        public var runIDs: [Int64]
    }

    /// Merges the shard databases at `paths` and, unless `output` is `nil`, stores the result there as a
    /// finished run (or sweep) with metrics, series, replications and target verdicts, like the unsharded run.
    /// - Throws: ``MergeError`` when the inputs are not the complete set of shards of one finished run
    ///   (nothing is stored then); ``ResultsStoreError`` when a database cannot be read or written.
    public static func merge(shards paths: [String], into output: String?) throws -> Outcome {
        guard !paths.isEmpty else { throw MergeError("give the shard databases to merge") }
        var seen: [String: String] = [:]
        for path in paths {
            let key = canonicalPath(path)
            if let earlier = seen[key] {
                throw MergeError(earlier == path ? "\(path) is given twice" : "\(path) is given twice (also as \(earlier))")
            }
            seen[key] = path
        }
        if let output, let input = seen[canonicalPath(output)] {
            throw MergeError("the output database \(output) is also an input (\(input)); write the merged run to another file")
        }
        let inputs = try paths.map(ShardInput.init(path:)).sorted { ($0.shard.index, $0.path) < ($1.shard.index, $1.path) }
        if let whole = inputs.first(where: { $0.shard.isWhole }) {
            throw MergeError("\(whole.path) holds \(whole.kind), which is not a shard: it was run without --shard i/N, so "
                + "there is nothing to merge. Merge the databases of a sharded run's shards; to re-report a stored run "
                + "use nexus-sim report")
        }
        switch inputs[0].content {
        case .run:
            let parts = try inputs.map { input -> (ShardInput, StoredRun) in
                guard case .run(let run) = input.content else { throw kindMismatch(inputs[0], input) }
                return (input, run)
            }
            try checkSameRun(parts)
            try checkCompleteSet(inputs)
            // A live load's shards split one replication's arrivals, not the replications.
            var merged = parts[0].1.command == liveLoadCommand ? try mergeLiveLoad(parts) : try mergeRun(parts, point: 0)
            if let output { merged.runID = try save(merged, from: parts[0].1, in: try ResultsStore(path: output)) }
            return .run(merged)
        case .sweep:
            return .sweep(try mergeSweep(inputs, into: output))
        }
    }

    // MARK: Runs

    /// The merged report of one run's shards (already checked to be the complete set); `point` is the run's
    /// point in a sweep (0 for a plain run), which decides each shard's replications.
    static func mergeRun(_ parts: [(ShardInput, StoredRun)], point: Int) throws -> MergedRun {
        let (first, run) = parts[0]
        let summaries = try parts.flatMap { try $0.0.summaries(of: $0.1, point: point) }.sorted { $0.replication < $1.replication }
        var scenario: Scenario
        do {
            scenario = try run.scenario()
        } catch let error as ScenarioError {
            throw MergeError("\(first.describe(run)): the stored scenario no longer loads: \(error.description)\n"
                + "Merge where the scenario's files (price tables, traces) are at the paths the shards used "
                + "(the scenario was \(run.scenarioPath ?? "not read from a file")).")
        }
        var month: (year: Int, month: Int)?
        if let text = run.forecastMonth {
            let parts = text.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 2, (1...12).contains(parts[1]) else {
                throw MergeError("\(first.describe(run)): the stored forecast month '\(text)' is not YYYY-MM")
            }
            month = (parts[0], parts[1])
            scenario = MonthForecast.scenario(scenario, year: parts[0], month: parts[1])
        }
        let report = RunReport(scenario: scenario, seed: run.seed, replications: summaries)
        let targets = try storedTargets(parts, scenario: scenario)
        let verdicts = GateReport(report: report, targets: targets, targetsSource: "").verdicts
        return MergedRun(command: run.command, report: report, verdicts: verdicts,
                         forecast: month.map { MonthForecast(year: $0.year, month: $0.month, report: report) },
                         shardCount: parts.count, runID: nil)
    }

    /// The targets the shards were judged on (read back from their `targets` rows; the same in every shard),
    /// resolved against `scenario`'s metrics (its tiers, classes and models).
    static func storedTargets(_ parts: [(ShardInput, StoredRun)], scenario: Scenario) throws -> [GateTarget] {
        let lists = try parts.map { try $0.0.store.targets(runID: $0.1.id).map(\.target) }
        if let i = lists.indices.first(where: { lists[$0] != lists[0] }) {
            throw MergeError("\(parts[0].0.describe(parts[0].1)) and \(parts[i].0.describe(parts[i].1)) were judged on "
                + "different targets (\(lists[0]) vs \(lists[i]))")
        }
        do {
            return try scenario.resolve(lists[0].enumerated().map {
                try TargetSpec.parse($1, location: nil, keyPath: "targets[\($0)]")
            })
        } catch let error as ScenarioError {
            throw MergeError("\(parts[0].0.describe(parts[0].1)): a stored target does not parse: \(error.description)")
        }
    }

    /// Stores a merged run as a finished whole run (shard 1/1) with the shards' scenario, parameters,
    /// overrides, seed, command and tool version.
    static func save(_ merged: MergedRun, from run: StoredRun, in store: ResultsStore) throws -> Int64 {
        let id = try store.beginRun(RunRecord(
            command: run.command, scenarioName: run.scenarioName, scenarioPath: run.scenarioPath,
            scenarioText: run.scenarioText, parameters: run.parameters ?? [],
            overrides: (run.overrides ?? []).map { ($0.path, $0.value) },
            seed: run.seed, replications: run.replications, toolVersion: run.toolVersion,
            shard: .whole, forecastMonth: run.forecastMonth))
        do {
            try store.finishRun(id: id, report: merged.report, verdicts: merged.verdicts)
        } catch {
            try? store.markRun(id: id, status: .failed)
            throw error
        }
        return id
    }

    // MARK: Checks

    /// Every run is a shard of the same run as the first one.
    static func checkSameRun(_ parts: [(ShardInput, StoredRun)]) throws {
        let (firstInput, first) = parts[0]
        for (input, run) in parts.dropFirst() {
            func differ(_ what: String, _ a: String, _ b: String) -> MergeError {
                MergeError("\(firstInput.describe(first)) and \(input.describe(run)) are not shards of the same run: "
                    + "\(what) differ\(what.hasSuffix("s") ? "" : "s") (\(a) vs \(b))")
            }
            if run.command != first.command { throw differ("the command", first.command, run.command) }
            if run.scenarioSHA256 != first.scenarioSHA256 {
                throw differ("the scenario text", "\(first.scenarioName), sha256 \(first.scenarioSHA256.prefix(12))…",
                             "\(run.scenarioName), sha256 \(run.scenarioSHA256.prefix(12))…")
            }
            if run.parametersJSON != first.parametersJSON { throw differ("the parameters", first.parametersJSON, run.parametersJSON) }
            if run.overridesJSON != first.overridesJSON { throw differ("the overrides", first.overridesJSON, run.overridesJSON) }
            if run.seed != first.seed { throw differ("the seed", String(first.seed), String(run.seed)) }
            if run.replications != first.replications {
                throw differ("the replication count", String(first.replications), String(run.replications))
            }
            if input.shard.count != firstInput.shard.count {
                throw differ("the shard count", String(firstInput.shard.count), String(input.shard.count))
            }
            if run.forecastMonth != first.forecastMonth {
                throw differ("the forecast month", first.forecastMonth ?? "none", run.forecastMonth ?? "none")
            }
            if run.warmupNanos != first.warmupNanos {
                throw differ("the warm-up", first.warmupNanos.map { "\($0) ns" } ?? "none", run.warmupNanos.map { "\($0) ns" } ?? "none")
            }
            if run.toolVersion != first.toolVersion {
                throw differ("the nexus-sim version", first.toolVersion, run.toolVersion)
            }
        }
    }

    /// The inputs (sorted by shard index, same shard count) are shards 1…N, each once.
    static func checkCompleteSet(_ inputs: [ShardInput]) throws {
        let count = inputs[0].shard.count
        for (a, b) in zip(inputs, inputs.dropFirst()) where a.shard == b.shard {
            throw MergeError("shard \(a.shard) is given twice: \(a.path) and \(b.path)")
        }
        let have = Set(inputs.map(\.shard.index))
        let missing = (1...count).filter { !have.contains($0) }
        guard missing.isEmpty else {
            let given = inputs.map { "\($0.shard) (\($0.path))" }.joined(separator: ", ")
            throw MergeError("shard\(missing.count == 1 ? "" : "s") \(missing.map { "\($0)/\(count)" }.joined(separator: ", ")) "
                + "\(missing.count == 1 ? "is" : "are") missing; given: \(given)")
        }
    }

    static func kindMismatch(_ a: ShardInput, _ b: ShardInput) -> MergeError {
        MergeError("\(a.path) holds \(a.kind) but \(b.path) holds \(b.kind); merge the shards of one run or of one sweep")
    }

    /// The path with `.`/`..` and symbolic links resolved, to recognise one file given twice.
    static func canonicalPath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
