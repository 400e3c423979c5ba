import Foundation
import NexusGateway
import NexusScenario
import NexusSim
import Testing

/// The gateway model under an autoscaler: start-up delay, draining, CPU %, instance-hours, and the
/// traffic-spike scenario end to end. Latencies are constants so that the expectations are exact.
@Suite struct GatewayAutoscalingTests {
    static func scenario(gateway: String, rate: String = "10/s", ttft: String = "1s", duration: String = "5m", window: String = "5s") throws -> Scenario {
        try ScenarioLoader.parse(text: """
            name: gateway-test
            simulation: {duration: \(duration), warmup: 0s, drain: 10m, series_window: \(window)}
            gateway: {\(gateway)}
            providers:
              - name: a
                classifications: [public]
                models: [{name: m, price: {input_per_mtok: $1, output_per_mtok: $10}, ttft: \(ttft)}]
            tiers: [{name: t, models: [a/m]}]
            traffic:
              arrivals: {process: poisson, rate: \(rate)}
              classes: [{name: c, share: 100%, tier: t, input_tokens: 100, output_tokens: 10}]
            """)
    }

    static func run(_ s: Scenario) -> RunSummary { Simulation(plan: SimulationPlan(s), baseSeed: 7).run() }

    /// One instance of one slot; at the first evaluation (10 s) the policy's minimum of 3 launches two more,
    /// which take 30 s to start: until 40 s only one request is ever in service, afterwards three.
    @Test func newInstancesServeOnlyOnceReady() throws {
        let s = Self.run(try Self.scenario(gateway: """
            instances: 1, concurrency: 1, startup_time: 30s, queue_limit: none,
            autoscaling: {policy: step, interval: 10s, min_instances: 3, max_instances: 3}
            """, duration: "2m"))
        #expect(s.scaleEvents.count == 1)
        #expect(s.scaleEvents.first == ScaleEvent(atNanos: 10_000_000_000, from: 1, to: 3, reason: "below min_instances"))
        let series = s.series
        for w in 0..<series.windowCount {
            let end = (w + 1) * 5
            // A window closes before the events at its end time run: the one ending at 10 s precedes the scale-up.
            if end <= 10 { #expect(series.startingInstances[w] == 0 && series.readyInstances[w] == 1) }
            if end > 10 && end <= 40 {
                #expect(series.startingInstances[w] == 2 && series.readyInstances[w] == 1, "window ending \(end) s")
                #expect(series.inFlight[w] <= 1, "window ending \(end) s")
            }
            if end > 40 && end < 120 {
                #expect(series.readyInstances[w] == 3 && series.startingInstances[w] == 0)
                #expect(series.inFlight[w] == 3, "window ending \(end) s: the queue is long, every slot is busy")
            }
            #expect(series.instances[w] == series.readyInstances[w] + series.startingInstances[w])
        }
        // Instance-hours, exactly: one instance for the whole run, two from 10 s (billed while starting).
        let end = Double(s.endedAtNanos) / 1e9
        #expect(abs(s.instanceHours - (end + 2 * (end - 10)) / 3600) < 1e-9)
    }

    /// Four instances of 10 slots, 1 request/s of 30 s each: about 30 in flight on three instances. At 35 s
    /// the maximum becomes 2: the two newest instances drain, as a ReplicaSet picks them when ready times tie (one
    /// that happens to be idle goes at once) — their requests finish within the 30 s grace (none fails), they take
    /// no new ones, and they are gone by 65 s.
    @Test func drainingFinishesInFlightAndTakesNoNewRequests() throws {
        let s = Self.run(try Self.scenario(gateway: """
            instances: 4, concurrency: 10, instance_price: $3.60, queue_limit: none,
            autoscaling: {policy: step, interval: 35s, min_instances: 1, max_instances: 2}
            """, rate: "1/s", ttft: "30s", duration: "3m"))
        #expect(s.failed == 0)
        #expect(s.succeeded == s.requests && s.requests > 150)
        #expect(s.scaleEvents.first?.from == 4 && s.scaleEvents.first?.to == 2)
        let w35 = 7  // the window [35 s, 40 s)
        #expect((1...2).contains(s.series.drainingInstances[w35]))
        #expect(s.series.readyInstances[w35] == 2)
        for w in 13..<s.series.windowCount { #expect(s.series.drainingInstances[w] == 0, "window \(w)") }
        // In flight on ready instances never exceeds their 20 slots after the scale-in: the drained one takes none.
        for w in 8..<s.series.windowCount { #expect(s.series.utilization[w] <= 1) }
        // Billing: a drained instance stops when its last request ends, between 35 s and 65 s.
        let end = Double(s.endedAtNanos) / 1e9
        #expect(s.instanceHours >= (2 * end + 35 + 35) / 3600 - 1e-9)
        #expect(s.instanceHours <= (2 * end + 65 + 65) / 3600 + 1e-9)
        #expect(abs(s.infrastructureCost.dollars - s.instanceHours * 3.60) < 1e-9)
        #expect(abs(s.totalCost.dollars - s.modelCost.dollars - s.infrastructureCost.dollars) < 1e-9)
    }

    /// CPU % = CPU seconds / (ready instances × vCPUs × window): with 50 ms per request on 2 instances of
    /// 2 vCPUs, every window's CPU % is exactly 0.05 × requests started / (2 × 2 × 5 s) — to the series'
    /// single precision (a relative 6e-8).
    @Test func cpuUtilizationIsExact() throws {
        let s = Self.run(try Self.scenario(gateway: "instances: 2, concurrency: 10000, vcpus: 2, cpu_per_request: 50ms, memory_limit: 1GiB, memory_base: 256MiB, memory_per_request: 1MiB"))
        #expect(s.scaleEvents.isEmpty)
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1.2e-7 * abs(b) }
        let arrivals = s.series.arrivals, inFlight = s.series.inFlight
        let cpu = s.series.cpuUtilization, memory = s.series.memoryUtilization, utilization = s.series.utilization
        for w in 0..<(s.series.windowCount - 1) {
            let expected = 0.05 * Double(arrivals[w]) / (2 * 2 * 5)
            #expect(close(cpu[w], expected), "window \(w): \(cpu[w]) vs \(expected)")
            #expect(close(memory[w], (2 * 256 + Double(inFlight[w])) / (2 * 1024)))
            #expect(close(utilization[w], Double(inFlight[w]) / 20000))
        }
    }

    /// Without an autoscaling block nothing is charged or scaled.
    @Test func fixedGatewayHasNoScaleEventsOrInfrastructureCost() throws {
        let s = Self.run(try Self.scenario(gateway: "instances: 3, concurrency: 10"))
        #expect(s.scaleEvents.isEmpty && s.minInstances == 3 && s.maxInstances == 3)
        #expect(s.infrastructureCost == .zero)
        #expect(s.series.instances.allSatisfy { $0 == 3 })
    }

    /// Spikes: 10× the rate in [60 s, 120 s), by thinning.
    @Test func spikeMultipliesTheArrivalRate() throws {
        var scenario = try Self.scenario(gateway: "instances: 1, concurrency: 100000", rate: "20/s", duration: "3m", window: "1m")
        scenario.traffic.spikes = [ArrivalSpike(startNanos: 60_000_000_000, durationNanos: 60_000_000_000, multiplier: 10)]
        let s = Self.run(scenario)
        let a = s.series.arrivals
        // 1200 expected outside, 12 000 inside; Poisson sd ≈ 35 and 110.
        #expect(abs(a[0] - 1200) < 175 && abs(a[2] - 1200) < 175)
        #expect(abs(a[1] - 12_000) < 550)
    }

    /// The shipped traffic-spike scenario (shortened to 16 h): the step policy scales up by 2 with its
    /// 300 s cooldown once the spike starts, down by 1 every 600 s afterwards, and the JSON's scale events
    /// agree with the per-window instance series.
    @Test func trafficSpikeStepPolicyEndToEnd() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Scenarios").standardized
        var scenario = try ScenarioLoader.load(path: root.appendingPathComponent("traffic-spike.yaml").path)
        scenario.simulation.durationNanos = 16 * 3_600_000_000_000
        let s = Simulation(plan: SimulationPlan(scenario), baseSeed: 1).run()
        let events = s.scaleEvents
        #expect(!events.isEmpty)
        #expect(events[0].atNanos >= 14 * 3_600_000_000_000 && events[0].from == 2 && events[0].to == 4)
        #expect(s.maxInstances > 6 && s.minInstances == 2)
        var lastUp: Nanoseconds?, lastDown: Nanoseconds?
        for e in events {
            if e.to > e.from {
                #expect(e.to - e.from == 2 || e.to == 50)
                if let lastUp { #expect(e.atNanos - lastUp >= 300_000_000_000) }
                lastUp = e.atNanos
            } else {
                #expect(e.from - e.to == 1)
                if let lastDown { #expect(e.atNanos - lastDown >= 600_000_000_000) }
                lastDown = e.atNanos
            }
        }
        // Consistency with the series: at the end of the window of each event (when no other event follows
        // in that window), the instance count is the event's `to`; between events it is unchanged.
        let width = s.series.windowNanos
        for (i, e) in events.enumerated() {
            let w = Int(e.atNanos / width)
            let nextInSameWindow = i + 1 < events.count && Int(events[i + 1].atNanos / width) == w
            if !nextInSameWindow { #expect(s.series.instances[w] == e.to, "event at \(e.atNanos / 1_000_000_000) s") }
            if i > 0 { #expect(events[i - 1].to == e.from) }
        }
        #expect(s.series.instances[0] == 2)
        #expect(s.infrastructureCost.dollars > 0)
    }
}
