/// What an autoscaler sees at one evaluation: the gateway's instances and what they measured over the
/// last interval. Built by the harness; the policies never read the simulation directly.
public struct AutoscalerMetrics: Hashable, Sendable {
    /// Instances the autoscaler owns now: starting and ready ones (draining ones are on their way out).
    /// Kubernetes calls this the scale target's current replicas.
    public var currentInstances: Int
    /// Instances serving requests.
    public var readyInstances: Int
    /// One sample per instance (starting, ready and draining), for the HPA's replica calculator.
    public var instances: [InstanceSample]
    /// Mean CPU utilisation of the ready instances over the interval (CPU seconds / (vCPUs × ready seconds)), 0…1+.
    public var cpuUtilization: Double
    /// Mean memory utilisation of the ready instances at the evaluation (memory / limit), 0…1.
    public var memoryUtilization: Double
    /// Requests waiting in the gateway queue at the evaluation.
    public var queueDepth: Int
    /// Response time (arrival to last token) of the requests answered during the interval, milliseconds;
    /// `nil` when none were answered.
    public var responseTimeMeanMillis: Double?
    public var responseTimeP95Millis: Double?

    public init(currentInstances: Int, readyInstances: Int, instances: [InstanceSample] = [],
                cpuUtilization: Double = 0, memoryUtilization: Double = 0, queueDepth: Int = 0,
                responseTimeMeanMillis: Double? = nil, responseTimeP95Millis: Double? = nil) {
        self.currentInstances = currentInstances
        self.readyInstances = readyInstances
        self.instances = instances
        self.cpuUtilization = cpuUtilization
        self.memoryUtilization = memoryUtilization
        self.queueDepth = queueDepth
        self.responseTimeMeanMillis = responseTimeMeanMillis
        self.responseTimeP95Millis = responseTimeP95Millis
    }
}

/// One instance as the Kubernetes replica calculator sees a pod: its status and its metric samples.
///
/// Values are integer milli-units, as Kubernetes' `resource.Quantity.MilliValue()`: CPU in millicores,
/// memory in milli-bytes is impractical, so memory is in bytes × 1000 / 1000 = whole units chosen by the
/// caller (the calculator only uses ratios). `nil` means the metric is missing for this instance.
public struct InstanceSample: Hashable, Sendable {
    public enum Status: Hashable, Sendable {
        /// Running and ready, with a CPU sample that covers a full metric window since it became ready.
        case ready
        /// Running but unready, or ready so recently that its CPU sample predates readiness: Kubernetes
        /// ignores its CPU sample (`groupPods`), but counts it for other metrics.
        case unready
        /// Not running yet (starting): ignored for every metric.
        case pending
        /// Being removed (draining) or failed: left out entirely.
        case deleting
    }

    public var status: Status
    /// CPU used, millicores averaged over the metric window.
    public var cpuMillis: Int64?
    /// CPU requested (the instance's vCPUs), millicores.
    public var cpuRequestMillis: Int64
    /// Memory used and requested, in any one unit (e.g. KiB).
    public var memory: Int64?
    public var memoryRequest: Int64
    /// Requests in flight on the instance, milli-requests (a pods metric for `AverageValue` targets).
    public var inFlightMillis: Int64?

    public init(status: Status, cpuMillis: Int64? = nil, cpuRequestMillis: Int64 = 1000,
                memory: Int64? = nil, memoryRequest: Int64 = 1, inFlightMillis: Int64? = nil) {
        self.status = status
        self.cpuMillis = cpuMillis
        self.cpuRequestMillis = cpuRequestMillis
        self.memory = memory
        self.memoryRequest = memoryRequest
        self.inFlightMillis = inFlightMillis
    }
}

/// What a policy decided: how many instances it wants, and why (for the `scale_events` output).
public struct ScaleDecision: Hashable, Sendable {
    public var desiredInstances: Int
    public var reason: ScaleReason

    public init(desiredInstances: Int, reason: ScaleReason) {
        self.desiredInstances = desiredInstances
        self.reason = reason
    }
}

/// The autoscaling policies behind one interface, `(metrics, now) → desired instances`. A closed enum
/// rather than an existential, so the run loop dispatches with a switch.
public enum AutoscalingPolicy: Hashable, Sendable {
    case step(StepScalingPolicy)
    case hpa(HorizontalPodAutoscaler)

    public mutating func decide(_ metrics: AutoscalerMetrics, now: Nanoseconds) -> ScaleDecision {
        switch self {
        case .step(var p):
            let d = p.decide(metrics, now: now)
            self = .step(p)
            return d
        case .hpa(var p):
            let d = p.decide(metrics, now: now)
            self = .hpa(p)
            return d
        }
    }

    /// Bounds the policy keeps the instance count within.
    public var minInstances: Int {
        switch self {
        case .step(let p): p.config.minInstances
        case .hpa(let p): p.config.minReplicas
        }
    }

    public var maxInstances: Int {
        switch self {
        case .step(let p): p.config.maxInstances
        case .hpa(let p): p.config.maxReplicas
        }
    }
}
