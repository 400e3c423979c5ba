import NexusGateway
import Testing

private let second: Nanoseconds = 1_000_000_000

/// Upstream replica-calculator cases for per-direction tolerances and missing metrics, transcribed from
/// k8s.io/kubernetes pkg/controller/podautoscaler/replica_calculator_test.go (test and subtest names kept, numbers
/// unchanged). Upstream's `Tolerances{a, b}` is `{scaleDown: a, scaleUp: b}`; `defaultTestingTolerance` is 0.1.
struct KubernetesToleranceAndMissingMetricsTests {
    typealias T = ReplicaCalculator.Tolerances

    /// TestReplicaCalcMissingMetricsScaleDownTargetOver100: the missing pod counts at max(100 %, target) = 300 %
    /// of its 2-CPU request, so 4 → 2 (at 100 % it would be 1). Pod 0 is unready (its CPU sample is ignored).
    @Test func TestReplicaCalcMissingMetricsScaleDownTargetOver100() {
        let pods = [
            InstanceSample(status: .unready, cpuMillis: 200, cpuRequestMillis: 1000),
            InstanceSample(status: .ready, cpuMillis: 100, cpuRequestMillis: 1000),
            InstanceSample(status: .ready, cpuMillis: 100, cpuRequestMillis: 2000),
            InstanceSample(status: .ready, cpuMillis: nil, cpuRequestMillis: 2000),
        ]
        #expect(ReplicaCalculator.resourceReplicas(currentReplicas: 4, pods: pods, targetUtilization: 300, resource: .cpu) == 2)
    }

    struct ToleranceCase: CustomTestStringConvertible, Sendable {
        var name: String
        var tolerances: T
        var levels: [Int64]
        var expected: Int
        var testDescription: String { name }
    }

    /// TestReplicaCalcResourceTolerance: three pods requesting 0.9, 1.0 and 1.1 CPU, target 100 %.
    static let resourceToleranceCases: [ToleranceCase] = [
        .init(name: "TestReplicaCalcResourceTolerance/within default tolerance", tolerances: T(0.1), levels: [1010, 1030, 1020], expected: 3),
        .init(name: "TestReplicaCalcResourceTolerance/outside 0% tolerance", tolerances: T(scaleDown: 0, scaleUp: 0),
              levels: [909, 1010, 1111], expected: 4),
        .init(name: "TestReplicaCalcResourceTolerance/within 200% scale-up tolerance", tolerances: T(scaleDown: 0.1, scaleUp: 2),
              levels: [1890, 1910, 1900], expected: 3),
        .init(name: "TestReplicaCalcResourceTolerance/outside 8% scale-up tolerance (superfluous scale-down tolerance)",
              tolerances: T(scaleDown: 2, scaleUp: 0.08), levels: [1100, 1080, 1090], expected: 4),
        .init(name: "TestReplicaCalcResourceTolerance/within 36% scale-down tolerance", tolerances: T(scaleDown: 0.36, scaleUp: 0.1),
              levels: [660, 640, 650], expected: 3),
        .init(name: "TestReplicaCalcResourceTolerance/outside 34% scale-down tolerance", tolerances: T(scaleDown: 0.34, scaleUp: 0.1),
              levels: [660, 640, 650], expected: 2),
    ]

