import Foundation
import NexusResults
import NexusScenario
import NexusSim
import Testing

@Suite("Merging shards")
struct ShardMergeTests {
    @Test("8 replications run as 4 shards merge into exactly the unsharded run, whatever the input order")
    func mergeEqualsUnsharded() throws {
        try withTemporaryDirectory { dir in
            let scenario = try ShardRuns.businessWeek()
            let wholePath = dir.appendingPathComponent("whole.sqlite").path
            let (whole, wholeID) = try ShardRuns.run(scenario, into: wholePath, replications: 8)
            let shards = try ShardRuns.shards(scenario, count: 4, in: dir, replications: 8)
            let outPath = dir.appendingPathComponent("merged.sqlite").path

            let merged = try ShardRuns.mergedRun([shards[2], shards[0], shards[3], shards[1]], into: outPath)
            #expect(merged.shardCount == 4 && merged.command == "run" && merged.forecast == nil)
            #expect(merged.report.replications.map(\.replication) == Array(0..<8))
            // The JSON contract and the summary, byte for byte (MSER-5 warm-up, intervals, merged histograms).
            #expect(merged.report.json.rendered() == whole.json.rendered())
            #expect(merged.report.text == whole.text)
            #expect(merged.report.scenario.simulation.warmupNanos == whole.scenario.simulation.warmupNanos)

            // Stored like the unsharded run: metrics, series, replications, summary; a finished whole run.
            let wholeStore = try ResultsStore(path: wholePath)
            let out = try ResultsStore(path: outPath)
            let id = try #require(merged.runID)
            #expect(try out.metrics(runID: id) == wholeStore.metrics(runID: wholeID))
            #expect(try out.allSeries(runID: id) == wholeStore.allSeries(runID: wholeID))
            #expect(try out.replications(runID: id) == wholeStore.replications(runID: wholeID))
            let run = try #require(try out.run(id: id))
            let original = try #require(try wholeStore.run(id: wholeID))
            #expect(run.status == .finished && run.shard == .whole)
            #expect(run.summaryJSON == original.summaryJSON)
            #expect(run.scenarioSHA256 == original.scenarioSHA256 && run.parametersJSON == original.parametersJSON)
            #expect(run.overridesJSON == original.overridesJSON && run.warmupNanos == original.warmupNanos)
            #expect(run.command == "run" && run.replications == 8 && run.seed == 1)

            // Deterministic and independent of the order of the files.
            let again = try ShardRuns.mergedRun(shards.reversed(), into: nil)
            #expect(again.report.json.rendered() == merged.report.json.rendered())
            #expect(again.runID == nil)
            // A merged (whole) run is not a shard: merging it alone is refused, not "merged 1 shard".
            let refused = try #require(ShardRuns.mergeError([outPath]))
            #expect(refused.contains("\(outPath) holds a run (run \(id)), which is not a shard"))
        }
    }

    @Test("merged equals unsharded on the shipped scenarios: budgets, cache, autoscaling, outages, trace replay",
          arguments: [
              ("month-forecast.yaml", [("daily_requests", "10k"), ("daily_budget", "$10"), ("user_budget", "$0.5")],
               [("simulation.duration", "2d")]),
              ("cache-ttl.yaml", [("daily_requests", "50k")], [("simulation.duration", "2h")]),
              ("traffic-spike.yaml", [("daily_requests", "20k"), ("policy", "hpa")], []),
              ("provider-outage.yaml", [("daily_requests", "20k")], []),
              ("replay-azure.yaml", [("rate_scale", "2")], []),
          ] as [(String, [(String, String)], [(String, String)])])
    func shippedScenarios(file: String, parameters: [(String, String)], overrides: [(String, String)]) throws {
        try withTemporaryDirectory { dir in
            let scenario = try ShardRuns.shipped(file, parameters: parameters, overrides: overrides)
            let whole = Experiment.report(scenario: scenario, seed: 7, policy: ReplicationPolicy(replications: 3, threads: 2))
            let shards = try ShardRuns.shards(scenario, count: 3, in: dir, seed: 7, replications: 3)
            let merged = try ShardRuns.mergedRun(shards, into: dir.appendingPathComponent("out.sqlite").path)
            #expect(merged.report.json.rendered() == whole.json.rendered(), "\(file)")
        }
    }

