/// The product brief's step policy: scale up by a step when any trigger is over its threshold, scale down
/// by a step when every metric is comfortably under its threshold, each direction with its own cooldown,
/// always within [min, max].
///
/// "Comfortably under" means below `threshold × (1 − hysteresis)`: with CPU 70 % and hysteresis 20 %, the
/// gateway scales down only while CPU is below 56 %, so a load that hovers at the threshold does not flap.
public struct StepScalingPolicy: Hashable, Sendable {
    public struct Config: Hashable, Sendable {
        /// Trigger thresholds; `nil` disables a trigger. CPU and memory as fractions (0.7 = 70 %).
        public var cpuThreshold: Double?
        public var memoryThreshold: Double?
        public var queueDepthThreshold: Int?
        public var responseTimeThresholdMillis: Double?
        /// Which response-time statistic the trigger reads.
        public var responseTimeStatistic: ResponseTimeStatistic
        public var scaleUpStep: Int
        public var scaleDownStep: Int
        public var scaleUpCooldownNanos: Nanoseconds
        public var scaleDownCooldownNanos: Nanoseconds
        /// Fraction below each threshold every metric must be for a scale-down.
        public var hysteresis: Double
        public var minInstances: Int
        public var maxInstances: Int

        /// The brief's numbers: CPU 70 %, memory 80 %, queue 100, response time 5000 ms (p95); up by 2 after
        /// 300 s, down by 1 after 600 s, within [2, 50]; hysteresis 20 %.
        public init(cpuThreshold: Double? = 0.70, memoryThreshold: Double? = 0.80, queueDepthThreshold: Int? = 100,
                    responseTimeThresholdMillis: Double? = 5000, responseTimeStatistic: ResponseTimeStatistic = .p95,
                    scaleUpStep: Int = 2, scaleDownStep: Int = 1,
                    scaleUpCooldownNanos: Nanoseconds = 300_000_000_000, scaleDownCooldownNanos: Nanoseconds = 600_000_000_000,
                    hysteresis: Double = 0.2, minInstances: Int = 2, maxInstances: Int = 50) {
            self.cpuThreshold = cpuThreshold
            self.memoryThreshold = memoryThreshold
            self.queueDepthThreshold = queueDepthThreshold
            self.responseTimeThresholdMillis = responseTimeThresholdMillis
            self.responseTimeStatistic = responseTimeStatistic
            self.scaleUpStep = scaleUpStep
            self.scaleDownStep = scaleDownStep
            self.scaleUpCooldownNanos = scaleUpCooldownNanos
            self.scaleDownCooldownNanos = scaleDownCooldownNanos
            self.hysteresis = hysteresis
            self.minInstances = minInstances
            self.maxInstances = maxInstances
        }
    }

    public enum ResponseTimeStatistic: String, CaseIterable, Hashable, Sendable {
        case mean, p95
    }

    public let config: Config
    /// When the policy last scaled up or down (`nil`: never, so the first move is not held back).
    public private(set) var lastScaleUpAt: Nanoseconds?
    public private(set) var lastScaleDownAt: Nanoseconds?

    public init(config: Config = Config()) {
        self.config = config
    }

    public mutating func decide(_ m: AutoscalerMetrics, now: Nanoseconds) -> ScaleDecision {
        let current = m.currentInstances
        // Outside the bounds (e.g. the scenario starts with fewer than min): move to the bound at once.
        if current < config.minInstances {
            return record(ScaleDecision(desiredInstances: config.minInstances, reason: .belowMinimum), from: current, now: now)
        }
        if current > config.maxInstances {
            return record(ScaleDecision(desiredInstances: config.maxInstances, reason: .aboveMaximum), from: current, now: now)
        }
        let responseTime = config.responseTimeStatistic == .p95 ? m.responseTimeP95Millis : m.responseTimeMeanMillis
        // Triggers over their threshold, in a fixed order, for the reason.
        var over: [TriggerReading] = []
        if let t = config.cpuThreshold, m.cpuUtilization > t { over.append(TriggerReading(.cpu, observed: m.cpuUtilization, threshold: t)) }
        if let t = config.memoryThreshold, m.memoryUtilization > t {
            over.append(TriggerReading(.memory, observed: m.memoryUtilization, threshold: t))
        }
        if let t = config.queueDepthThreshold, m.queueDepth > t {
            over.append(TriggerReading(.queueDepth, observed: Double(m.queueDepth), threshold: Double(t)))
        }
        if let t = config.responseTimeThresholdMillis, let rt = responseTime, rt > t {
            over.append(TriggerReading(.responseTime(statistic: config.responseTimeStatistic.rawValue), observed: rt, threshold: t))
        }
        if !over.isEmpty {
            guard current < config.maxInstances else { return ScaleDecision(desiredInstances: current, reason: .atMaximum) }
            if let last = lastScaleUpAt, now - last < config.scaleUpCooldownNanos {
                return ScaleDecision(desiredInstances: current, reason: .scaleUpCooldown)
            }
            let desired = min(current + config.scaleUpStep, config.maxInstances)
            return record(ScaleDecision(desiredInstances: desired, reason: .overThresholds(over)), from: current, now: now)
        }
        let k = 1 - config.hysteresis
        var under = true
        if let t = config.cpuThreshold, m.cpuUtilization >= t * k { under = false }
        if let t = config.memoryThreshold, m.memoryUtilization >= t * k { under = false }
        if let t = config.queueDepthThreshold, Double(m.queueDepth) >= Double(t) * k { under = false }
        if let t = config.responseTimeThresholdMillis, let rt = responseTime, rt >= t * k { under = false }
        guard under, current > config.minInstances else { return ScaleDecision(desiredInstances: current, reason: .withinThresholds) }
        if let last = lastScaleDownAt, now - last < config.scaleDownCooldownNanos {
            return ScaleDecision(desiredInstances: current, reason: .scaleDownCooldown)
        }
        let desired = max(current - config.scaleDownStep, config.minInstances)
        return record(ScaleDecision(desiredInstances: desired, reason: .underThresholds(hysteresis: config.hysteresis)),
                      from: current, now: now)
    }

    private mutating func record(_ d: ScaleDecision, from current: Int, now: Nanoseconds) -> ScaleDecision {
        if d.desiredInstances > current { lastScaleUpAt = now }
        if d.desiredInstances < current { lastScaleDownAt = now }
        return d
    }
}