    @Test(arguments: resourceToleranceCases)
    func resourceTolerance(_ c: ToleranceCase) {
        let requests: [Int64] = [900, 1000, 1100]
        let pods = (0..<3).map { InstanceSample(status: .ready, cpuMillis: c.levels[$0], cpuRequestMillis: requests[$0]) }
        #expect(ReplicaCalculator.resourceReplicas(currentReplicas: 3, pods: pods, targetUtilization: 100, resource: .cpu,
                                                   tolerances: c.tolerances) == c.expected)
    }

    /// TestReplicaCalcResourceMissingMetrics/some pods missing metrics scales down: 4 pods, two samples (400m, 95m),
    /// target 100 % → the two missing count at 100 % → ceil(0.62 × 4) = 3.
    @Test func someMissingMetricsScaleDown() {
        let levels: [Int64?] = [400, 95, nil, nil]
        let pods = levels.map { InstanceSample(status: .ready, cpuMillis: $0, cpuRequestMillis: 1000) }
        #expect(ReplicaCalculator.resourceReplicas(currentReplicas: 4, pods: pods, targetUtilization: 100, resource: .cpu) == 3)
    }

    struct PodCase: CustomTestStringConvertible, Sendable {
        var name: String
        var current: Int
        var levels: [Int64?]
        var target: Int64
        var tolerances: T = T(0.1)
        var expected: Int
        var testDescription: String { name }
    }

    /// TestReplicaCalcPodMetric (a pods metric with an AverageValue target, milli-units).
    static let podCases: [PodCase] = [
        .init(name: "TestReplicaCalcPodMetric/outside configurable 1% tolerance", current: 3, levels: [20000, 21000, 21000],
              target: 20000, tolerances: T(scaleDown: 0.1, scaleUp: 0.01), expected: 4),
        // Average exactly at the target (ratio 1): the two missing pods are left out, nothing changes. Counting
        // them at 0 would propose ceil(0.6 × 5) = 3.
        .init(name: "TestReplicaCalcPodMetric/no change: missing metrics", current: 5, levels: [20000, 19000, 21000, nil, nil],
              target: 20000, expected: 5),
        // A surge pod without a sample: counted at the target it would propose 3 > 2 on a scale-down ratio.
        .init(name: "TestReplicaCalcPodMetric/rolling update with maxSurge: extra pod missing metric", current: 2,
              levels: [10000, 10000, nil], target: 17000, expected: 2),
    ]

    @Test(arguments: podCases)
    func podMetric(_ c: PodCase) {
        let pods = c.levels.map { InstanceSample(status: .ready, inFlightMillis: $0) }
        #expect(ReplicaCalculator.plainMetricReplicas(currentReplicas: c.current, pods: pods, targetAverageMillis: c.target,
                                                      value: { $0.inFlightMillis }, tolerances: c.tolerances) == c.expected)
    }

    /// TestReplicaCalcExternalPerPodMetric/outside configurable 1% tolerance: 8600 over 3 replicas at 2800 each
    /// is a ratio of 1.024 — inside the default 10 %, outside a 1 % scale-up tolerance.
    @Test func externalPerPodOutsideConfigurableTolerance() {
        #expect(ReplicaCalculator.externalPerPodReplicas(statusReplicas: 3, totalMillis: 8600, targetPerPodMillis: 2800) == 3)
        #expect(ReplicaCalculator.externalPerPodReplicas(statusReplicas: 3, totalMillis: 8600, targetPerPodMillis: 2800,
                                                         tolerances: T(scaleDown: 0.1, scaleUp: 0.01)) == 4)
    }

    @Test func tolerancesBand() {
        let t = T(scaleDown: 0.34, scaleUp: 0.08)
        #expect(t.isWithin(0.66) && t.isWithin(1.08) && !t.isWithin(0.65) && !t.isWithin(1.09))
    }
}

/// Reconcile-level behaviour of ``HorizontalPodAutoscaler/decide(_:now:)``: what horizontal.go's
/// `reconcileAutoscaler` does across evaluations, not one function in isolation.
struct HorizontalPodAutoscalerReconcileTests {
    static let t0: Nanoseconds = 15 * second

    func cpu(_ n: Int, millis: Int64) -> AutoscalerMetrics {
        AutoscalerMetrics(currentInstances: n, readyInstances: n,
                          instances: (0..<n).map { _ in InstanceSample(status: .ready, cpuMillis: millis, cpuRequestMillis: 1000) })
    }

