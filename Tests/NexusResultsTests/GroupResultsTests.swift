import Foundation
import NexusGateway
import NexusResults
import NexusScenario
import NexusSim
import Testing

/// Per-tier and per-class results: exact sums of the run's counts, stored and merged like the rest, shown
/// in the text with every section the scenario has.
@Suite("Per-tier and per-class results, and the text's sections")
struct GroupResultsTests {
    @Test("the classes' counts, histograms and costs add up exactly to the run's; a tier is its classes")
    func classesAddUp() throws {
        let scenario = try ShardRuns.shipped("month-forecast.yaml", overrides: [("simulation.duration", "90m")])
        let report = Experiment.report(scenario: scenario, seed: 5, policy: ReplicationPolicy(replications: 1))
        let s = report.replications[0]
        #expect(s.byClass.count == scenario.traffic.classes.count)
        #expect(s.byClass.map(\.requests).reduce(0, +) == s.requests)
        #expect(s.byClass.map(\.succeeded).reduce(0, +) == s.succeeded)
        #expect(s.byClass.map(\.failed).reduce(0, +) == s.failed)
        #expect(s.byClass.map(\.rejected).reduce(0, +) == s.rejected)
        #expect(s.rejected > 0 && s.succeeded > 0)
        #expect(s.byClass.map(\.latency.count).reduce(0, +) == s.latency.count)
        #expect(s.byClass.map(\.ttft.count).reduce(0, +) == s.ttft.count)
        #expect(abs(s.byClass.map(\.cost.dollars).reduce(0, +) - s.modelCost.dollars) < 1e-9)
        // The classes' histograms (2 significant digits) merged give the run's p95 within 1 %, never below it.
        var merged = RequestGroupStats()
        for c in s.byClass { merged.merge(c) }
        #expect(merged.latency.count == s.latency.count && abs(merged.latency.sumNanos - s.latency.sumNanos) <= 1e-6 * s.latency.sumNanos)
        let p95 = try #require(s.latency.percentileMillis(95)), classesP95 = try #require(merged.latency.percentileMillis(95))
        #expect(classesP95 >= p95 * 0.999 && classesP95 <= p95 * 1.01, "\(classesP95) vs \(p95)")
        // A tier's stats are its classes' merged when the run ends.
        for (t, tier) in scenario.tiers.enumerated() {
            let members = scenario.traffic.classes.indices.filter { scenario.traffic.classes[$0].tier == tier.name }
            #expect(s.byTier[t].requests == members.map { s.byClass[$0].requests }.reduce(0, +))
            #expect(s.byTier[t].latency.count == members.map { s.byClass[$0].latency.count }.reduce(0, +))
        }
        for tier in scenario.tiers.map(\.name) {
            let members = scenario.traffic.classes.filter { $0.tier == tier }.map(\.name)
            let sum = members.map { report.estimate("by_class.\($0).requests")!.mean }.reduce(0, +)
            #expect(report.estimate("by_tier.\(tier).requests")?.mean == sum)
            let succeeded = members.map { report.estimate("by_class.\($0).succeeded")!.mean }.reduce(0, +)
            #expect(report.estimate("by_tier.\(tier).availability")?.mean == (sum == 0 ? nil : succeeded / sum))
        }
    }

    @Test("per-class results survive the stored summary bit for bit")
    func stored() throws {
        let scenario = try ShardRuns.shipped("cache-ttl.yaml", overrides: [("simulation.duration", "20m"), ("simulation.warmup", "2m")])
        let report = Experiment.report(scenario: scenario, seed: 2, policy: ReplicationPolicy(replications: 2, threads: 2))
        let decoded = try report.replications.map { try RunSummary(storedJSON: $0.storedJSON()) }
        let again = RunReport(scenario: scenario, seed: 2, replications: decoded)
        #expect(again.json.rendered() == report.json.rendered())
        for name in report.definitions.map(\.name) where name.hasPrefix("by_tier.") || name.hasPrefix("by_class.") {
            #expect(again.estimate(name) == report.estimate(name) || (again.estimate(name)!.mean.isNaN && report.estimate(name)!.mean.isNaN), "\(name)")
        }
    }

