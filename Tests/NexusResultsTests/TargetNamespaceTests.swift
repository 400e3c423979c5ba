import Foundation
import NexusGateway
import NexusResults
import NexusScenario
import NexusSim
import Testing

/// Targets on any number `run --json` reports: the namespace is the JSON's key paths, with units.
@Suite("Targets: the metric namespace is the JSON's key paths")
struct TargetNamespaceTests {
    /// The baseline with a response cache (cache-ttl.yaml) and the budgets (month-forecast.yaml), shortened.
    static func cacheReport(replications: Int = 1) throws -> RunReport {
        let scenario = try ShardRuns.shipped("cache-ttl.yaml", overrides: [("simulation.duration", "20m"), ("simulation.warmup", "2m")])
        return Experiment.report(scenario: scenario, seed: 3, policy: ReplicationPolicy(replications: replications, threads: 2))
    }

    static func budgetReport() throws -> RunReport {
        let scenario = try ShardRuns.shipped("month-forecast.yaml", overrides: [("simulation.duration", "90m")])
        return Experiment.report(scenario: scenario, seed: 3, policy: ReplicationPolicy(replications: 1))
    }

    /// Every numeric leaf of a JSON object, by dotted path; `_ci95` siblings and arrays are left out.
    static func numericLeaves(_ value: Any, prefix: String = "") -> [(String, Double)] {
        guard let object = value as? [String: Any] else { return [] }
        var out: [(String, Double)] = []
        for (key, member) in object where !key.hasSuffix("_ci95") {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            if let n = member as? NSNumber {
                out.append((path, n.doubleValue))
            } else if member is [String: Any] {
                out += numericLeaves(member, prefix: path)
            }
        }
        return out
    }

    /// Numbers of the JSON that describe the run's set-up rather than measure it.
    static func isSetting(_ path: String) -> Bool {
        ["seed", "replications", "users.population"].contains(path) || path.hasPrefix("simulated.") || path.hasPrefix("budget.limits.")
    }

