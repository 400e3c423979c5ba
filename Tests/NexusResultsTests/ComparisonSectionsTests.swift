import Foundation
import NexusResults
import NexusScenario
import Testing

@Suite("Compare: every section, B − A everywhere, a storable value")
struct ComparisonSectionsTests {
    static func comparison() throws -> Comparison {
        // B has more gateway instances on a queue-bound baseline: shorter latency, same traffic and cost.
        let a = try ShardRuns.shipped("baseline.yaml", parameters: [("instances", "1")],
                                      overrides: [("simulation.duration", "20m"), ("simulation.warmup", "2m"), ("gateway.concurrency", "20")])
        let b = try ShardRuns.shipped("baseline.yaml", parameters: [("instances", "3")],
                                      overrides: [("simulation.duration", "20m"), ("simulation.warmup", "2m"), ("gateway.concurrency", "20")])
        let policy = ReplicationPolicy(replications: 3, threads: 2)
        return Comparison(a: Experiment.report(scenario: a, seed: 4, policy: policy), b: Experiment.report(scenario: b, seed: 4, policy: policy),
                          labelA: "instances=1", labelB: "instances=3")
    }

    @Test("tiers, classes, models and failure reasons are compared, with B − A signs in text and JSON")
    func sections() throws {
        let c = try Self.comparison()
        let sections = Set(c.result.metrics.map(\.section))
        for section in ["overall", "cost", "by_tier", "by_class", "by_model"] { #expect(sections.contains(section), "\(section)") }
        let p95 = try #require(c.row("latency_ms.p95"))
        let tierP95 = try #require(c.row("by_tier.mission_critical.latency_ms.p95"))
        // More instances: less queueing, so B − A is negative.
        #expect(p95.difference.mean < 0 && p95.isSignificant)
        #expect(tierP95.difference.mean < 0)
        #expect(abs(p95.difference.mean - (p95.b.mean - p95.a.mean)) < 1e-6)
        #expect(p95.relativeChange.map { $0 < 0 } == true)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(c.json.rendered().utf8)) as? [String: Any])
        #expect(json["difference"] as? String == "B − A")
        let rows = try #require(json["metrics"] as? [[String: Any]])
        let row = try #require(rows.first { $0["metric"] as? String == "latency_ms.p95" })
        #expect((row["difference"] as? Double).map { $0 < 0 } == true)
        #expect((row["relative_change"] as? Double).map { $0 < 0 } == true)
        #expect(row["unit"] as? String == "milliseconds" && row["section"] as? String == "overall")
        let text = c.text
        #expect(text.contains("  per tier") && text.contains("  per class") && text.contains("  per model"))
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("* latency_ms.p95 ") })
        #expect(line.contains(" −"))
        // Rows 0 on both sides are left out (the baseline has no budget rejections).
        #expect(c.row("failure_reasons.budget_exceeded").map { !$0.isInformative } == true)
        #expect(!c.result.metrics.contains { $0.metric == "failure_reasons.budget_exceeded" })
    }

    @Test("the comparison is a Codable value whose JSON is compare --json's")
    func codable() throws {
        let c = try Self.comparison()
        let stored = try c.result.storedJSON()
        let back = try ComparisonResult(storedJSON: stored)
        #expect(back == c.result)
        // Reading compare --json gives the same value.
        #expect(try ComparisonResult(storedJSON: c.json.rendered()) == c.result)
        #expect(back.a == "instances=1" && back.b == "instances=3" && back.replications == 3 && back.seed == 4)
    }
}
