/// Why an autoscaling policy decided what it did: a value, rendered as text where the run is reported.
public enum ScaleReason: Hashable, Sendable {
    // The step policy.
    /// Fewer instances than `min_instances` (the run started below it): up to the minimum at once.
    case belowMinimum
    /// More instances than `max_instances`: down to the maximum at once.
    case aboveMaximum
    /// A trigger is over its threshold but the gateway already runs `max_instances`.
    case atMaximum
    /// A trigger is over its threshold but the last scale-up is within the scale-up cooldown.
    case scaleUpCooldown
    /// Every metric is under its threshold by the hysteresis but the last scale-down is within its cooldown.
    case scaleDownCooldown
    /// No trigger is over its threshold and not every metric is comfortably under it.
    case withinThresholds
    /// These triggers are over their thresholds (in the policy's fixed order): scale up.
    case overThresholds([TriggerReading])
    /// Every metric is under its threshold by at least `hysteresis` (a share): scale down.
    case underThresholds(hysteresis: Double)

    // The Kubernetes HPA.
    /// More replicas than `maxReplicas`.
    case replicasAboveMaximum
    /// Fewer replicas than `minReplicas`.
    case replicasBelowMinimum
    /// No metric could be computed (or one could not and the others would scale down).
    case metricsUnavailable
    /// The metric with the largest proposal, what it proposed, and the controller's limiting condition.
    case metricProposal(metric: String, proposal: Int, condition: HorizontalPodAutoscaler.Condition)
}

/// A trigger of the step policy over its threshold, with the values compared.
public struct TriggerReading: Hashable, Sendable {
    public enum Metric: Hashable, Sendable {
        /// CPU utilisation, a share.
        case cpu
        /// Memory utilisation, a share.
        case memory
        /// Requests waiting in the gateway queue.
        case queueDepth
        /// Response time in milliseconds, by the statistic the policy reads (`mean` or `p95`).
        case responseTime(statistic: String)
    }

    public var metric: Metric
    public var observed: Double
    public var threshold: Double

    public init(_ metric: Metric, observed: Double, threshold: Double) {
        self.metric = metric
        self.observed = observed
        self.threshold = threshold
    }
}