    @Test("a sweep run as shards merges into the unsharded sweep: points, verdicts, Pareto front")
    func sweep() throws {
        try withTemporaryDirectory { dir in
            let target = try GateTarget(TargetSpec.parse("p95_latency < 3.5s", location: nil, keyPath: "targets[0]"))
            let grid = try SweepGrid(flags: ["servers=9,12"])
            let scenarios = try grid.points.map { point in
                try Scenarios.mmc([("servers", point[0].value), ("arrival_rate", "8"), ("duration_s", "200"), ("warmup_s", "30")],
                                  targets: ["p95_latency < 3.5s"])
            }
            func sweep(_ shard: Shard, into path: String) throws -> SweepResult {
                let store = try ResultsStore(path: path)
                let ids = try scenarios.map {
                    try store.beginRun(command: "sweep", scenario: $0, scenarioPath: $0.sourcePath, seed: 2, replications: 3,
                                       shard: shard, toolVersion: "test")
                }
                let reports = Experiment.reports(scenarios: scenarios, seed: 2, replications: 3, shard: shard, threads: 2)
                let result = SweepResult(points: zip(grid.points, reports).map { ($0, $1) }, targets: [target])
                for (id, point) in zip(ids, result.points) { try store.finishRun(id: id, report: point.report, verdicts: point.verdicts) }
                try store.saveSweep(SweepRecord(
                    scenarioName: "mmc", grid: grid.axes, seed: 2, replications: 3,
                    points: zip(ids, result.points).map {
                        SweepRecord.Point(runID: $0, assignment: $1.assignment.map { ($0.name, $0.value) },
                                          meetsTargets: $1.meetsTargets, onParetoFront: $1.onParetoFront)
                    }))
                return result
            }
            let whole = try sweep(.whole, into: dir.appendingPathComponent("whole.sqlite").path)
            let paths = try (1...3).map { i in
                let path = dir.appendingPathComponent("sweep-\(i).sqlite").path
                _ = try sweep(Shard(index: i, of: 3), into: path)
                return path
            }
            let outPath = dir.appendingPathComponent("out.sqlite").path
            guard case .sweep(let merged) = try ShardMerge.merge(shards: [paths[1], paths[2], paths[0]], into: outPath) else {
                Issue.record("expected a sweep")
                return
            }
            #expect(merged.result.json.rendered() == whole.json.rendered())
            #expect(merged.result.text == whole.text)
            #expect(merged.result.points.map(\.meetsTargets) == whole.points.map(\.meetsTargets))
            let out = try ResultsStore(path: outPath)
            let stored = try #require(try out.sweep(containingRun: merged.runIDs[0]))
            #expect(stored.id == merged.sweepID && stored.replications == 3 && stored.points.count == 2)
            #expect(stored.grid?.map(\.name) == ["servers"] && stored.grid?.first?.values == ["9", "12"])
            #expect(stored.points.map { $0.assignment.map(\.1) } == [["9"], ["12"]])
            #expect(try out.targets(runID: merged.runIDs[1]).map(\.target) == ["p95_latency < 3.5s"])
        }
    }

    @Test("a forecast run as shards merges into the unsharded forecast")
    func forecast() throws {
        try withTemporaryDirectory { dir in
            let base = try Scenarios.mmc([("servers", "2"), ("arrival_rate", "0.002")])
            let whole = MonthForecast.run(scenario: base, year: 2026, month: 2, seed: 4, replications: 2, threads: 2)
            let paths = try (1...2).map { i in
                let path = dir.appendingPathComponent("forecast-\(i).sqlite").path
                let shard = Shard(index: i, of: 2)
                let store = try ResultsStore(path: path)
                let id = try store.beginRun(command: "forecast", scenario: MonthForecast.scenario(base, year: 2026, month: 2),
                                            scenarioPath: base.sourcePath, seed: 4, replications: 2, shard: shard,
                                            forecastMonth: "2026-02", toolVersion: "test")
                let part = MonthForecast.run(scenario: base, year: 2026, month: 2, seed: 4, replications: 2, threads: 2, shard: shard)
                try store.finishRun(id: id, report: part.report, verdicts: [])
                return path
            }
            let merged = try ShardRuns.mergedRun(paths.reversed(), into: nil)
            let forecast = try #require(merged.forecast)
            #expect(merged.command == "forecast")
            #expect(forecast.json.rendered() == whole.json.rendered())
            #expect(forecast.csv == whole.csv)
        }
    }