    /// `recordInitialRecommendation`: the count at the first reconcile is the first recommendation, so an HPA
    /// that starts idle holds its 4 instances through the 5-minute downscale stabilization. Without `behavior`,
    /// a recommendation exactly 300 s old still counts (`Before(cutoff)` is strict), so the scale-down comes at
    /// the first evaluation after it.
    @Test func initialRecommendationHoldsTheFirstScaleDown() {
        var hpa = HPA(config: HPA.Config(minReplicas: 1, maxReplicas: 10, metrics: [.cpuUtilization(percent: 50)]))
        var t = Self.t0
        // 10 % of a 50 % target proposes ceil(4 × 0.2) = 1, but the initial recommendation (4) is in the window.
        #expect(hpa.decide(cpu(4, millis: 100), now: t).desiredInstances == 4)
        #expect(hpa.recommendations.first == HPA.Timestamped(4, at: Self.t0))
        while t < Self.t0 + 300 * second {
            t += 15 * second
            #expect(hpa.decide(cpu(4, millis: 100), now: t).desiredInstances == 4, "at \(t / second) s")
        }
        t += 15 * second
        #expect(hpa.decide(cpu(4, millis: 100), now: t).desiredInstances == 1)
    }

    /// The same with `behavior` (default rules): the scale-down window counts recommendations strictly after its
    /// cutoff, so the initial one stops counting at exactly 300 s.
    @Test func initialRecommendationWithBehavior() {
        var hpa = HPA(config: HPA.Config(minReplicas: 1, maxReplicas: 10, metrics: [.cpuUtilization(percent: 50)], behavior: HPA.Behavior()))
        #expect(hpa.decide(cpu(4, millis: 100), now: Self.t0).desiredInstances == 4)
        #expect(hpa.decide(cpu(4, millis: 100), now: Self.t0 + 285 * second).desiredInstances == 4)
        #expect(hpa.decide(cpu(4, millis: 100), now: Self.t0 + 300 * second).desiredInstances == 1)
    }

    /// A pre-filled history is not overwritten (upstream records the initial one only when there is none).
    @Test func initialRecommendationOnlyWhenThereIsNone() {
        var hpa = HPA(config: HPA.Config(minReplicas: 1, maxReplicas: 10, metrics: [.cpuUtilization(percent: 50)]))
        hpa.recommendations = [HPA.Timestamped(2, at: Self.t0 - 400 * second)]
        #expect(hpa.decide(cpu(4, millis: 100), now: Self.t0).desiredInstances == 1)
    }

    /// `behavior.scaleUp.tolerance`: 53 % CPU on a 50 % target is a ratio of 1.06 — no change under the default
    /// 10 %, a scale-up to ceil(4 × 1.06) = 5 under a 5 % scale-up tolerance; the scale-down side keeps 10 %.
    @Test func perDirectionToleranceFromBehavior() {
        let behavior = HPA.Behavior(scaleUp: HPA.ScalingRules(tolerance: 0.05))
        var plain = HPA(config: HPA.Config(minReplicas: 1, maxReplicas: 10, metrics: [.cpuUtilization(percent: 50)], behavior: HPA.Behavior()))
        var tuned = HPA(config: HPA.Config(minReplicas: 1, maxReplicas: 10, metrics: [.cpuUtilization(percent: 50)], behavior: behavior))
        #expect(tuned.tolerances == ReplicaCalculator.Tolerances(scaleDown: 0.1, scaleUp: 0.05))
        #expect(plain.decide(cpu(4, millis: 530), now: Self.t0).desiredInstances == 4)
        #expect(tuned.decide(cpu(4, millis: 530), now: Self.t0).desiredInstances == 5)
        // 47 % is a ratio of 0.94: inside the scale-down side's 10 % for both.
        #expect(tuned.decide(cpu(5, millis: 470), now: Self.t0 + 15 * second).desiredInstances == 5)
    }
}