    static func object(_ report: RunReport) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(report.json.rendered().utf8)) as? [String: Any])
    }

    @Test("every measured number of run --json is a metric whose estimate it is", arguments: [false, true])
    func jsonNumbersAreMetrics(budget: Bool) throws {
        let report = budget ? try Self.budgetReport() : try Self.cacheReport()
        let json = try Self.object(report)
        let leaves = Self.numericLeaves(json).filter { !Self.isSetting($0.0) }
        #expect(leaves.count > 150)
        for (path, value) in leaves {
            let estimate = try #require(report.estimate(path), "\(path) is in the JSON but not a metric")
            #expect(abs(estimate.mean - value) <= 1e-9 * max(abs(value), 1), "\(path)")
        }
        // The array of models: by_model.<provider/model>.<key>.
        for model in try #require(json["by_model"] as? [[String: Any]]) {
            let name = try #require(model["model"] as? String)
            for (key, value) in Self.numericLeaves(model) {
                let estimate = try #require(report.estimate("by_model.\(name).\(key)"), "by_model.\(name).\(key)")
                #expect(abs(estimate.mean - value) <= 1e-9 * max(abs(value), 1))
            }
        }
        #expect(budget ? json["budget"] != nil : json["cache"] != nil)
    }

    @Test("every metric of a run can be a target, with a bound in its unit")
    func everyMetricIsTargetable() throws {
        for report in [try Self.cacheReport(), try Self.budgetReport()] {
            for definition in report.definitions {
                let bound = switch definition.unit {
                case .milliseconds, .seconds: "1s"
                case .dollars: "$1"
                case .fraction: "50%"
                case .count: "1"
                }
                let spec = try TargetSpec.parse("\(definition.name) < \(bound)", location: nil, keyPath: "targets[0]")
                let target = try GateTarget(spec, for: report.scenario)
                #expect(target.metric == definition.name && target.unit == definition.unit)
                #expect(target.threshold == (definition.unit == .milliseconds ? 1000 : definition.unit == .fraction ? 0.5 : 1))
            }
        }
    }

    @Test("group targets: short prefixes, aliases within a group, the JSON's units", arguments: [
        ("tier.mission_critical.latency_ms.p95 < 2s", "by_tier.mission_critical.latency_ms.p95", 2000.0),
        ("by_tier.high_volume.availability >= 99.5%", "by_tier.high_volume.availability", 0.995),
        ("class.legal.p95_latency < 30s", "by_class.legal.latency_ms.p95", 30_000),
        ("class.drafts.ttft_p95 <= 800ms", "by_class.drafts.ttft_ms.p95", 800),
        ("cost_usd.by_tier.mission_critical < $40", "cost_usd.by_tier.mission_critical", 40),
        ("tier.business_operations.cost_usd.per_request < $0.001", "by_tier.business_operations.cost_usd.per_request", 0.001),
        ("cache.hit_rate >= 20%", "cache.hit_rate", 0.2),
        ("cache.by_class.simple.hit_rate > 0.5", "cache.by_class.simple.hit_rate", 0.5),
        ("failure_reasons.no_available_route <= 0", "failure_reasons.no_available_route", 0),
        ("model.openrouter/mistral-7b-instruct:free.cost_usd <= $0", "by_model.openrouter/mistral-7b-instruct:free.cost_usd", 0),
    ])
    func groupTargets(text: String, metric: String, bound: Double) throws {
        let scenario = try ShardRuns.shipped("cache-ttl.yaml")
        let target = try GateTarget(TargetSpec.parse(text, location: nil, keyPath: "targets[0]"), for: scenario)
        #expect(target.metric == metric)
        #expect(abs(target.threshold - bound) <= 1e-12)
    }

    @Test("budget targets: seconds for exhausted_at_s, shares, counts")
    func budgetTargets() throws {
        let scenario = try ShardRuns.shipped("month-forecast.yaml")
        func resolve(_ text: String) throws -> GateTarget {
            try GateTarget(TargetSpec.parse(text, location: nil, keyPath: "targets[0]"), for: scenario)
        }
        #expect(try resolve("budget.exhausted_at_s > 14d").threshold == 14 * 86_400)
        #expect(try resolve("budget.exhausted_at_s > 90m").unit == .seconds)
        #expect(try resolve("budget.exhausted_share <= 0%").threshold == 0)
        #expect(try resolve("budget.rejected < 1k").threshold == 1000)
        // Without a budget the budget's metrics do not exist.
        let plain = try ShardRuns.shipped("baseline.yaml")
        let error = try #require(throws: ScenarioError.self) {
            try GateTarget(TargetSpec.parse("budget.exhausted_at_s > 14d", location: nil, keyPath: "targets[0]"), for: plain)
        }
        #expect(error.message.contains("unknown metric 'budget.exhausted_at_s'"))
    }

    @Test("a bound without a unit on a metric that has one is an error naming the unit", arguments: [
        ("p95_latency < 2000", "in ms; the bound 2000 has no unit: write it as a duration such as 2s or 500ms"),
        ("tier.mission_critical.latency_ms.p95 < 2", "in ms; the bound 2 has no unit"),
        ("cost_per_request < 0.01", "in USD; the bound 0.01 has no unit: write it as money such as $0.01"),
        ("budget.exhausted_at_s > 3600", "in s; the bound 3600 has no unit"),
        ("availability >= 99.9", "a fraction between 0 and 1; found the number 99.9, write it as a percentage such as 99.9%"),
    ])
    func unitlessBound(text: String, message: String) throws {
        let scenario = try ShardRuns.shipped("month-forecast.yaml")
        let error = try #require(throws: ScenarioError.self) {
            try GateTarget(TargetSpec.parse(text, location: .file("s.yaml", line: 7, column: 5), keyPath: "targets[1]"), for: scenario)
        }
        #expect(error.message.contains(message), "\(error.message)")
        #expect(error.location == .file("s.yaml", line: 7, column: 5) && error.keyPath == "targets[1]")
    }

    @Test("a misspelt group metric gets the nearest valid name")
    func misspeltGroup() throws {
        let scenario = try ShardRuns.shipped("baseline.yaml")
        let error = try #require(throws: ScenarioError.self) {
            try GateTarget(TargetSpec.parse("by_tier.mission_critical.latency_ms.p59 < 2s", location: nil, keyPath: "targets[0]"), for: scenario)
        }
        #expect(error.suggestion == "by_tier.mission_critical.latency_ms.p95" || error.suggestion == "by_tier.mission_critical.latency_ms.p50")
    }

    @Test("run --json carries the targets with their verdicts, judged as gate judges them")
    func targetsInJSON() throws {
        var scenario = try ShardRuns.shipped("cache-ttl.yaml", overrides: [("simulation.duration", "20m"), ("simulation.warmup", "2m")])
        scenario.targets = try ["p95_latency < 2s", "availability >= 99%", "tier.mission_critical.ttft_p95 < 30s", "cache.hit_rate >= 1%"]
            .enumerated().map { try TargetSpec.parse($1, location: nil, keyPath: "targets[\($0)]") }
        for replications in [1, 2] {
            let report = Experiment.report(scenario: scenario, seed: 3, policy: ReplicationPolicy(replications: replications, threads: 2))
            let gate = GateReport(report: report, targets: try scenario.resolvedTargets(), targetsSource: "")
            let json = try Self.object(report)
            let targets = try #require(json["targets"] as? [[String: Any]])
            #expect(targets.count == 4)
            for (entry, verdict) in zip(targets, gate.verdicts) {
                #expect(entry["metric"] as? String == verdict.target.metric)
                #expect(entry["op"] as? String == verdict.target.comparison.rawValue)
                #expect((entry["value"] as? Double).map { abs($0 - verdict.mean) <= 1e-9 * max(verdict.mean, 1) } == true)
                #expect((entry["judged"] as? Double).map { abs($0 - verdict.judgedValue) <= 1e-9 * max(verdict.judgedValue, 1) } == true)
                #expect(entry["judged_on"] as? String == (replications == 1 ? "point_estimate" : verdict.target.comparison.isUpperLimit ? "upper_bound" : "lower_bound"))
                #expect(entry["met"] as? Bool == verdict.passed)
                #expect((entry["ci95"] != nil) == (replications >= 2))
            }
            // The bound as written, in the metric's unit.
            #expect(targets[0]["bound"] as? Double == 2000 && targets[0]["unit"] as? String == "milliseconds")
            #expect(targets[1]["bound"] as? Double == 0.99 && targets[1]["unit"] as? String == "fraction")
            // p95 to the last token is well above 2 s; the cache hits.
            #expect(targets[0]["met"] as? Bool == false && targets[3]["met"] as? Bool == true)
            let text = report.text
            #expect(text.contains("Targets: 1 of 4 missed"))
            #expect(text.contains("MISSED  p95_latency < 2s"))
            #expect(text.contains(replications == 1 ? "(point estimate); bound < 2.000 s" : "(upper bound of the 95 % interval); bound < 2.000 s"))
            #expect(text.contains("why: time to first token p95 is"))
        }
    }
}
