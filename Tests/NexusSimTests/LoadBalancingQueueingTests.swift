import Foundation
import NexusScenario
import NexusSim
import Testing

/// Load balancing across single-slot instances against queueing closed forms (Poisson arrivals at λ, exponential
/// service at μ, c instances). Each check builds a 99.9 % Student-t interval over 10 independent replications
/// and asks it to cover the exact value, as ``MMcValidationTests`` does.
///
/// - `random` splits a Poisson stream into c independent Poisson streams of λ/c: c independent M/M/1 queues.
/// - `round_robin` gives each instance every c-th arrival: Erlang-c interarrival times, an E_c/M/1 queue whose
///   response time is exponential with rate μ(1 − σ), σ the root in (0, 1) of σ = (λ / (λ + μ(1 − σ)))^c.
/// - `least_connections` (join the shortest queue) comes close to one shared queue, M/M/c (Erlang C), which is
///   a lower bound for it, and far below `random`.
@Suite struct LoadBalancingQueueingTests {
    static let lambda = 3.2, mu = 1.0, servers = 4

    static func runs(_ mode: LoadBalancing, seed: UInt64) throws -> [RunSummary] {
        let c = MMcValidationTests.Case(lambda: lambda, servers: servers, meanServiceSeconds: 1 / mu)
        let warmup = 50 * (c.meanServiceSeconds / (1 - c.load))
        var scenario = try ScenarioLoader.load(path: MMcValidationTests.scenarioPath, parameters: [
            ("arrival_rate", String(lambda)), ("servers", String(servers)), ("mean_service_s", String(1 / mu)),
            ("duration_s", String(40_000 / lambda + warmup)), ("warmup_s", String(warmup)),
        ])
        scenario.gateway.loadBalancing = mode
        let plan = SimulationPlan(scenario)
        return (0..<10).map { Simulation(plan: plan, baseSeed: seed, replication: $0).run() }
    }

    static func meanInterval(_ runs: [RunSummary]) -> (mean: Double, halfWidth: Double) {
        MMcValidationTests.tInterval(runs.map { $0.latency.meanMillis! / 1e3 }, quantile: MMcValidationTests.t999With9DF)
    }

    /// P(T > t) over the replications, as an interval.
    static func tailInterval(_ runs: [RunSummary], above seconds: Double) -> (mean: Double, halfWidth: Double) {
        MMcValidationTests.tInterval(runs.map { $0.latency.fractionAbove(nanos: Int64(seconds * 1e9)) }, quantile: MMcValidationTests.t999With9DF)
    }

    @Test func randomIsIndependentMM1Queues() throws {
        let runs = try Self.runs(.random, seed: 2026)
        let perInstance = Self.lambda / Double(Self.servers)
        let exactMean = 1 / (Self.mu - perInstance)            // 5 s at ρ = 0.8
        let exactP95 = log(20) / (Self.mu - perInstance)       // 14.98 s
        let m = Self.meanInterval(runs)
        #expect(abs(m.mean - exactMean) <= m.halfWidth, "mean \(m.mean) ± \(m.halfWidth) vs M/M/1 \(exactMean)")
        let e = Self.tailInterval(runs, above: exactP95)
        #expect(abs(e.mean - 0.05) <= e.halfWidth + 0.001, "P(T > p95) \(e.mean) ± \(e.halfWidth)")
        #expect(runs.allSatisfy { $0.failed == 0 && $0.succeeded == $0.requests })
    }

    @Test func roundRobinIsErlangArrivalsPerInstance() throws {
        let runs = try Self.runs(.roundRobin, seed: 2027)
        var sigma = 0.5
        for _ in 0..<500 { sigma = pow(Self.lambda / (Self.lambda + Self.mu * (1 - sigma)), Double(Self.servers)) }
        let rate = Self.mu * (1 - sigma)
        let m = Self.meanInterval(runs)
        #expect(abs(m.mean - 1 / rate) <= m.halfWidth, "mean \(m.mean) ± \(m.halfWidth) vs E4/M/1 \(1 / rate) (σ = \(sigma))")
        let e = Self.tailInterval(runs, above: log(20) / rate)
        #expect(abs(e.mean - 0.05) <= e.halfWidth + 0.001, "P(T > p95) \(e.mean) ± \(e.halfWidth)")
    }

    @Test func leastConnectionsApproachesMMc() throws {
        let runs = try Self.runs(.leastConnections, seed: 2028)
        let erlangC = MMc.meanResponse(lambda: Self.lambda, mu: Self.mu, servers: Self.servers)   // 1.75 s
        let m = Self.meanInterval(runs)
        // At or above the shared queue's value and within 15 % of it (join-the-shortest-queue at c = 4, ρ = 0.8
        // measures 1.94 s), well below round robin's E4/M/1 (3.27 s) and random's M/M/1 (5 s).
        #expect(m.mean + m.halfWidth >= erlangC, "mean \(m.mean) ± \(m.halfWidth) vs M/M/c \(erlangC)")
        #expect(m.mean <= erlangC * 1.15, "mean \(m.mean) vs M/M/c \(erlangC)")
        #expect(m.mean + m.halfWidth < 3.0, "mean \(m.mean) vs E4/M/1 3.27 s")
    }

    /// `global_queue` is M/M/c itself, and the default: the bundled scenarios' results do not move.
    @Test func globalQueueIsTheDefaultAndIsMMc() throws {
        #expect(try ScenarioLoader.load(path: MMcValidationTests.scenarioPath).gateway.loadBalancing == .globalQueue)
        let runs = try Self.runs(.globalQueue, seed: 2029)
        let m = Self.meanInterval(runs)
        let exact = MMc.meanResponse(lambda: Self.lambda, mu: Self.mu, servers: Self.servers)
        #expect(abs(m.mean - exact) <= m.halfWidth, "mean \(m.mean) ± \(m.halfWidth) vs \(exact)")
    }
}
