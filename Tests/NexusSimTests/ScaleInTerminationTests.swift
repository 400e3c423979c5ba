import Foundation
import NexusGateway
import NexusScenario
import NexusSim
import Testing

/// Scale-in as Kubernetes does it: the ReplicaSet picks the pods, a removed pod leaves the Service at once and
/// gets `termination_grace` to finish; what is still running then fails with `instance_terminated`. And a
/// CPU-only HPA, which needs the starting instances to count as ready from time 0.
@Suite struct ScaleInTerminationTests {
    static func run(gateway: String, ttft: String = "120s", rate: String = "1/s", duration: String = "3m") throws -> RunSummary {
        let s = try GatewayAutoscalingTests.scenario(gateway: gateway, rate: rate, ttft: ttft, duration: duration)
        return Simulation(plan: SimulationPlan(s), baseSeed: 7).run()
    }

    /// 4 instances × 10 slots, requests of exactly 120 s at 1/s; at 35 s the bounds (2…2) take it to 2. Slots go lowest
    /// instance first, so arrivals 21 onwards (before 35 s) run on instances 2 and 3 — the two newest ids, which a
    /// ReplicaSet removes when ready times tie. With a 30 s grace each of them fails at 65 s; with 10 min, none.
    @Test func inFlightRequestsFailAfterTheGracePeriod() throws {
        let gateway = "instances: 4, concurrency: 10, queue_limit: none, autoscaling: {policy: step, interval: 35s, min_instances: 2, max_instances: 2}"
        let short = try Self.run(gateway: gateway + ", termination_grace: 30s")
        let long = try Self.run(gateway: gateway + ", termination_grace: 10m")
        let arrivedBefore35 = short.series.arrivals.prefix(7).reduce(0, +)   // windows of 5 s
        #expect(arrivedBefore35 > 20)
        let terminated = short.count(.instanceTerminated)
        #expect(terminated == arrivedBefore35 - 20)
        #expect(short.failed == terminated)
        // They all fail at 65 s: the window [65 s, 70 s).
        #expect(short.series.failed[13] == terminated)
        #expect(long.count(.instanceTerminated) == 0 && long.failed == 0)
        #expect(long.requests == short.requests)
        // The JSON reason string.
        #expect(FailureReason.instanceTerminated.rawValue == "instance_terminated")
    }

    /// A grace of 0 fails them at the scale-in itself.
    @Test func zeroGraceTerminatesAtOnce() throws {
        let s = try Self.run(gateway: "instances: 4, concurrency: 10, queue_limit: none, termination_grace: 0s, "
                             + "autoscaling: {policy: step, interval: 35s, min_instances: 2, max_instances: 2}")
        #expect(s.count(.instanceTerminated) > 0)
        #expect(s.series.failed[7] == s.count(.instanceTerminated))   // [35 s, 40 s)
    }

    /// Requests that end within the grace period are not affected (30 s requests, 30 s grace).
    @Test func requestsEndingWithinTheGraceSucceed() throws {
        let s = try Self.run(gateway: "instances: 4, concurrency: 10, queue_limit: none, "
                             + "autoscaling: {policy: step, interval: 35s, min_instances: 2, max_instances: 2}", ttft: "30s")
        #expect(s.count(.instanceTerminated) == 0 && s.failed == 0)
    }

    /// A CPU-only HPA scales: 40 requests/s × 50 ms of CPU on 2 one-vCPU instances is 100 % CPU against a 60 %
    /// target, so the first evaluation (15 s) asks for ceil(2 × 100 / 60) = 4. The starting instances' CPU samples
    /// count from time 0 (Kubernetes ignores a pod's CPU only while it is unready or just became ready).
    @Test func cpuOnlyHPAScalesFromTheStart() throws {
        let s = try Self.run(gateway: """
            instances: 2, concurrency: 100, vcpus: 1, cpu_per_request: 50ms, queue_limit: none,
            autoscaling: {policy: hpa, min_instances: 2, max_instances: 10, hpa: {metrics: [{type: cpu, target: 60%}]}}
            """, ttft: "200ms", rate: "40/s", duration: "2m")
        let first = try #require(s.scaleEvents.first)
        #expect(first.atNanos == 15_000_000_000 && first.from == 2 && first.to == 4)
        #expect(first.reason.hasPrefix("cpu proposes 4"))
        #expect(s.maxInstances == 4)
    }
}
