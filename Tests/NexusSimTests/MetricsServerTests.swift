import Foundation
import NexusGateway
import NexusScenario
import NexusSim
import Testing

/// Kubernetes' metrics-server between the instances and the HPA: the CPU rate between the two newest scrapes the
/// HPA can read (taken at least the lag ago), memory as it was at the newer one, and no metric for an instance
/// not in both — against hand-computed windows, then in whole runs whose first scale-up time follows from the
/// scrape schedule.
@Suite struct MetricsServerTests {
    static let second: Nanoseconds = 1_000_000_000

    /// Instances 0 and 1 ready from 0; each `startWork` charges 1 s of CPU. Scrapes at 0, 15, 30, 45, 60, 75, 90;
    /// lag 10 s.
    @Test func evaluationsReadTheNewestPublishedWindow() throws {
        var pool = InstancePool(spec: try InstancePoolTests.gateway("""
            instances: 2, concurrency: 10, cpu_per_request: 1s, startup_time: 12s,
            memory_limit: 1GiB, memory_base: 100MiB, memory_per_request: 10MiB,
            autoscaling: {policy: hpa, max_instances: 5, hpa: {metrics_server: {resolution: 15s, lag: 10s}}}
            """), billingFrom: 0, runSeed: 1)
        #expect(pool.metricsScrapeIntervalNanos == 15 * Self.second)
        pool.scrapeMetrics(now: 0)
        for _ in 0..<3 { pool.startWork(on: 0) }
        pool.scrapeMetrics(now: 15 * Self.second)
        pool.scrapeMetrics(now: 15 * Self.second)   // a second scrape at the same time is the same scrape
        for _ in 0..<6 { pool.startWork(on: 0) }
        for _ in 0..<3 { pool.startWork(on: 1) }
        #expect(pool.admit(0, generation: 1) == .serve(instance: 0))   // in flight on 0 at the 30 s scrape only
        pool.scrapeMetrics(now: 30 * Self.second)
        _ = pool.releaseSlot(on: 0, now: 32 * Self.second)
        for _ in 0..<15 { pool.startWork(on: 0) }

        func cpu(_ now: Nanoseconds) -> [Int64?] { pool.autoscalerMetrics(now: now * Self.second).instances.map(\.cpuMillis) }
        // At 39 s the 30 s scrape is not published yet (30 + 10 > 39): the window is [0 s, 15 s], 3 s of CPU.
        #expect(cpu(39) == [200, 0])
        // From 40 s it is: [15 s, 30 s] — 6 s and 3 s over 15 s.
        let at40 = pool.autoscalerMetrics(now: 40 * Self.second)
        #expect(at40.instances.map(\.cpuMillis) == [400, 200])
        // Memory as scraped at 30 s (one request in flight on 0, 110 MiB), requests in flight as now (none).
        #expect(at40.instances.map(\.memory) == [110 * 1024, 100 * 1024])
        #expect(at40.instances.map(\.inFlightMillis) == [0, 0])
        #expect(at40.instances.allSatisfy { $0.status == .ready })

        pool.scrapeMetrics(now: 45 * Self.second)
        #expect(cpu(55) == [1000, 0])
        // Instance 2 is launched at 50 s and ready at 62 s.
        let up = pool.scale(to: 3, now: 50 * Self.second)
        #expect(up?.launched == [2])
        #expect(pool.autoscalerMetrics(now: 55 * Self.second).instances.map(\.status) == [.ready, .ready, .pending])
        pool.scrapeMetrics(now: 60 * Self.second)
        let started = pool.instanceStarted(2, now: 62 * Self.second)
        #expect(started)
        pool.scrapeMetrics(now: 75 * Self.second)
        // At 70 s the window is [45 s, 60 s]: instance 2 was not in the 45 s scrape, so its metrics are missing.
        let at70 = pool.autoscalerMetrics(now: 70 * Self.second)
        #expect(at70.instances[2].status == .ready && at70.instances[2].cpuMillis == nil && at70.instances[2].memory == nil)
        // At 85 s the window is [60 s, 75 s]: it began before instance 2 was ready (62 s), so its CPU is ignored.
        let at85 = pool.autoscalerMetrics(now: 85 * Self.second)
        #expect(at85.instances[2].status == .unready && at85.instances[2].cpuMillis == 0)
        pool.startWork(on: 2)
        pool.scrapeMetrics(now: 90 * Self.second)
        // At 100 s the window is [75 s, 90 s], wholly after its readiness.
        let at100 = pool.autoscalerMetrics(now: 100 * Self.second)
        #expect(at100.instances.map(\.status) == [.ready, .ready, .ready])
        #expect(at100.instances.map(\.cpuMillis) == [0, 0, 67])
    }

