import Foundation
import NexusResults
import Testing

@Suite struct RunCommandTests {
    @Test func jsonIsTheOnlyStdoutAndFollowsTheContract() throws {
        let r = try CLI.run(["run", CLI.mmc, "--json", "--no-store"] + CLI.smallMMc)
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        for key in ["scenario", "seed", "replications", "requests", "succeeded", "failed", "rejected", "availability",
                    "error_rate", "latency_ms", "ttft_ms", "cost_usd", "compliance_violations", "by_model", "autoscaling"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        let latency = try #require(object["latency_ms"] as? [String: Double])
        #expect(Set(latency.keys) == ["p50", "p95", "p99", "mean", "max"])
        #expect(latency["p50"]! <= latency["p95"]! && latency["p95"]! <= latency["p99"]! && latency["p99"]! <= latency["max"]!)
        let requests = try #require(object["requests"] as? Int)
        let succeeded = try #require(object["succeeded"] as? Int)
        #expect(requests > 2000)
        #expect(succeeded == requests)
        #expect(object["availability"] as? Double == 1)
        let cost = try #require(object["cost_usd"] as? [String: Any])
        #expect(Set(cost.keys).isSuperset(of: ["total", "per_request", "per_conversation", "models", "infrastructure", "by_tier"]))
        #expect(cost["by_tier"] as? [String: Double] == ["only": 0])
    }

    @Test func runShowsTheTargetsVerdictsInTextAndJSON() throws {
        let targets = ["--set", "targets=[p95_latency < 10s, tier.only.ttft_p95 < 1ms, \"availability >= 99%\"]"]
        let json = try CLI.run(["run", CLI.mmc, "--json", "--no-store"] + CLI.smallMMc + targets)
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let verdicts = try #require(object["targets"] as? [[String: Any]])
        #expect(verdicts.map { $0["metric"] as? String } == ["latency_ms.p95", "by_tier.only.ttft_ms.p95", "availability"])
        #expect(verdicts.map { $0["met"] as? Bool } == [true, false, true])
        #expect(verdicts.map { $0["judged_on"] as? String } == ["point_estimate", "point_estimate", "point_estimate"])
        #expect(verdicts[1]["bound"] as? Double == 1 && verdicts[1]["unit"] as? String == "milliseconds")
        let tier = try #require((object["by_tier"] as? [String: Any])?["only"] as? [String: Any])
        #expect(tier["requests"] as? Int == object["requests"] as? Int)
        // `run` exits 0 whatever the verdicts (gate is the command whose exit code judges); the text says which missed.
        let text = try CLI.run(["run", CLI.mmc, "--no-store"] + CLI.smallMMc + targets)
        #expect(text.status == 0)
        #expect(text.stdout.contains("Targets: 1 of 3 missed"))
        #expect(text.stdout.contains("MISSED  tier.only.ttft_p95 < 1ms"))
        // A bound without its unit is bad input, before anything runs.
        let unitless = try CLI.run(["run", CLI.mmc, "--no-store", "--set", "targets=[p95_latency < 2000]"] + CLI.smallMMc)
        #expect(unitless.status == 2)
        #expect(unitless.stderr.contains("the bound 2000 has no unit: write it as a duration such as 2s or 500ms"), "\(unitless.stderr)")
    }

    @Test func sameSeedGivesByteIdenticalJSONAndAnotherSeedDoesNot() throws {
        let args = ["run", CLI.mmc, "--json", "--no-store"] + CLI.smallMMc
        let a = try CLI.run(args + ["--seed", "11"])
        let b = try CLI.run(args + ["--seed", "11"])
        let c = try CLI.run(args + ["--seed", "12"])
        #expect(a.status == 0 && b.status == 0 && c.status == 0)
        #expect(a.stdout == b.stdout)
        #expect(a.stdout != c.stdout)
    }

    @Test func replicationsAreIndependentOfThreadCountAndCarryIntervals() throws {
        let args = ["run", CLI.mmc, "--json", "--no-store", "--replications", "4"] + CLI.smallMMc
        let one = try CLI.run(args + ["--threads", "1"])
        let two = try CLI.run(args + ["--threads", "2"])
        #expect(one.status == 0 && two.status == 0)
        #expect(one.stdout == two.stdout)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any])
        let interval = try #require(object["requests_ci95"] as? [Double])
        let mean = try #require(object["requests"] as? Double)
        #expect(interval.count == 2 && interval[0] < mean && mean < interval[1])
        let latency = try #require(object["latency_ms"] as? [String: Any])
        let p95 = try #require(latency["p95"] as? Double)
        let p95Interval = try #require(latency["p95_ci95"] as? [Double])
        #expect(p95Interval[0] < p95 && p95 < p95Interval[1])
    }

    @Test func runIsStoredWithProvenance() throws {
        let dir = try CLI.temporaryDirectory()
        let db = dir.appendingPathComponent("results.sqlite").path
        let r = try CLI.run(["run", CLI.mmc, "--json", "--db", db, "--seed", "5", "--set", "gateway.instances=12"] + CLI.smallMMc)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("stored as run 1"))
        let store = try ResultsStore(path: db)
        let run = try #require(try store.latestRun())
        #expect(run.status == .finished)
        #expect(run.scenarioName == "mmc")
        #expect(run.seed == 5)
        let text = try String(contentsOf: CLI.root.appendingPathComponent(CLI.mmc), encoding: .utf8)
        #expect(run.scenarioText == text)
        #expect(run.scenarioSHA256 == SHA256.hexDigest(of: text))
        #expect(run.parametersJSON.contains("\"servers\":\"10\""))
        #expect(run.overridesJSON.contains("gateway.instances"))
        #expect(run.summaryJSON == r.stdout.trimmingCharacters(in: .newlines))
        let metrics = try store.metrics(runID: run.id)
        let p95 = try #require(metrics.first { $0.name == "latency_ms.p95" && $0.replication == nil })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(p95.value == (json["latency_ms"] as? [String: Double])?["p95"])
        #expect(try store.series(runID: run.id, name: "arrivals").count >= 5)
    }

    @Test func invalidScenarioStoresNothingAndExitsWithTwo() throws {
        let dir = try CLI.temporaryDirectory()
        let db = dir.appendingPathComponent("results.sqlite").path
        let r = try CLI.run(["run", CLI.mmc, "--db", db, "--set", "gateway.instancs=3"])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("command line (--set gateway.instancs=3)"))
        #expect(r.stderr.contains("did you mean 'instances'"))
        #expect(!FileManager.default.fileExists(atPath: db))
    }
}
