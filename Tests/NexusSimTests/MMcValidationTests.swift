import Foundation
import NexusScenario
import NexusSim
import Testing

/// The simulator against the M/M/c closed forms (DESIGN "Statistics"; issue: walking skeleton §8).
///
/// Tolerances are not loose constants: each check builds a Student-t interval from independent
/// replications (which accounts for the autocorrelation of waiting times) and asks it to cover the
/// exact value. Seeds are fixed, so the tests are deterministic.
@Suite struct MMcValidationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var lambda: Double
        var servers: Int
        var meanServiceSeconds: Double
        var testDescription: String { "λ=\(lambda)/s c=\(servers) 1/μ=\(meanServiceSeconds)s" }
        var mu: Double { 1 / meanServiceSeconds }
        var load: Double { lambda / (Double(servers) * mu) }
    }

    static let scenarioPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("../../Scenarios/validation/mmc.yaml").standardized.path

    /// Runs `replications` independent replications of the mmc scenario, each with about `requestsEach` requests.
    static func replicate(_ c: Case, requestsEach: Double, replications: Int, seed: UInt64) throws -> [RunSummary] {
        let warmup = 50 * (c.meanServiceSeconds / max(1 - c.load, 0.05))
        let scenario = try ScenarioLoader.load(path: scenarioPath, parameters: [
            ("arrival_rate", String(c.lambda)), ("servers", String(c.servers)),
            ("mean_service_s", String(c.meanServiceSeconds)),
            ("duration_s", String(requestsEach / c.lambda + warmup)), ("warmup_s", String(warmup)),
        ])
        let plan = SimulationPlan(scenario)
        return (0..<replications).map { Simulation(plan: plan, baseSeed: seed, replication: $0).run() }
    }

    /// Mean and half-width of a t interval at confidence 1 − α (two-sided), over `xs`.
    static func tInterval(_ xs: [Double], quantile t: Double) -> (mean: Double, halfWidth: Double) {
        let n = Double(xs.count)
        let mean = xs.reduce(0, +) / n
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        return (mean, t * (variance / n).squareRoot())
    }

    /// t(0.9995, 9): a 99.9 % two-sided interval for 10 replications, so that the suite as a whole
    /// (many intervals) is not expected to miss by chance.
    static let t999With9DF = 4.780_912_585_933_472

    @Test(arguments: [
        Case(lambda: 90, servers: 100, meanServiceSeconds: 1),   // c = 100 at 90 % load (the case)
        Case(lambda: 0.8, servers: 1, meanServiceSeconds: 1),    // M/M/1 at 80 %
        Case(lambda: 17, servers: 20, meanServiceSeconds: 1),    // 85 %
        Case(lambda: 40, servers: 8, meanServiceSeconds: 0.1),   // 50 %, fast service
    ])
    func meanAndP95MatchErlangC(_ c: Case) throws {
        let runs = try Self.replicate(c, requestsEach: 100_000, replications: 10, seed: 2026)
        let exactMean = MMc.meanResponse(lambda: c.lambda, mu: c.mu, servers: c.servers)
        let exactP95 = MMc.responseQuantile(0.95, lambda: c.lambda, mu: c.mu, servers: c.servers)

        let means = runs.map { $0.latency.meanMillis! / 1e3 }
        let m = Self.tInterval(means, quantile: Self.t999With9DF)
        #expect(abs(m.mean - exactMean) <= m.halfWidth, "mean \(m.mean) ± \(m.halfWidth) vs exact \(exactMean)")

        // p95: the share of responses above the exact p95 must be 5 %, within its interval.
        let exceed = runs.map { $0.latency.fractionAbove(nanos: Int64(exactP95 * 1e9)) }
        let e = Self.tInterval(exceed, quantile: Self.t999With9DF)
        // The histogram's 3-digit buckets place the threshold within 0.1 %: allow the tail mass in that sliver.
        let bucketBlur = MMc.responseTail(exactP95 * 0.999, lambda: c.lambda, mu: c.mu, servers: c.servers) - 0.05
        #expect(abs(e.mean - 0.05) <= e.halfWidth + bucketBlur, "P(T > p95) \(e.mean) ± \(e.halfWidth) vs 0.05")

        // Nothing may be lost: no errors, no failures, every counted request answered.
        #expect(runs.allSatisfy { $0.failed == 0 && $0.rejected == 0 && $0.unfinished == 0 && $0.succeeded == $0.requests })
    }

    /// The acceptance criterion: with load at most 0.85, one run of about a million requests gives
    /// mean and p95 within 2 % of the closed form.
    @Test(arguments: [
        Case(lambda: 85, servers: 100, meanServiceSeconds: 1),
        Case(lambda: 12, servers: 16, meanServiceSeconds: 1),
        Case(lambda: 2.5, servers: 4, meanServiceSeconds: 1.2),
        Case(lambda: 0.7, servers: 1, meanServiceSeconds: 1),
    ])
    func oneMillionRequestsWithinTwoPercent(_ c: Case) throws {
        let run = try Self.replicate(c, requestsEach: 1_000_000, replications: 1, seed: 7)[0]
        let exactMean = MMc.meanResponse(lambda: c.lambda, mu: c.mu, servers: c.servers)
        let exactP95 = MMc.responseQuantile(0.95, lambda: c.lambda, mu: c.mu, servers: c.servers)
        let mean = run.latency.meanMillis! / 1e3
        let p95 = run.latency.percentileMillis(95)! / 1e3
        #expect(run.requests > 950_000)
        #expect(abs(mean / exactMean - 1) < 0.02, "mean \(mean) vs \(exactMean)")
        #expect(abs(p95 / exactP95 - 1) < 0.02, "p95 \(p95) vs \(exactP95)")
    }
}