    @Test("a run as shards merges into exactly the unsharded per-tier and per-class results")
    func shardsMerge() throws {
        try withTemporaryDirectory { dir in
            let scenario = try ShardRuns.shipped("baseline.yaml", overrides: [("simulation.duration", "15m"), ("simulation.warmup", "1m")])
            let whole = Experiment.report(scenario: scenario, seed: 9, policy: ReplicationPolicy(replications: 3, threads: 2))
            let shards = try ShardRuns.shards(scenario, count: 3, in: dir, seed: 9, replications: 3)
            let merged = try ShardRuns.mergedRun(shards, into: nil)
            for tier in scenario.tiers.map(\.name) {
                for key in ["requests", "latency_ms.p95", "ttft_ms.p95", "cost_usd.per_request"] {
                    #expect(merged.report.estimate("by_tier.\(tier).\(key)") == whole.estimate("by_tier.\(tier).\(key)"))
                }
            }
            #expect(merged.report.estimate("by_class.legal.latency_ms.p99") == whole.estimate("by_class.legal.latency_ms.p99"))
        }
    }

    @Test("the text shows the budget: alerts, exhaustion with date and time, refused")
    func budgetText() throws {
        let scenario = try ShardRuns.shipped("month-forecast.yaml", overrides: [("simulation.duration", "90m")])
        let report = Experiment.report(scenario: scenario, seed: 3, policy: ReplicationPolicy(replications: 1))
        let text = report.text
        #expect(text.contains("  budget (action block; limits monthly $1000.00, daily $50.00"))
        #expect(text.contains("    alerts                    \(report.replications[0].budgetAlerts.count)"))
        let at = try #require(report.replications[0].budgetExhaustedAt)
        #expect(text.contains(String(format: "(t = %.2f h) (day limit)", Double(at) / 3.6e12)))
        #expect(text.contains("    refused (budget_exceeded) \(report.replications[0].count(.budgetExceeded))"))
        #expect(text.contains("budget_exceeded (rejected)"))
        #expect(text.contains("  not answered, by reason"))
        #expect(text.contains("  by tier") && text.contains("  by class"))
    }

    @Test("the text shows the cache: hit rate overall and per cache class, savings")
    func cacheText() throws {
        let report = try TargetNamespaceTests.cacheReport()
        let text = report.text
        let s = report.replications[0]
        #expect(text.contains("    hit rate                  \(MetricUnit.fraction.format(s.cacheHitRate))  (\(s.cacheHits) hits, \(s.cacheMisses) misses"))
        #expect(text.contains("    hit rate by cache class   simple "))
        #expect(text.contains("    saved                     \(MetricUnit.dollars.format(s.cacheSaved.dollars))"))
    }

    @Test("the text shows autoscaling: instances, scale events, instance-hours, infrastructure cost")
    func autoscalingText() throws {
        let scenario = try ShardRuns.shipped("traffic-spike.yaml", overrides: [("simulation.duration", "15h"), ("simulation.warmup", "13h")])
        let report = Experiment.report(scenario: scenario, seed: 1, policy: ReplicationPolicy(replications: 1))
        let s = report.replications[0]
        let text = report.text
        #expect(s.scaleEvents.count > 0)
        #expect(text.contains("    instances                 \(s.minInstances)–\(s.maxInstances)"))
        #expect(text.contains("    scale events              \(s.scaleEvents.count)"))
        #expect(text.contains("    instance-hours            " + String(format: "%.2f", s.instanceHours)))
        #expect(text.contains("    infrastructure cost       \(MetricUnit.dollars.format(s.infrastructureCost.dollars))"))
    }

    @Test("what ran: the arrivals and a changed parameter, next to a description that quotes a default")
    func whatRan() throws {
        let scenario = try ShardRuns.shipped("cache-ttl.yaml", parameters: [("daily_requests", "250k")],
                                             overrides: [("simulation.duration", "1h")])
        let report = Experiment.report(scenario: scenario, seed: 3, policy: ReplicationPolicy(replications: 1))
        let text = report.text
        let arrivals = report.replications[0].requestsSimulated
        #expect(text.contains("Ran: 1 h of Poisson arrivals at 2.89/s (250.0k/day) — \(arrivals) requests arrived"))
        #expect(text.contains("Changed from the scenario file: parameters daily_requests=250k (default 1M); overrides simulation.duration=1h"))
        // Unchanged: no such line.
        let plain = Experiment.report(scenario: try ShardRuns.shipped("baseline.yaml", overrides: []),
                                      seed: 3, policy: ReplicationPolicy(replications: 1))
        #expect(!plain.text.contains("Changed from the scenario file"))
    }
}
