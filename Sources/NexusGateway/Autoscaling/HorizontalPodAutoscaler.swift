/// A Kubernetes `autoscaling/v2` HorizontalPodAutoscaler, following the controller
/// (k8s.io/kubernetes pkg/controller/podautoscaler/horizontal.go `reconcileAutoscaler`):
///
/// 1. each metric proposes a replica count with the ``ReplicaCalculator``; the largest proposal wins (a
///    metric without data blocks a scale-down, as in `computeReplicasForMetrics`);
/// 2. without `behavior`: the legacy path — the highest recommendation of the last
///    `downscaleStabilization` (5 min) and a scale-up limit of max(2 × current, 4);
///    with `behavior`: `stabilizeRecommendationWithBehaviors` (scale-up window: lowest recommendation,
///    scale-down window: highest) then `convertDesiredReplicasWithBehaviorRate` (Pods/Percent policies over
///    their periods, counting the scale events made within each period; selectPolicy Max/Min/Disabled);
/// 3. always within [minReplicas, maxReplicas].
public struct HorizontalPodAutoscaler: Hashable, Sendable {
    public enum Metric: Hashable, Sendable {
        /// Resource metric, `Utilization` target: CPU used / CPU requested (vCPUs), whole percent.
        case cpuUtilization(percent: Int)
        /// Resource metric, `Utilization` target: memory used / memory limit, whole percent.
        case memoryUtilization(percent: Int)
        /// Pods metric, `AverageValue` target: requests in flight per instance, milli-requests.
        case inFlightAverage(millis: Int64)
        /// External metric, `AverageValue` target: gateway queue depth per instance, milli-requests.
        case queueDepthAverage(millis: Int64)

        public var name: String {
            switch self {
            case .cpuUtilization: "cpu"
            case .memoryUtilization: "memory"
            case .inFlightAverage: "in_flight"
            case .queueDepthAverage: "queue_depth"
            }
        }
    }

    public enum SelectPolicy: String, CaseIterable, Hashable, Sendable {
        case max = "Max", min = "Min", disabled = "Disabled"
    }

    public struct ScalingPolicy: Hashable, Sendable {
        public enum Kind: String, CaseIterable, Hashable, Sendable { case pods = "Pods", percent = "Percent" }
        public var kind: Kind
        public var value: Int
        public var periodNanos: Nanoseconds
        public init(_ kind: Kind, _ value: Int, periodSeconds: Int) {
            self.kind = kind
            self.value = value
            self.periodNanos = Nanoseconds(periodSeconds) * 1_000_000_000
        }
    }

    /// `HPAScalingRules`; a `nil` field takes Kubernetes' default when the behavior is built.
    public struct ScalingRules: Hashable, Sendable {
        public var stabilizationWindowNanos: Nanoseconds?
        public var selectPolicy: SelectPolicy?
        public var policies: [ScalingPolicy]?
        /// This direction's tolerance (`HPAScalingRules.tolerance`, Kubernetes ≥ 1.33); `nil`: the
        /// controller-wide ``Config/tolerance``.
        public var tolerance: Double?
        public init(stabilizationWindowNanos: Nanoseconds? = nil, selectPolicy: SelectPolicy? = nil, policies: [ScalingPolicy]? = nil,
                    tolerance: Double? = nil) {
            self.stabilizationWindowNanos = stabilizationWindowNanos
            self.selectPolicy = selectPolicy
            self.policies = policies
            self.tolerance = tolerance
        }

        /// `GenerateHPAScaleUpRules`: stabilization 0, Pods 4 and Percent 100 per 15 s, Max
        /// (pkg/apis/autoscaling/v2/defaults.go).
        public static func scaleUpDefaults(_ r: ScalingRules?) -> ScalingRules {
            ScalingRules(stabilizationWindowNanos: r?.stabilizationWindowNanos ?? 0, selectPolicy: r?.selectPolicy ?? .max,
                         policies: r?.policies ?? [ScalingPolicy(.pods, 4, periodSeconds: 15), ScalingPolicy(.percent, 100, periodSeconds: 15)],
                         tolerance: r?.tolerance)
        }

        /// `GenerateHPAScaleDownRules`: Percent 100 per 15 s, Max; the stabilization window stays unset and
        /// becomes the controller's `--horizontal-pod-autoscaler-downscale-stabilization` (5 min).
        public static func scaleDownDefaults(_ r: ScalingRules?) -> ScalingRules {
            ScalingRules(stabilizationWindowNanos: r?.stabilizationWindowNanos, selectPolicy: r?.selectPolicy ?? .max,
                         policies: r?.policies ?? [ScalingPolicy(.percent, 100, periodSeconds: 15)], tolerance: r?.tolerance)
        }
    }

