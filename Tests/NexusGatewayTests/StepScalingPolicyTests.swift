import NexusGateway
import Testing

private let second: Nanoseconds = 1_000_000_000

/// Scripted metric sequences for the brief's step policy: CPU 70 %, memory 80 %, queue 100, p95 5000 ms;
/// up by 2 after 300 s, down by 1 after 600 s, within [2, 50], hysteresis 20 %.
struct StepScalingPolicyTests {
    /// One evaluation: the time, the metrics, and the instance count the policy must ask for.
    struct Step {
        var t: Int
        var cpu = 0.3, memory = 0.3, queue = 0, p95: Double? = 800
        var expect: Int
    }

    /// Runs a script; the gateway follows every decision at once (current = the last desired).
    func run(_ policy: StepScalingPolicy, start: Int, _ script: [Step], sourceLocation: SourceLocation = #_sourceLocation) {
        var p = policy
        var current = start
        for s in script {
            let m = AutoscalerMetrics(currentInstances: current, readyInstances: current, cpuUtilization: s.cpu, memoryUtilization: s.memory,
                                      queueDepth: s.queue, responseTimeMeanMillis: s.p95.map { $0 / 2 }, responseTimeP95Millis: s.p95)
            let d = p.decide(m, now: Nanoseconds(s.t) * second)
            #expect(d.desiredInstances == s.expect, "t = \(s.t) s: \(d.reason)", sourceLocation: sourceLocation)
            current = d.desiredInstances
        }
    }

    @Test func scaleUpCooldownAndStepSize() {
        run(StepScalingPolicy(), start: 4, [
            Step(t: 60, cpu: 0.75, expect: 6),      // CPU over 70 %: +2
            Step(t: 120, cpu: 0.9, expect: 6),      // still over, but 60 s < 300 s since the scale-up
            Step(t: 359, cpu: 0.9, expect: 6),      // 299 s
            Step(t: 360, cpu: 0.9, expect: 8),      // 300 s: +2 again
            Step(t: 660, queue: 101, expect: 10),   // queue over 100
            Step(t: 960, memory: 0.81, expect: 12), // memory over 80 %
            Step(t: 1260, p95: 5001, expect: 14),   // p95 over 5000 ms
            Step(t: 1560, cpu: 0.70, memory: 0.80, queue: 100, p95: 5000, expect: 14),  // at the thresholds is not over
        ])
    }

    @Test func scaleUpStopsAtMax() {
        run(StepScalingPolicy(), start: 47, [
            Step(t: 0, cpu: 0.99, expect: 49),
            Step(t: 300, cpu: 0.99, expect: 50),    // +2 capped at 50
            Step(t: 600, cpu: 0.99, expect: 50),
        ])
    }

    @Test func scaleDownNeedsEveryMetricComfortablyUnderAndItsCooldown() {
        run(StepScalingPolicy(), start: 6, [
            Step(t: 0, cpu: 0.57, expect: 6),                      // CPU 57 % ≥ 56 % (70 % × 0.8): not comfortably under
            Step(t: 60, cpu: 0.55, expect: 5),                     // everything under: −1
            Step(t: 120, cpu: 0.10, expect: 5),                    // 60 s < 600 s since the scale-down
            Step(t: 659, cpu: 0.10, expect: 5),
            Step(t: 660, cpu: 0.10, expect: 4),                    // 600 s
            Step(t: 1260, cpu: 0.10, queue: 80, expect: 4),        // queue 80 ≥ 100 × 0.8
            Step(t: 1270, cpu: 0.10, memory: 0.65, expect: 4),     // memory 65 % ≥ 64 %
            Step(t: 1280, cpu: 0.10, p95: 4000, expect: 4),        // p95 4000 ≥ 4000
            Step(t: 1290, cpu: 0.10, p95: 3999, expect: 3),
            Step(t: 1890, cpu: 0.10, p95: nil, expect: 2),         // no answers in the interval: response time is not a reason to stay
            Step(t: 2490, cpu: 0.0, expect: 2),                    // at min
        ])
    }

    @Test func directionsHaveSeparateCooldowns() {
        run(StepScalingPolicy(), start: 4, [
            Step(t: 0, cpu: 0.9, expect: 6),
            Step(t: 60, cpu: 0.1, expect: 5),     // the scale-down cooldown counts from the last scale-down only
            Step(t: 120, cpu: 0.9, expect: 5),    // the scale-up cooldown (300 s) still runs
            Step(t: 300, cpu: 0.9, expect: 7),
        ])
    }

    @Test func configurableNumbersAndBounds() {
        let config = StepScalingPolicy.Config(cpuThreshold: 0.5, memoryThreshold: nil, queueDepthThreshold: 10, responseTimeThresholdMillis: nil,
                                              scaleUpStep: 3, scaleDownStep: 2, scaleUpCooldownNanos: 60 * second,
                                              scaleDownCooldownNanos: 120 * second, hysteresis: 0.5, minInstances: 1, maxInstances: 8)
        run(StepScalingPolicy(config: config), start: 0, [
            Step(t: 0, cpu: 0.0, expect: 1),                   // below min: up to the bound at once (a scale-up)
            Step(t: 59, cpu: 0.6, expect: 1),                  // its cooldown runs
            Step(t: 60, cpu: 0.6, memory: 0.99, expect: 4),    // +3; memory is no trigger here
            Step(t: 120, cpu: 0.2, queue: 11, expect: 7),
            Step(t: 180, cpu: 0.6, expect: 8),                 // capped at 8
            Step(t: 181, cpu: 0.26, p95: 1e9, expect: 8),      // CPU 26 % ≥ 25 %; response time is no trigger
            Step(t: 182, cpu: 0.24, queue: 4, p95: 1e9, expect: 6),
            Step(t: 302, cpu: 0.24, queue: 5, expect: 6),      // queue 5 ≥ 10 × 0.5
            Step(t: 303, cpu: 0.24, queue: 4, expect: 4),
        ])
    }

    @Test func reasonsNameTheTriggers() {
        var p = StepScalingPolicy()
        let d = p.decide(AutoscalerMetrics(currentInstances: 2, readyInstances: 2, cpuUtilization: 0.85, queueDepth: 150), now: 0)
        #expect(d.reason == .overThresholds([TriggerReading(.cpu, observed: 0.85, threshold: 0.7),
                                             TriggerReading(.queueDepth, observed: 150, threshold: 100)]))
    }

    /// The enum dispatches to the policy and keeps its state between calls.
    @Test func enumDispatchKeepsState() {
        var policy = AutoscalingPolicy.step(StepScalingPolicy())
        let hot = AutoscalerMetrics(currentInstances: 4, readyInstances: 4, cpuUtilization: 0.9)
        #expect(policy.decide(hot, now: 0).desiredInstances == 6)
        var hot6 = hot
        hot6.currentInstances = 6
        #expect(policy.decide(hot6, now: 10 * second).desiredInstances == 6)
        #expect(policy.minInstances == 2 && policy.maxInstances == 50)
    }
}