    /// Two instances, 5 requests/s of 100 ms CPU each: 25 % of the fleet's CPU, and 100 % during a spike ×4 from 5 min;
    /// the HPA targets 50 % and is evaluated every 15 s. Its first scale-up (2 → 4) comes at the first evaluation
    /// that reads a window wholly inside the spike: at 315 s with exact interval averages or a 15 s resolution,
    /// one lag later with a lag, at the end of the first scrape window inside the spike with a 1 min resolution.
    @Test(arguments: [
        ("none", 315), ("{resolution: 15s, lag: 0s}", 315), ("{resolution: 15s, lag: 30s}", 345),
        ("{resolution: 15s, lag: 20s}", 345), ("{resolution: 1m}", 360), ("{resolution: 1m, lag: 1m}", 420),
    ])
    func firstScaleUpFollowsTheScrapes(_ c: (metricsServer: String, firstScaleUpSeconds: Int)) throws {
        let scenario = try ScenarioLoader.parse(text: """
            name: metrics-server
            simulation: {duration: 10m, warmup: 0s, drain: 1m}
            gateway:
              instances: 2
              concurrency: 1000
              vcpus: 1
              cpu_per_request: 100ms
              startup_time: 30s
              autoscaling: {policy: hpa, min_instances: 2, max_instances: 20,
                            hpa: {metrics: [{type: cpu, target: 50%}], metrics_server: \(c.metricsServer)}}
            providers:
              - name: a
                classifications: [public]
                models: [{name: m, price: {input_per_mtok: $1, output_per_mtok: $1}, ttft: 1s}]
            tiers: [{name: t, models: [a/m]}]
            traffic:
              arrivals: {process: poisson, rate: 5/s, spikes: [{start: 5m, duration: 5m, multiplier: 4}]}
              classes: [{name: c, share: 100%, tier: t, input_tokens: 10, output_tokens: 10}]
            """)
        for seed: UInt64 in [1, 2, 3] {
            let s = Simulation(plan: SimulationPlan(scenario), baseSeed: seed).run()
            let first = try #require(s.scaleEvents.first, "seed \(seed)")
            #expect(first.atNanos == Nanoseconds(c.firstScaleUpSeconds) * Self.second && first.from == 2 && first.to == 4, "seed \(seed): \(first)")
        }
    }

    /// With a resolution equal to the interval and no lag, every window metrics-server publishes is the interval
    /// the exact measurement averages over: on the shipped traffic-spike scenario (which has it; start-up 90 s, longer than an
    /// interval, so no instance appears between two scrapes) the HPA decides exactly the same.
    @Test func anAlignedScrapeEqualsTheExactInterval() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Scenarios").standardized
        var exact = try ScenarioLoader.load(path: root.appendingPathComponent("traffic-spike.yaml").path, parameters: [("policy", "hpa")])
        exact.simulation.durationNanos = 16 * 3_600_000_000_000
        // The scenario ships with metrics-server at 15 s and no lag: the exact measurement is the one without it.
        #expect(exact.gateway.autoscaling?.metricsServer == MetricsServerSpec(resolutionNanos: 15_000_000_000, lagNanos: 0))
        let scraped = exact
        exact.gateway.autoscaling?.metricsServer = nil
        let a = Simulation(plan: SimulationPlan(exact), baseSeed: 3).run()
        let b = Simulation(plan: SimulationPlan(scraped), baseSeed: 3).run()
        #expect(a.scaleEvents.count > 4)
        #expect(a.scaleEvents == b.scaleEvents)
        #expect(a.succeeded == b.succeeded && a.failed == b.failed && a.instanceHours == b.instanceHours)
    }
}