    public struct Behavior: Hashable, Sendable {
        public var scaleUp: ScalingRules
        public var scaleDown: ScalingRules
        /// Fills unset fields with Kubernetes' defaults.
        public init(scaleUp: ScalingRules? = nil, scaleDown: ScalingRules? = nil) {
            self.scaleUp = ScalingRules.scaleUpDefaults(scaleUp)
            self.scaleDown = ScalingRules.scaleDownDefaults(scaleDown)
        }
    }

    public struct Config: Hashable, Sendable {
        public var minReplicas: Int
        public var maxReplicas: Int
        public var metrics: [Metric]
        /// `nil`: the controller's legacy normalisation, as Kubernetes does for an HPA without `behavior`.
        public var behavior: Behavior?
        /// `--horizontal-pod-autoscaler-tolerance`.
        public var tolerance: Double
        /// `--horizontal-pod-autoscaler-downscale-stabilization`.
        public var downscaleStabilizationNanos: Nanoseconds

        public init(minReplicas: Int = 1, maxReplicas: Int, metrics: [Metric] = [.cpuUtilization(percent: 80)],
                    behavior: Behavior? = nil, tolerance: Double = 0.1, downscaleStabilizationNanos: Nanoseconds = 300_000_000_000) {
            self.minReplicas = minReplicas
            self.maxReplicas = maxReplicas
            self.metrics = metrics
            self.behavior = behavior
            self.tolerance = tolerance
            self.downscaleStabilizationNanos = downscaleStabilizationNanos
        }
    }

    /// A past recommendation or scale event (`timestampedRecommendation`, `timestampedScaleEvent`).
    public struct Timestamped: Hashable, Sendable {
        public var value: Int
        public var at: Nanoseconds
        public init(_ value: Int, at: Nanoseconds) {
            self.value = value
            self.at = at
        }
    }

    public let config: Config
    public var recommendations: [Timestamped] = []
    public var scaleUpEvents: [Timestamped] = []
    public var scaleDownEvents: [Timestamped] = []
    /// Whether the recommendations have been started (`recordInitialRecommendation` runs once).
    public var recommendationsStarted = false

    public init(config: Config) {
        self.config = config
    }

    /// `tolerancesForHpa`: the controller-wide tolerance, overridden per direction by the behavior.
    public var tolerances: ReplicaCalculator.Tolerances {
        ReplicaCalculator.Tolerances(scaleDown: config.behavior?.scaleDown.tolerance ?? config.tolerance,
                                     scaleUp: config.behavior?.scaleUp.tolerance ?? config.tolerance)
    }

    /// One `reconcileAutoscaler` pass: the instance count to scale to, and why.
    public mutating func decide(_ m: AutoscalerMetrics, now: Nanoseconds) -> ScaleDecision {
        let current = m.currentInstances
        // `recordInitialRecommendation`: the count found at the first reconcile is the first recommendation,
        // so a scale-down right after start is held through the stabilization window as upstream.
        if !recommendationsStarted {
            recommendationsStarted = true
            if recommendations.isEmpty { recommendations.append(Timestamped(current, at: now)) }
        }
        if current > config.maxReplicas {
            return ScaleDecision(desiredInstances: config.maxReplicas, reason: .replicasAboveMaximum)
        }
        if current < config.minReplicas {
            return ScaleDecision(desiredInstances: config.minReplicas, reason: .replicasBelowMinimum)
        }
        guard let (proposal, metric) = replicasForMetrics(m) else {
            return ScaleDecision(desiredInstances: current, reason: .metricsUnavailable)
        }
        let desired: Int
        let condition: Condition
        if let behavior = config.behavior {
            let stabilized = stabilizeWithBehaviors(current: current, desired: proposal, behavior: behavior, now: now)
            (desired, condition) = Self.convertDesiredReplicasWithBehaviorRate(
                current: current, desired: stabilized, minReplicas: config.minReplicas, maxReplicas: config.maxReplicas,
                scaleUpEvents: scaleUpEvents, scaleDownEvents: scaleDownEvents, behavior: behavior, now: now)
            if desired != current { storeScaleEvent(from: current, to: desired, behavior: behavior, now: now) }
        } else {
            let stabilized = stabilize(desired: proposal, now: now)
            (desired, condition) = Self.convertDesiredReplicasWithRules(
                current: current, desired: stabilized, minReplicas: config.minReplicas, maxReplicas: config.maxReplicas)
        }
        return ScaleDecision(desiredInstances: desired, reason: .metricProposal(metric: metric, proposal: proposal, condition: condition))
    }

