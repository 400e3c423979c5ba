import NexusGateway
import Testing

typealias HPA = HorizontalPodAutoscaler
private let second: Nanoseconds = 1_000_000_000
/// A fixed "now", far from zero so that events in the past have positive times.
private let now: Nanoseconds = 10_000 * second

/// `generateScalingRules(pods, podsPeriod, percent, percentPeriod, stabilizationWindow)` of horizontal_test.go.
private func rules(_ pods: Int, _ podsPeriod: Int, _ percent: Int, _ percentPeriod: Int, _ window: Int) -> HPA.ScalingRules {
    var policies: [HPA.ScalingPolicy] = []
    if pods != 0 { policies.append(HPA.ScalingPolicy(.pods, pods, periodSeconds: podsPeriod)) }
    if percent != 0 { policies.append(HPA.ScalingPolicy(.percent, percent, periodSeconds: percentPeriod)) }
    return HPA.ScalingRules(stabilizationWindowNanos: Nanoseconds(window) * second, selectPolicy: .max, policies: policies)
}

/// `generateEventsUniformDistribution(rawEvents, periodSeconds)`: events spread over the last `period`
/// seconds, each in the centre of its segment.
private func events(_ raw: [Int], _ period: Int) -> [HPA.Timestamped] {
    let segment = Double(period) / Double(raw.count)
    return raw.enumerated().map { i, change in
        let ago = Double(period) - segment * Double(i + 1) + segment / 2
        return HPA.Timestamped(change, at: now - Nanoseconds(ago * 1e9))
    }
}

/// Kubernetes' behavior rate-limit cases, `TestScalingWithRules` in
/// k8s.io/kubernetes pkg/controller/podautoscaler/horizontal_test.go (names kept; `nil` rules take the defaults).
struct ScalingWithRulesCase: CustomTestStringConvertible, Sendable {
    var name: String
    var upEvents: [HPA.Timestamped] = []
    var downEvents: [HPA.Timestamped] = []
    var minReplicas: Int
    var maxReplicas: Int
    var up: HPA.ScalingRules? = nil
    var down: HPA.ScalingRules? = nil
    var current: Int
    var desired: Int
    var expected: Int
    var condition: String
    var testDescription: String { name }
}