    @Test("errors: missing, duplicate and foreign shards, unfinished runs, files, kinds")
    func errors() throws {
        try withTemporaryDirectory { dir in
            let scenario = try Scenarios.small(duration: 60)
            let shards = try ShardRuns.shards(scenario, count: 3, in: dir, replications: 3)
            func contains(_ paths: [String], _ expected: String, into output: String? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
                let message = ShardRuns.mergeError(paths, into: output)
                #expect(message?.contains(expected) == true, "\(message ?? "no error")", sourceLocation: sourceLocation)
            }
            contains([shards[0], shards[2]], "shard 2/3 is missing")
            contains([shards[1]], "shards 1/3, 3/3 are missing")

            let copy = dir.appendingPathComponent("copy-of-1.sqlite").path
            try FileManager.default.copyItem(atPath: shards[0], toPath: copy)
            contains([shards[0], shards[1], shards[2], copy], "shard 1/3 is given twice")
            contains([shards[0], shards[1], shards[0]], "is given twice")

            // Another seed, another parameter value, another shard count, another replication count.
            let seed = dir.appendingPathComponent("seed.sqlite").path
            try ShardRuns.run(scenario, into: seed, seed: 2, replications: 3, shard: Shard(index: 2, of: 3))
            contains([shards[0], seed, shards[2]], "not shards of the same run: the seed differs (1 vs 2)")
            let other = dir.appendingPathComponent("other.sqlite").path
            try ShardRuns.run(try Scenarios.small(servers: 11, duration: 60), into: other, replications: 3, shard: Shard(index: 2, of: 3))
            contains([shards[0], other, shards[2]], "the parameters differ")
            let four = dir.appendingPathComponent("four.sqlite").path
            try ShardRuns.run(scenario, into: four, replications: 4, shard: Shard(index: 2, of: 4))
            contains([shards[0], four], "the replication count differs (3 vs 4)")
            let halves = try ShardRuns.shards(scenario, count: 2, in: dir, replications: 3, prefix: "half")
            contains([shards[0], halves[1], shards[2]], "the shard count differs (3 vs 2)")
            // The same scenario with one more comment line is another scenario text.
            let edited = dir.appendingPathComponent("mmc-edited.yaml").path
            try (String(contentsOfFile: Scenarios.mmc, encoding: .utf8) + "# edited\n").write(toFile: edited, atomically: true, encoding: .utf8)
            let text = dir.appendingPathComponent("text.sqlite").path
            try ShardRuns.run(try ScenarioLoader.load(path: edited, parameters: scenario.parameters.map { ($0.name, $0.value) }),
                              into: text, replications: 3, shard: Shard(index: 2, of: 3))
            contains([shards[0], text, shards[2]], "the scenario text differs")
            let overridden = dir.appendingPathComponent("overridden.sqlite").path
            try ShardRuns.run(try ScenarioLoader.load(path: Scenarios.mmc, parameters: scenario.parameters.map { ($0.name, $0.value) },
                                                      overrides: [Override(path: "gateway.queue_limit", value: "100")]),
                              into: overridden, replications: 3, shard: Shard(index: 2, of: 3))
            contains([shards[0], overridden, shards[2]], #"the overrides differ ({} vs {"gateway.queue_limit":"100"})"#)

            // A shard still running (or interrupted) is not finished.
            let running = dir.appendingPathComponent("running.sqlite").path
            try ResultsStore(path: running).beginRun(command: "run", scenario: scenario, scenarioPath: scenario.sourcePath,
                                                     seed: 1, replications: 3, shard: Shard(index: 2, of: 3), toolVersion: "test")
            contains([shards[0], running, shards[2]], "is running, not finished; run that shard again")
            // A finished run without its replications (written without them) cannot be merged.
            let bare = dir.appendingPathComponent("bare.sqlite").path
            let store = try ResultsStore(path: bare)
            let id = try store.beginRun(command: "run", scenario: scenario, scenarioPath: scenario.sourcePath, seed: 1,
                                        replications: 3, shard: Shard(index: 2, of: 3), toolVersion: "test")
            try store.finishRun(id: id, metrics: [], series: [], warmupNanos: scenario.simulation.warmupNanos, summaryJSON: "{}")
            contains([shards[0], bare, shards[2]], "it holds replications [], but shard 2/3 of a run of 3 replications must hold [1]")

            contains([shards[0], dir.appendingPathComponent("nope.sqlite").path], "nope.sqlite: no such file")
            let empty = dir.appendingPathComponent("empty.sqlite").path
            _ = try ResultsStore(path: empty)
            contains([empty], "holds no runs")
            contains(shards, "is also an input", into: shards[1])
            contains([], "give the shard databases")

            // A failed merge stores nothing.
            let out = dir.appendingPathComponent("not-written.sqlite").path
            contains([shards[0]], "missing", into: out)
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }
}