    /// `computeReplicasForMetrics`: the largest proposal; `nil` when no metric could be computed, or when
    /// one could not and the others would scale down.
    func replicasForMetrics(_ m: AutoscalerMetrics) -> (Int, String)? {
        var best: (Int, String)?  // the proposal and the metric's name
        var invalid = 0
        let current = m.currentInstances
        let tolerances = self.tolerances
        for metric in config.metrics {
            let proposal: Int?
            switch metric {
            case .cpuUtilization(let target):
                proposal = ReplicaCalculator.resourceReplicas(currentReplicas: current, pods: m.instances, targetUtilization: target,
                                                              resource: .cpu, tolerances: tolerances)
            case .memoryUtilization(let target):
                proposal = ReplicaCalculator.resourceReplicas(currentReplicas: current, pods: m.instances, targetUtilization: target,
                                                              resource: .memory, tolerances: tolerances)
            case .inFlightAverage(let target):
                proposal = ReplicaCalculator.plainMetricReplicas(currentReplicas: current, pods: m.instances, targetAverageMillis: target,
                                                                 value: { $0.inFlightMillis }, tolerances: tolerances)
            case .queueDepthAverage(let target):
                proposal = current == 0 ? nil : ReplicaCalculator.externalPerPodReplicas(
                    statusReplicas: current, totalMillis: Int64(m.queueDepth) * 1000, targetPerPodMillis: target, tolerances: tolerances)
            }
            guard let proposal else { invalid += 1; continue }
            if best == nil || proposal > best!.0 { best = (proposal, metric.name) }
        }
        guard let best, invalid == 0 || best.0 >= current else { return nil }
        return best
    }

    // MARK: Without behavior (legacy normalisation)

    /// `stabilizeRecommendation`: the highest recommendation of the downscale stabilization window. Upstream
    /// forgets only those strictly before the cutoff (`timestamp.Before(cutoff)`), so one exactly a window
    /// old still counts — unlike the behavior path, which counts those strictly after it.
    mutating func stabilize(desired: Int, now: Nanoseconds) -> Int {
        let cutoff = now - config.downscaleStabilizationNanos
        var result = desired
        for r in recommendations where r.at >= cutoff { result = max(result, r.value) }
        recommendations.removeAll { $0.at < cutoff }
        recommendations.append(Timestamped(desired, at: now))
        return result
    }

    /// `convertDesiredReplicasWithRules`: within [min, max] and at most max(2 × current, 4).
    public static func convertDesiredReplicasWithRules(current: Int, desired: Int, minReplicas: Int, maxReplicas: Int) -> (Int, Condition) {
        let scaleUpLimit = max(2 * current, 4)
        let (maximumAllowed, limitCondition) = maxReplicas > scaleUpLimit ? (scaleUpLimit, Condition.scaleUpLimit) : (maxReplicas, .tooManyReplicas)
        if desired < minReplicas { return (minReplicas, .tooFewReplicas) }
        if desired > maximumAllowed { return (maximumAllowed, limitCondition) }
        return (desired, .desiredWithinRange)
    }

    // MARK: With behavior

    /// `stabilizeRecommendationWithBehaviors`: the current count brought within [lowest recommendation of the
    /// scale-up window, highest of the scale-down window], both windows including this recommendation.
    public mutating func stabilizeWithBehaviors(current: Int, desired: Int, behavior: Behavior, now: Nanoseconds) -> Int {
        let upCutoff = now - (behavior.scaleUp.stabilizationWindowNanos ?? 0)
        let downCutoff = now - (behavior.scaleDown.stabilizationWindowNanos ?? config.downscaleStabilizationNanos)
        var up = desired, down = desired
        for r in recommendations {
            if r.at > upCutoff { up = min(up, r.value) }
            if r.at > downCutoff { down = max(down, r.value) }
        }
        recommendations.removeAll { $0.at <= upCutoff && $0.at <= downCutoff }
        recommendations.append(Timestamped(desired, at: now))
        var recommendation = current
        if recommendation < up { recommendation = up }
        if recommendation > down { recommendation = down }
        return recommendation
    }