private let scalingWithRulesCases: [ScalingWithRulesCase] = [
    .init(name: "prenormalized desired replicas within range", minReplicas: 3, maxReplicas: 8, current: 5, desired: 7, expected: 7, condition: "DesiredWithinRange"),
    .init(name: "prenormalized desired replicas < minReplicas", minReplicas: 2, maxReplicas: 8, current: 3, desired: 1, expected: 2, condition: "TooFewReplicas"),
    .init(name: "prenormalized desired replicas within range when minReplicas is 0", minReplicas: 0, maxReplicas: 10, current: 1, desired: 0, expected: 0, condition: "DesiredWithinRange"),
    .init(name: "maxReplicas is the limit because maxReplicas < scaleUpLimit", minReplicas: 1, maxReplicas: 10, current: 20, desired: 1000, expected: 10, condition: "TooManyReplicas"),
    .init(name: "desired replica count is more than the maximum replica count", minReplicas: 100, maxReplicas: 150, current: 100, desired: 1000, expected: 150, condition: "TooManyReplicas"),
    .init(name: "scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies", minReplicas: 1, maxReplicas: 2000,
          up: rules(0, 0, 1, 60, 0), current: 3, desired: 1000, expected: 4, condition: "ScaleUpLimit"),
    .init(name: "scaleUp with default behavior", minReplicas: 1, maxReplicas: 1000, current: 10, desired: 50, expected: 20, condition: "ScaleUpLimit"),
    .init(name: "scaleUp with pods policy larger than percent policy", minReplicas: 1, maxReplicas: 1000, up: rules(100, 60, 100, 60, 0),
          current: 10, desired: 500, expected: 110, condition: "ScaleUpLimit"),
    .init(name: "scaleUp with percent policy larger than pods policy", minReplicas: 1, maxReplicas: 1000, up: rules(2, 60, 100, 60, 0),
          current: 10, desired: 500, expected: 20, condition: "ScaleUpLimit"),
    .init(name: "scaleUp with spec MaxReplicas limitation with large pod policy", minReplicas: 1, maxReplicas: 1000, up: rules(100, 60, 0, 0, 0),
          current: 10, desired: 50, expected: 50, condition: "DesiredWithinRange"),
    .init(name: "scaleUp with spec MaxReplicas limitation with large percent policy", minReplicas: 1, maxReplicas: 1000, up: rules(10000, 60, 0, 0, 0),
          current: 10, desired: 50, expected: 50, condition: "DesiredWithinRange"),
    .init(name: "scaleUp with pod policy limitation", minReplicas: 1, maxReplicas: 1000, up: rules(30, 60, 0, 0, 0),
          current: 10, desired: 50, expected: 40, condition: "ScaleUpLimit"),
    .init(name: "scaleUp with percent policy limitation", minReplicas: 1, maxReplicas: 1000, up: rules(0, 0, 200, 60, 0),
          current: 10, desired: 50, expected: 30, condition: "ScaleUpLimit"),
    .init(name: "scaleDown with percent policy larger than pod policy", minReplicas: 1, maxReplicas: 1000, down: rules(20, 60, 1, 60, 300),
          current: 100, desired: 2, expected: 80, condition: "ScaleDownLimit"),
    .init(name: "scaleDown with pod policy larger than percent policy", minReplicas: 1, maxReplicas: 1000, down: rules(2, 60, 1, 60, 300),
          current: 100, desired: 2, expected: 98, condition: "ScaleDownLimit"),
    .init(name: "scaleDown with spec MinReplicas=nil limitation with large pod policy", minReplicas: 1, maxReplicas: 1000, down: rules(100, 60, 0, 0, 300),
          current: 10, desired: 0, expected: 1, condition: "TooFewReplicas"),
    .init(name: "scaleDown with spec MinReplicas limitation with large percent policy", minReplicas: 5, maxReplicas: 1000, down: rules(0, 0, 100, 60, 300),
          current: 10, desired: 2, expected: 5, condition: "TooFewReplicas"),
    .init(name: "scaleDown with pod policy limitation", minReplicas: 1, maxReplicas: 1000, down: rules(5, 60, 0, 0, 300),
          current: 10, desired: 2, expected: 5, condition: "ScaleDownLimit"),
    .init(name: "scaleDown with percent policy limitation", minReplicas: 1, maxReplicas: 1000, down: rules(0, 0, 50, 60, 300),
          current: 10, desired: 5, expected: 5, condition: "DesiredWithinRange"),
    .init(name: "scaleUp with spec MaxReplicas limitation with large pod policy and events", upEvents: events([1, 5, 9], 120),
          minReplicas: 1, maxReplicas: 200, up: rules(300, 60, 0, 0, 0), current: 100, desired: 500, expected: 200, condition: "TooManyReplicas"),
    .init(name: "scaleUp with spec MaxReplicas limitation with large percent policy and events", upEvents: events([1, 5, 9], 120),
          minReplicas: 1, maxReplicas: 200, up: rules(0, 0, 10000, 60, 0), current: 100, desired: 500, expected: 200, condition: "TooManyReplicas"),
    .init(name: "scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events", upEvents: events([1, 5, 9], 120),
          minReplicas: 1, maxReplicas: 1000, up: rules(5, 120, 0, 0, 0), current: 100, desired: 500, expected: 100, condition: "ScaleUpLimit"),
    .init(name: "scaleUp with pod policy and previous scale up events", upEvents: events([1, 5, 9], 120),
          minReplicas: 1, maxReplicas: 1000, up: rules(150, 120, 0, 0, 0), current: 100, desired: 500, expected: 235, condition: "ScaleUpLimit"),
    .init(name: "scaleUp with percent policy and previous scale up events", upEvents: events([1, 5, 9], 120),
          minReplicas: 1, maxReplicas: 1000, up: rules(0, 0, 200, 120, 0), current: 100, desired: 500, expected: 255, condition: "ScaleUpLimit"),
    .init(name: "scaleUp with percent policy and previous scale up and down events", upEvents: events([4], 120), downEvents: events([2], 120),
          minReplicas: 1, maxReplicas: 1000, up: rules(0, 0, 300, 300, 0), current: 6, desired: 24, expected: 16, condition: "ScaleUpLimit"),
    .init(name: "scaleDown with default policy and previous events", downEvents: events([1, 5, 9], 120),
          minReplicas: 1, maxReplicas: 1000, current: 10, desired: 5, expected: 5, condition: "DesiredWithinRange"),
    .init(name: "scaleDown with spec MinReplicas=nil limitation with large pod policy and previous events", downEvents: events([1, 5, 9], 120),
          minReplicas: 1, maxReplicas: 1000, down: rules(115, 120, 0, 0, 300), current: 100, desired: 0, expected: 1, condition: "TooFewReplicas"),
    .init(name: "scaleDown with spec MinReplicas limitation with large pod policy and previous events", downEvents: events([1, 5, 9], 120),
          minReplicas: 5, maxReplicas: 1000, down: rules(130, 120, 0, 0, 300), current: 100, desired: 0, expected: 5, condition: "TooFewReplicas"),
    .init(name: "scaleDown with spec MinReplicas limitation with large percent policy and previous events", downEvents: events([1, 5, 9], 120),
          minReplicas: 5, maxReplicas: 1000, down: rules(0, 0, 100, 120, 300), current: 100, desired: 2, expected: 5, condition: "TooFewReplicas"),
    .init(name: "scaleDown with pod policy limitation and previous events", downEvents: events([1, 5, 9], 120),
          minReplicas: 1, maxReplicas: 1000, down: rules(5, 120, 0, 0, 300), current: 100, desired: 2, expected: 100, condition: "ScaleDownLimit"),
    .init(name: "scaleDown with percent policy limitation and previous events", downEvents: events([2, 4, 6], 120),
          minReplicas: 1, maxReplicas: 1000, down: rules(0, 0, 50, 120, 300), current: 100, desired: 0, expected: 56, condition: "ScaleDownLimit"),
    .init(name: "scaleDown with percent policy and previous scale up and down events", upEvents: events([2], 120), downEvents: events([4], 120),
          minReplicas: 1, maxReplicas: 1000, down: rules(0, 0, 50, 180, 0), current: 10, desired: 1, expected: 6, condition: "ScaleDownLimit"),
    .init(name: "scaleDown with previous events preventing further scale down", downEvents: events([10, 10, 10], 120),
          minReplicas: 1, maxReplicas: 1000, down: rules(0, 0, 10, 120, 300), current: 100, desired: 0, expected: 100, condition: "ScaleDownLimit"),
    .init(name: "scaleDown with with previous events still allowing more scale down", downEvents: events([10, 10, 10], 120),
          minReplicas: 1, maxReplicas: 1000, down: rules(0, 0, 1000, 120, 300), current: 10, desired: 5, expected: 5, condition: "DesiredWithinRange"),
    .init(name: "check 'outdated' flag for events for one behavior for up", upEvents: events([8, 12, 9, 11], 120),
          minReplicas: 1, maxReplicas: 1000, up: rules(1000, 60, 0, 0, 0), current: 100, desired: 200, expected: 200, condition: "DesiredWithinRange"),
    .init(name: "check that events were marked 'outdated' for two different policies in the behavior for up", upEvents: events([8, 12, 9, 11], 120),
          minReplicas: 1, maxReplicas: 1000, up: rules(1000, 30, 100, 60, 0), current: 100, desired: 200, expected: 200, condition: "DesiredWithinRange"),
    .init(name: "check that events were marked 'outdated' for two different policies in the behavior for down", downEvents: events([8, 12, 9, 11], 120),
          minReplicas: 1, maxReplicas: 1000, down: rules(1000, 30, 100, 60, 300), current: 100, desired: 5, expected: 5, condition: "DesiredWithinRange"),
]

