import NexusGateway

extension ScaleReason {
    /// The reason as the run's `scale_events` report it, e.g. `cpu 85% > 70%, queue_depth 150 > 100`.
    public var text: String {
        switch self {
        case .belowMinimum: "below min_instances"
        case .aboveMaximum: "above max_instances"
        case .atMaximum: "at max_instances"
        case .scaleUpCooldown: "scale-up cooldown"
        case .scaleDownCooldown: "scale-down cooldown"
        case .withinThresholds: "within thresholds"
        case .overThresholds(let readings): readings.map(\.text).joined(separator: ", ")
        case .underThresholds(let hysteresis): "all metrics under thresholds by \(Self.percent(hysteresis))"
        case .replicasAboveMaximum: "current replicas above max replicas"
        case .replicasBelowMinimum: "current replicas below min replicas"
        case .metricsUnavailable: "metrics unavailable"
        case .metricProposal(let metric, let proposal, let condition): "\(metric) proposes \(proposal); \(condition.rawValue)"
        }
    }

    /// A share as a percentage with at most one decimal: 0.7 → `70%`, 0.855 → `85.5%`.
    static func percent(_ x: Double) -> String {
        let p = (x * 1000).rounded() / 10
        return p == p.rounded() ? "\(Int(p))%" : "\(p)%"
    }
}

extension TriggerReading {
    /// `cpu 85% > 70%`, `queue_depth 150 > 100`, `response_time_p95 5200 ms > 5000 ms`.
    public var text: String {
        switch metric {
        case .cpu: "cpu \(ScaleReason.percent(observed)) > \(ScaleReason.percent(threshold))"
        case .memory: "memory \(ScaleReason.percent(observed)) > \(ScaleReason.percent(threshold))"
        case .queueDepth: "queue_depth \(Int(observed)) > \(Int(threshold))"
        case .responseTime(let statistic):
            "response_time_\(statistic) \(Self.millis(observed)) ms > \(Self.millis(threshold)) ms"
        }
    }

    /// Whole milliseconds; a value beyond `Int` (never a real response time) prints as it is.
    private static func millis(_ x: Double) -> String {
        let r = x.rounded()
        return r.magnitude < 9e18 ? "\(Int(r))" : "\(r)"
    }
}