    /// `convertDesiredReplicasWithBehaviorRate`: limits the change to what the direction's policies allow.
    public static func convertDesiredReplicasWithBehaviorRate(
        current: Int, desired: Int, minReplicas: Int, maxReplicas: Int,
        scaleUpEvents: [Timestamped], scaleDownEvents: [Timestamped], behavior: Behavior, now: Nanoseconds
    ) -> (Int, Condition) {
        if desired > current {
            let scaleUpLimit = max(current, scaleUpLimitWithScalingRules(current: current, scaleUpEvents: scaleUpEvents,
                                                                         scaleDownEvents: scaleDownEvents, rules: behavior.scaleUp, now: now))
            let (maximumAllowed, condition) = maxReplicas > scaleUpLimit ? (scaleUpLimit, Condition.scaleUpLimit) : (maxReplicas, .tooManyReplicas)
            if desired > maximumAllowed { return (maximumAllowed, condition) }
        } else if desired < current {
            let scaleDownLimit = min(current, scaleDownLimitWithBehaviors(current: current, scaleUpEvents: scaleUpEvents,
                                                                          scaleDownEvents: scaleDownEvents, rules: behavior.scaleDown, now: now))
            let (minimumAllowed, condition) = minReplicas < scaleDownLimit ? (scaleDownLimit, Condition.scaleDownLimit) : (minReplicas, .tooFewReplicas)
            if desired < minimumAllowed { return (minimumAllowed, condition) }
        }
        return (desired, .desiredWithinRange)
    }

    /// `calculateScaleUpLimitWithScalingRules`: the most replicas the policies allow now.
    public static func scaleUpLimitWithScalingRules(current: Int, scaleUpEvents: [Timestamped], scaleDownEvents: [Timestamped],
                                                    rules: ScalingRules, now: Nanoseconds) -> Int {
        let select = rules.selectPolicy ?? .max
        if select == .disabled { return current }
        var result = select == .min ? Int.max : Int.min
        for policy in rules.policies ?? [] {
            let added = changeWithin(policy.periodNanos, scaleUpEvents, now: now)
            let deleted = changeWithin(policy.periodNanos, scaleDownEvents, now: now)
            let periodStart = current - added + deleted
            let proposed = switch policy.kind {
            case .pods: periodStart + policy.value
            // Rounded up so that a small percentage still allows one more replica.
            case .percent: Int((Double(periodStart) * (1 + Double(policy.value) / 100)).rounded(.up))
            }
            result = select == .min ? min(result, proposed) : max(result, proposed)
        }
        return result
    }

    /// `calculateScaleDownLimitWithBehaviors`: the fewest replicas the policies allow now.
    public static func scaleDownLimitWithBehaviors(current: Int, scaleUpEvents: [Timestamped], scaleDownEvents: [Timestamped],
                                                   rules: ScalingRules, now: Nanoseconds) -> Int {
        let select = rules.selectPolicy ?? .max
        if select == .disabled { return current }
        var result = select == .min ? Int.min : Int.max
        for policy in rules.policies ?? [] {
            let added = changeWithin(policy.periodNanos, scaleUpEvents, now: now)
            let deleted = changeWithin(policy.periodNanos, scaleDownEvents, now: now)
            let periodStart = current - added + deleted
            let proposed = switch policy.kind {
            case .pods: periodStart - policy.value
            // Truncated toward zero, as Go's int32(float64) conversion.
            case .percent: Int(Double(periodStart) * (1 - Double(policy.value) / 100))
            }
            result = select == .min ? max(result, proposed) : min(result, proposed)
        }
        return result
    }

    /// `getReplicasChangePerPeriod`: the replicas changed by events newer than `period`.
    static func changeWithin(_ period: Nanoseconds, _ events: [Timestamped], now: Nanoseconds) -> Int {
        let cutoff = now - period
        return events.reduce(0) { $0 + ($1.at > cutoff ? $1.value : 0) }
    }

    /// `storeScaleEvent`: remembers the change for the direction's rate policies, forgetting events older
    /// than its longest period.
    mutating func storeScaleEvent(from: Int, to: Int, behavior: Behavior, now: Nanoseconds) {
        if to > from {
            let longest = (behavior.scaleUp.policies ?? []).map(\.periodNanos).max() ?? 0
            scaleUpEvents.removeAll { $0.at <= now - longest }
            scaleUpEvents.append(Timestamped(to - from, at: now))
        } else {
            let longest = (behavior.scaleDown.policies ?? []).map(\.periodNanos).max() ?? 0
            scaleDownEvents.removeAll { $0.at <= now - longest }
            scaleDownEvents.append(Timestamped(from - to, at: now))
        }
    }
}

extension HorizontalPodAutoscaler {
    /// The controller's condition on the replica count it may set (its `ScalingLimited` reasons); the raw
    /// values are the controller's own names.
    public enum Condition: String, CaseIterable, Hashable, Sendable {
        case desiredWithinRange = "DesiredWithinRange"
        case scaleUpLimit = "ScaleUpLimit"
        case scaleDownLimit = "ScaleDownLimit"
        case tooManyReplicas = "TooManyReplicas"
        case tooFewReplicas = "TooFewReplicas"
    }
}