struct HorizontalPodAutoscalerTests {
    @Test(arguments: scalingWithRulesCases)
    func scalingWithRules(_ c: ScalingWithRulesCase) {
        let behavior = HPA.Behavior(scaleUp: c.up, scaleDown: c.down)
        let (replicas, condition) = HPA.convertDesiredReplicasWithBehaviorRate(
            current: c.current, desired: c.desired, minReplicas: c.minReplicas, maxReplicas: c.maxReplicas,
            scaleUpEvents: c.upEvents, scaleDownEvents: c.downEvents, behavior: behavior, now: now)
        #expect(replicas == c.expected)
        #expect(condition.rawValue == c.condition)
    }

    /// The issue's examples: current 5 with a Pods policy of 4 per 60 s allows at most 9; scale-down with
    /// Percent 20 from 10 goes to 8.
    @Test func issueExamples() {
        let up = HPA.Behavior(scaleUp: HPA.ScalingRules(policies: [HPA.ScalingPolicy(.pods, 4, periodSeconds: 60)]))
        #expect(HPA.convertDesiredReplicasWithBehaviorRate(current: 5, desired: 20, minReplicas: 1, maxReplicas: 100,
                                                           scaleUpEvents: [], scaleDownEvents: [], behavior: up, now: now).0 == 9)
        let down = HPA.Behavior(scaleDown: HPA.ScalingRules(policies: [HPA.ScalingPolicy(.percent, 20, periodSeconds: 60)]))
        #expect(HPA.convertDesiredReplicasWithBehaviorRate(current: 10, desired: 1, minReplicas: 1, maxReplicas: 100,
                                                           scaleUpEvents: [], scaleDownEvents: [], behavior: down, now: now).0 == 8)
    }

    @Test func defaultsMatchKubernetes() {
        let b = HPA.Behavior()
        #expect(b.scaleUp.stabilizationWindowNanos == 0)
        #expect(b.scaleUp.selectPolicy == .max)
        #expect(b.scaleUp.policies == [HPA.ScalingPolicy(.pods, 4, periodSeconds: 15), HPA.ScalingPolicy(.percent, 100, periodSeconds: 15)])
        #expect(b.scaleDown.stabilizationWindowNanos == nil)  // the controller's 5 min
        #expect(b.scaleDown.policies == [HPA.ScalingPolicy(.percent, 100, periodSeconds: 15)])
    }

    @Test func selectPolicyMinAndDisabled() {
        var r = rules(4, 60, 100, 60, 0)
        r.selectPolicy = .min
        #expect(HPA.scaleUpLimitWithScalingRules(current: 10, scaleUpEvents: [], scaleDownEvents: [], rules: r, now: now) == 14)
        r.selectPolicy = .max
        #expect(HPA.scaleUpLimitWithScalingRules(current: 10, scaleUpEvents: [], scaleDownEvents: [], rules: r, now: now) == 20)
        r.selectPolicy = .disabled
        let behavior = HPA.Behavior(scaleUp: r)
        #expect(HPA.convertDesiredReplicasWithBehaviorRate(current: 10, desired: 50, minReplicas: 1, maxReplicas: 100, scaleUpEvents: [],
                                                           scaleDownEvents: [], behavior: behavior, now: now) == (10, HPA.Condition.scaleUpLimit))
        // TestCalculateScaleDownLimitWithBehaviors' Min case: from 5 with Pods 2 / Percent 50 per 60 s, Min → 3.
        var d = rules(2, 60, 50, 60, 300)
        d.selectPolicy = .min
        #expect(HPA.scaleDownLimitWithBehaviors(current: 5, scaleUpEvents: [], scaleDownEvents: [], rules: d, now: now) == 3)
    }

    struct StabilizeCase: CustomTestStringConvertible, Sendable {
        var name: String
        var recommendations: [(Int, Int)]  // (replicas, minutes ago)
        var current: Int
        var desired: Int
        var expected: Int
        var upWindow: Int = 0
        var downWindow: Int = 300
        var testDescription: String { name }
    }

    /// `TestNormalizeDesiredReplicasWithBehavior` (horizontal_test.go): stabilization windows.
    static let stabilizeCases: [StabilizeCase] = [
        .init(name: "empty recommendations for scaling down", recommendations: [], current: 100, desired: 5, expected: 5),
        .init(name: "simple scale down stabilization", recommendations: [(4, 1), (5, 2), (9, 3)], current: 100, desired: 3, expected: 9),
        .init(name: "simple scale up stabilization", recommendations: [(4, 1), (5, 2), (9, 3)], current: 1, desired: 7, expected: 4,
              upWindow: 300),
        .init(name: "no scale down stabilization", recommendations: [(1, 1), (2, 2), (3, 3)], current: 100, desired: 3, expected: 3),
        .init(name: "no scale up stabilization", recommendations: [(4, 1), (5, 2), (9, 3)], current: 1, desired: 7, expected: 7),
        .init(name: "no scale down stabilization, reuse recommendation element", recommendations: [(10, 10), (9, 9)], current: 100,
              desired: 3, expected: 3),
        .init(name: "no scale up stabilization, reuse recommendation element", recommendations: [(10, 10), (9, 9)], current: 1,
              desired: 100, expected: 100),
        .init(name: "scale down stabilization, reuse one of obsolete recommendation element",
              recommendations: [(10, 10), (4, 1), (5, 2), (9, 9)], current: 100, desired: 3, expected: 5, downWindow: 180),
        .init(name: "scale up stabilization, reuse one of obsolete recommendation element",
              recommendations: [(10, 100), (6, 1), (5, 2), (9, 3)], current: 1, desired: 100, expected: 5, upWindow: 300),
        .init(name: "scale up and down stabilization, do not scale up when prenormalized rec goes down",
              recommendations: [(2, 100), (3, 3)], current: 2, desired: 1, expected: 2, upWindow: 300, downWindow: 300),
        .init(name: "scale up and down stabilization, do not scale down when prenormalized rec goes up",
              recommendations: [(2, 100), (1, 3)], current: 2, desired: 3, expected: 2, upWindow: 300, downWindow: 300),
    ]

    @Test(arguments: stabilizeCases)
    func stabilizeWithBehaviors(_ c: StabilizeCase) {
        let behavior = HPA.Behavior(scaleUp: HPA.ScalingRules(stabilizationWindowNanos: Nanoseconds(c.upWindow) * second),
                                    scaleDown: HPA.ScalingRules(stabilizationWindowNanos: Nanoseconds(c.downWindow) * second))
        var hpa = HPA(config: HPA.Config(maxReplicas: 1000, behavior: behavior))
        hpa.recommendations = c.recommendations.map { HPA.Timestamped($0.0, at: now - Nanoseconds($0.1) * 60 * second) }
        #expect(hpa.stabilizeWithBehaviors(current: c.current, desired: c.desired, behavior: behavior, now: now) == c.expected)
    }

    /// `TestNormalizeDesiredReplicas`: without behavior, the highest recommendation of the last 5 minutes,
    /// then at most max(2 × current, 4).
    @Test(arguments: [
        ([] as [(Int, Int)], 5, 5),
        ([(4, 2), (5, 1)], 3, 5),
        ([(1, 2), (2, 1)], 3, 3),
        ([(10, 10), (9, 9)], 3, 3),
        ([(10, 10), (4, 1), (5, 2), (9, 9)], 3, 5),
    ])
    func legacyStabilization(_ recs: [(Int, Int)], desired: Int, expected: Int) {
        var hpa = HPA(config: HPA.Config(maxReplicas: 1000, metrics: [.inFlightAverage(millis: 1000)]))
        // Upstream calls normalizeDesiredReplicas directly, after the reconcile's recordInitialRecommendation.
        hpa.recommendationsStarted = true
        hpa.recommendations = recs.map { HPA.Timestamped($0.0, at: now - Nanoseconds($0.1) * 60 * second) }
        // All pods at exactly `desired` in-flight per pod over `desired` pods: the metric proposes `desired`.
        let pods = (0..<10).map { _ in InstanceSample(status: .ready, inFlightMillis: Int64(desired) * 100) }
        let d = hpa.decide(AutoscalerMetrics(currentInstances: 10, readyInstances: 10, instances: pods), now: now)
        #expect(d.desiredInstances == expected)
    }

    @Test func legacyScaleUpLimit() {
        #expect(HPA.convertDesiredReplicasWithRules(current: 3, desired: 100, minReplicas: 1, maxReplicas: 50) == (6, HPA.Condition.scaleUpLimit))
        #expect(HPA.convertDesiredReplicasWithRules(current: 1, desired: 100, minReplicas: 1, maxReplicas: 50) == (4, HPA.Condition.scaleUpLimit))
        #expect(HPA.convertDesiredReplicasWithRules(current: 40, desired: 100, minReplicas: 1, maxReplicas: 50) == (50, HPA.Condition.tooManyReplicas))
    }

    /// Several metrics: the largest proposal wins; a metric without data blocks a scale-down only.
    @Test func multipleMetrics() {
        let cfg = HPA.Config(minReplicas: 1, maxReplicas: 100,
                             metrics: [.cpuUtilization(percent: 50), .inFlightAverage(millis: 10_000), .queueDepthAverage(millis: 5_000)],
                             behavior: HPA.Behavior(scaleUp: HPA.ScalingRules(policies: [HPA.ScalingPolicy(.pods, 100, periodSeconds: 15)])))
        var hpa = HPA(config: cfg)
        // CPU 60 % of 50 % → ceil(4 × 1.2) = 5; in-flight 20 per pod vs 10 → 8; queue 30 / 5 per pod → 6.
        let pods = (0..<4).map { _ in InstanceSample(status: .ready, cpuMillis: 600, cpuRequestMillis: 1000, inFlightMillis: 20_000) }
        let d = hpa.decide(AutoscalerMetrics(currentInstances: 4, readyInstances: 4, instances: pods, queueDepth: 30), now: now)
        #expect(d.desiredInstances == 8)
        #expect(d.reason == .metricProposal(metric: "in_flight", proposal: 8, condition: .desiredWithinRange))
        // No CPU samples at all (every pod pending) and the others propose fewer: no scale-down.
        var hpa2 = HPA(config: cfg)
        let idle = (0..<4).map { _ in InstanceSample(status: .pending) }
        let d2 = hpa2.decide(AutoscalerMetrics(currentInstances: 4, readyInstances: 0, instances: idle, queueDepth: 0), now: now)
        #expect(d2.desiredInstances == 4)
    }

    /// A full decision with the default behavior: a scale-down is held for the 5-minute window, then taken.
    @Test func scaleDownWaitsForTheStabilizationWindow() {
        var hpa = HPA(config: HPA.Config(minReplicas: 1, maxReplicas: 20, metrics: [.cpuUtilization(percent: 50)], behavior: HPA.Behavior()))
        func metrics(_ n: Int, cpu: Int64) -> AutoscalerMetrics {
            AutoscalerMetrics(currentInstances: n, readyInstances: n,
                              instances: (0..<n).map { _ in InstanceSample(status: .ready, cpuMillis: cpu, cpuRequestMillis: 1000) })
        }
        var t = now
        #expect(hpa.decide(metrics(4, cpu: 1000), now: t).desiredInstances == 8)      // 100 % of 50 % → ceil(4 × 2) = 8
        t += 15 * second
        #expect(hpa.decide(metrics(8, cpu: 1000), now: t).desiredInstances == 16)
        t += 15 * second
        // Load drops to 10 %: the calculator proposes 4, but 16 was recommended less than 5 minutes ago.
        #expect(hpa.decide(metrics(16, cpu: 100), now: t).desiredInstances == 16)
        t += 300 * second
        #expect(hpa.decide(metrics(16, cpu: 100), now: t).desiredInstances == 4)
    }
}
