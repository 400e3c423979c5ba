import Foundation
import NexusResults
import NexusScenario
import NexusSim
import Testing

@Suite("Statistics: MSER-5, paired comparisons, interval coverage")
struct StatisticsTests {
    @Test("MSER-5 truncates an initial transient and nothing from a stationary series")
    func mser5() {
        // 20 windows decaying from 100 to the level 10, then 180 windows around 10.
        let transient = (0..<20).map { 10 + 90 * exp(-Double($0) / 4) }
        let stationary = (0..<180).map { 10 + sin(Double($0) * 1.7) }
        let cut = MSER5.truncation(transient + stationary)
        #expect(cut % 5 == 0)
        #expect(cut >= 10 && cut <= 25, "cut \(cut)")
        #expect(MSER5.truncation(stationary) <= 5)
        // NaN windows (nothing finished) are left out, not taken as zeros.
        var gappy = transient + stationary
        gappy[100] = .nan
        #expect(MSER5.truncation(gappy) == cut)
        #expect(MSER5.truncation([1, 2, 3]) == 0)
    }

    @Test("MSER-5 warm-up: the pilot's truncation becomes the run's warm-up")
    func mser5Warmup() throws {
        // An M/M/c at ρ = 0.8 whose first 20 minutes are overloaded (a start-up burst at 1.4× the rate, above
        // capacity): the queue builds for 20 minutes and drains in about 12. MSER-5 must cut that transient.
        // (A ρ = 0.97 queue starting empty was used first: its truncation depended on the seed; this one
        // truncates 30–45 windows for each of seeds 1–12.)
        var scenario = try Scenarios.mmc([("servers", "10"), ("arrival_rate", "8"), ("duration_s", "20000"), ("warmup_s", "0")],
                                         overrides: [("simulation.warmup", "mser5"),
                                                     ("traffic.arrivals.spikes", "[{start: 0s, duration: 20m, multiplier: 1.4}]")])
        #expect(scenario.simulation.warmupMethod == .mser5)
        var pilotScenario = scenario
        pilotScenario.simulation.warmupNanos = 0
        let pilot = Simulation(plan: SimulationPlan(pilotScenario), baseSeed: 3, replication: 0).run()
        let windows = MSER5.truncation(pilot.series.meanLatencyMillis)
        #expect(windows >= 20 && windows % 5 == 0, "truncated \(windows) windows")
        // The windows it cuts are far slower than the rest: a real initial transient.
        let cut = pilot.series.meanLatencyMillis.prefix(windows).reduce(0, +) / Double(windows)
        let rest = pilot.series.meanLatencyMillis[windows...].filter(\.isFinite)
        #expect(cut > 3 * rest.reduce(0, +) / Double(rest.count))
        let decided = Experiment.withWarmup(scenario, seed: 3)
        #expect(decided.simulation.warmupNanos == Int64(windows) * 60_000_000_000)
        let report = Experiment.report(scenario: scenario, seed: 3, policy: ReplicationPolicy(replications: 1))
        #expect(report.scenario.simulation.warmupNanos == decided.simulation.warmupNanos)
        scenario.simulation.warmupNanos = decided.simulation.warmupNanos
        scenario.simulation.warmupMethod = .fixed
        let fixed = Experiment.report(scenario: scenario, seed: 3, policy: ReplicationPolicy(replications: 1))
        #expect(report.estimate("requests")?.mean == fixed.estimate("requests")?.mean)
        #expect(report.json.rendered().contains("\"warmup_method\": \"mser5\""))
    }

    @Test("an interval is cut to the metric's range: a share's stays within 0...1, a count's above 0")
    func intervalsStayWithinTheMetricsRange() throws {
        // Mean 0.99, s = 0.0141, n = 2: t = 12.71, so the raw interval is 0.99 ± 0.127.
        let share = Estimate([1.0, 0.98], range: 0...1)
        let interval = try #require(share.ci95)
        #expect(interval.upperBound == 1)
        #expect(abs(interval.lowerBound - (0.99 - 12.706204736174707 * 0.01)) < 1e-9)
        let unbounded = try #require(Estimate([1.0, 0.98]).ci95)
        #expect(unbounded.upperBound > 1.1)
        let count = try #require(Estimate([0, 3], range: 0...Double.infinity).ci95)
        #expect(count.lowerBound == 0 && count.upperBound > 3)
        let ranges = Dictionary(uniqueKeysWithValues: RunReport.metricDefinitions.map { ($0.name, $0.range) })
        #expect(ranges["availability"] == 0...1 && ranges["error_rate"] == 0...1)
        #expect(ranges["latency_ms.p95"] == 0...Double.infinity)
    }

