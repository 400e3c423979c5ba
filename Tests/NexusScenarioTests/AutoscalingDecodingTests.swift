import NexusGateway
import NexusScenario
import Testing

/// The gateway's capacity keys, the `gateway.autoscaling` block and `traffic.arrivals.spikes`.
struct AutoscalingDecodingTests {
    static let gateway = "  instances: 2\n  concurrency: 10\n"

    func withGateway(_ extra: String) throws -> String {
        try replacing(Self.gateway, with: Self.gateway + extra)
    }

    @Test func capacityAndStepPolicyWithDefaults() throws {
        let s = try parse(try withGateway("""
              vcpus: 2
              cpu_per_request: 20ms
              memory_limit: 2GiB
              memory_base: 512MiB
              memory_per_request: 300MB
              startup_time: 90s
              instance_price: $0.10
              autoscaling: {policy: step, step: {cpu: 60%, queue_depth: none}}

            """))
        let g = s.gateway
        #expect(g.vcpus == 2 && g.cpuPerRequestNanos == 20_000_000 && g.startupNanos == 90_000_000_000)
        #expect(g.memoryLimitMiB == 2048 && g.memoryBaseMiB == 512 && abs(g.memoryPerRequestMiB - 286.102294921875) < 1e-9)
        #expect(g.instancePricePerHour == USD(0.10))
        #expect(g.autoscaling?.intervalNanos == 60_000_000_000)
        guard case .step(let p)? = g.autoscaling?.policy else { Issue.record("expected the step policy"); return }
        #expect(p.config.cpuThreshold == 0.6 && p.config.queueDepthThreshold == nil)
        #expect(p.config.memoryThreshold == 0.8 && p.config.responseTimeThresholdMillis == 5000)
        #expect(p.config.minInstances == 2 && p.config.maxInstances == 50)
        #expect(p.config.scaleUpStep == 2 && p.config.scaleDownStep == 1 && p.config.hysteresis == 0.2)
    }

    @Test func hpaPolicyWithBehavior() throws {
        let s = try parse(try withGateway("""
              autoscaling:
                policy: hpa
                min_instances: 3
                max_instances: 30
                hpa:
                  metrics: [{type: cpu, target: 150%}, {type: in_flight, target: 7.5}, {type: queue_depth, target: 10}]
                  behavior:
                    scale_up: {policies: [{type: Pods, value: 4, period: 60s}], select_policy: Min}
                    scale_down: {stabilization_window: 10m}

            """))
        #expect(s.gateway.autoscaling?.intervalNanos == 15_000_000_000)
        guard case .hpa(let h)? = s.gateway.autoscaling?.policy else { Issue.record("expected the HPA"); return }
        #expect(h.config.minReplicas == 3 && h.config.maxReplicas == 30 && h.config.tolerance == 0.1)
        #expect(h.config.metrics == [.cpuUtilization(percent: 150), .inFlightAverage(millis: 7500), .queueDepthAverage(millis: 10_000)])
        let b = h.config.behavior!
        #expect(b.scaleUp.policies == [HorizontalPodAutoscaler.ScalingPolicy(.pods, 4, periodSeconds: 60)])
        #expect(b.scaleUp.selectPolicy == .min && b.scaleUp.stabilizationWindowNanos == 0)
        #expect(b.scaleDown.stabilizationWindowNanos == 600_000_000_000)
        #expect(b.scaleDown.policies == [HorizontalPodAutoscaler.ScalingPolicy(.percent, 100, periodSeconds: 15)])
    }

    @Test func policyByParameter() throws {
        let text = try replacing("name: minimal\n", with: "name: minimal\nparameters: {policy: {default: step}}\n",
                                 in: try withGateway("  autoscaling: {policy: \"${policy}\"}\n"))
        guard case .hpa? = try parse(text, parameters: [("policy", "hpa")]).gateway.autoscaling?.policy else {
            Issue.record("expected the HPA"); return
        }
    }

    @Test(arguments: [
        ("  autoscaling: {policy: stpe}\n", "gateway.autoscaling.policy", "stepp"),
        ("  autoscaling: {policy: step, min_instances: 5, max_instances: 4}\n", "gateway.autoscaling.max_instances", "must not exceed"),
        ("  autoscaling: {policy: step, step: {cpu_threshold: 70%}}\n", "gateway.autoscaling.step.cpu_threshold", "unknown key"),
        ("  autoscaling: {policy: hpa, hpa: {metrics: [{type: cpus, target: 50%}]}}\n", "gateway.autoscaling.hpa.metrics[0].type", "expected one of"),
        ("  autoscaling: {policy: hpa, hpa: {behavior: {scale_up: {policies: [{type: Pods, value: 4, period: 1h}]}}}}\n",
         "gateway.autoscaling.hpa.behavior.scale_up.policies[0].period", "1800s"),
        ("  autoscaling: {policy: hpa, hpa: {behavior: {scale_up: {select_policy: Maximum}}}}\n",
         "gateway.autoscaling.hpa.behavior.scale_up.select_policy", "Max"),
        ("  memory_limit: lots\n", "gateway.memory_limit", "amount of memory"),
    ])
    func errorsNameTheKey(_ c: (yaml: String, keyPath: String, mentions: String)) throws {
        let error = try parseError(try withGateway(c.yaml))
        #expect(error.keyPath == c.keyPath)
        #expect(error.description.contains(c.mentions) || (error.suggestion ?? "").contains(c.mentions) || c.mentions == "stepp",
                "\(error)")
        #expect(error.location != nil)
    }

    @Test func misspeltPolicySuggestsTheNearest() throws {
        let error = try parseError(try withGateway("  autoscaling: {policy: stpe}\n"))
        #expect(error.suggestion == "step")
    }

    @Test func spikes() throws {
        let s = try parse(try replacing("arrivals: {process: poisson, rate: 12/s}",
                                        with: "arrivals: {process: poisson, rate: 12/s, spikes: [{start: 14h, duration: 30m, multiplier: 10}]}"))
        #expect(s.traffic.spikes == [ArrivalSpike(startNanos: 14 * 3_600_000_000_000, durationNanos: 1_800_000_000_000, multiplier: 10)])
        let error = try parseError(try replacing("arrivals: {process: poisson, rate: 12/s}",
                                                 with: "arrivals: {process: poisson, rate: 12/s, spikes: [{start: 1h, duration: 0s, multiplier: 2}]}"))
        #expect(error.keyPath == "traffic.arrivals.spikes[0].duration")
    }
}