    @Test("a precision goal adds replications until the p95's interval is narrow enough")
    func precision() throws {
        let scenario = try Scenarios.small(duration: 200)
        let report = Experiment.report(scenario: scenario, seed: 1,
                                       policy: ReplicationPolicy(replications: 2, relativePrecision: 0.03, maxReplications: 40))
        let p95 = try #require(report.estimate("latency_ms.p95"))
        #expect(report.replications.count > 2)
        #expect(report.replications.count == 40 || p95.relativeHalfWidth! <= 0.03)
        let capped = Experiment.report(scenario: scenario, seed: 1,
                                       policy: ReplicationPolicy(replications: 2, relativePrecision: 0.0001, maxReplications: 6))
        #expect(capped.replications.count == 6)
        // Replication i keeps its index (hence its derived seed) however the batches fell.
        #expect(capped.replications.map(\.replication) == Array(0..<6))
        #expect(Array(report.replications.prefix(6)).map(\.seed) == capped.replications.map(\.seed))
    }

    @Test("common random numbers: the paired interval is narrower than the independent one on the same pair")
    func pairedNarrowerThanIndependent() throws {
        // One more server: both sides see the same arrivals and service draws.
        let a = Scenarios.report(try Scenarios.small(servers: 10, rate: 8.5), seed: 7, replications: 10)
        let b = Scenarios.report(try Scenarios.small(servers: 11, rate: 8.5), seed: 7, replications: 10)
        let comparison = Comparison(a: a, b: b, labelA: "c=10", labelB: "c=11")
        for metric in ["latency_ms.mean", "latency_ms.p95"] {
            let row = try #require(comparison.row(metric))
            let paired = try #require(row.difference.ci95), independent = try #require(row.independentDifference.ci95)
            let pairedWidth = paired.upperBound - paired.lowerBound, independentWidth = independent.upperBound - independent.lowerBound
            #expect(pairedWidth < 0.8 * independentWidth, "\(metric): paired \(pairedWidth) vs independent \(independentWidth)")
            // Both intervals are centred on the same difference of means.
            #expect(abs(row.difference.mean - row.independentDifference.mean) < 1e-9 * max(1, abs(row.difference.mean)))
            // An extra server makes requests faster, clearly.
            #expect(row.isSignificant && row.difference.mean < 0)
        }
        // Arrivals are common to both: the request counts are identical, so the difference is exactly 0.
        let requests = try #require(comparison.row("requests"))
        #expect(requests.difference.mean == 0 && !requests.isSignificant)
        #expect(comparison.text.contains("* latency_ms.p95"))
    }

    @Test("M/M/1: the 95 % interval of the p95 covers ln(20)/(μ−λ) in about 95 % of 100 experiments")
    func p95Coverage() throws {
        // λ = 0.5/s, μ = 1/s: exact p95 = ln 20 / 0.5 ≈ 5.99 s. Each experiment: 8 replications of ~8000 requests.
        let lambda = 0.5, mu = 1.0
        let exact = log(20) / (mu - lambda) * 1000
        let scenario = try Scenarios.mmc([("servers", "1"), ("arrival_rate", String(lambda)), ("mean_service_s", "1"),
                                          ("duration_s", "16100"), ("warmup_s", "100")])
        let plan = SimulationPlan(scenario)
        let experiments = 100
        var covered = 0
        for seed in 1...UInt64(experiments) {
            let runs = Experiment.run(plan: plan, seed: seed * 1_000_003, replications: 8)
            let estimate = RunReport(scenario: scenario, seed: seed, replications: runs).estimate("latency_ms.p95")!
            if estimate.ci95!.contains(exact) { covered += 1 }
        }
        // Binomial(100, 0.95) lies in [88, 99] with probability > 99.8 %.
        #expect((88...99).contains(covered), "covered \(covered) of \(experiments)")
    }
}
