/// The Kubernetes HPA replica calculator (k8s.io/kubernetes pkg/controller/podautoscaler/replica_calculator.go),
/// transcribed: same grouping of pods, same integer arithmetic, same treatment of unready and missing pods.
///
/// - Pods being deleted (draining instances) are left out; pending (starting) pods are ignored for every
///   metric; for CPU, unready pods are ignored too (`groupPods`).
/// - A pod without a sample is "missing": on a scale-down it is assumed to use max(100 %, target) of its
///   request (exactly the target, for a pods metric), on a scale-up 0 %; at a ratio of exactly 1 it is left
///   out — each damps the move.
/// - On a scale-up, ignored pods are assumed to use 0 %.
/// - If the corrected ratio is within the tolerances, or flips the direction, nothing changes; nor when the
///   number of pods counted would flip it.
public enum ReplicaCalculator {
    public enum Resource: Hashable, Sendable { case cpu, memory }

    /// The dead band around a usage ratio of 1 (upstream `Tolerances`): no change while
    /// `1 − scaleDown ≤ ratio ≤ 1 + scaleUp`. Kubernetes ≥ 1.33 sets each side from
    /// `behavior.scaleDown.tolerance` / `behavior.scaleUp.tolerance`, defaulting to
    /// `--horizontal-pod-autoscaler-tolerance` (0.1).
    public struct Tolerances: Hashable, Sendable {
        public var scaleDown: Double
        public var scaleUp: Double
        public init(scaleDown: Double, scaleUp: Double) {
            self.scaleDown = scaleDown
            self.scaleUp = scaleUp
        }
        /// The same tolerance both ways.
        public init(_ both: Double) { self.init(scaleDown: both, scaleUp: both) }

        /// `Tolerances.isWithin`.
        public func isWithin(_ usageRatio: Double) -> Bool { 1.0 - scaleDown <= usageRatio && usageRatio <= 1.0 + scaleUp }
    }

    /// `GetResourceReplicas`: target utilisation as a whole percentage of the request, e.g. 60.
    /// Returns `nil` when no ready pod has a sample (Kubernetes' "did not receive metrics for any ready pods").
    public static func resourceReplicas(currentReplicas: Int, pods: [InstanceSample], targetUtilization: Int,
                                        resource: Resource, tolerances: Tolerances = Tolerances(0.1)) -> Int? {
        func value(_ p: InstanceSample) -> Int64? { resource == .cpu ? p.cpuMillis : p.memory }
        func request(_ p: InstanceSample) -> Int64 { resource == .cpu ? p.cpuRequestMillis : p.memoryRequest }
        let g = group(pods, value: value, ignoreUnready: resource == .cpu)
        // Samples of the pods that count: (value, request).
        var samples: [(Int64, Int64)] = g.ready.map { (value(pods[$0])!, request(pods[$0])) }
        guard !samples.isEmpty else { return nil }
        func ratio(_ s: [(Int64, Int64)]) -> Double {
            let used = s.reduce(Int64(0)) { $0 + $1.0 }
            let requested = s.reduce(Int64(0)) { $0 + $1.1 }
            guard requested > 0 else { return 0 }
            let utilization = (used * 100) / requested  // integer percent, as Kubernetes computes it
            return Double(utilization) / Double(targetUtilization)
        }
        let usageRatio = ratio(samples)
        let rebalanceIgnored = !g.ignored.isEmpty && usageRatio > 1.0
        if !rebalanceIgnored && g.missing.isEmpty {
            if tolerances.isWithin(usageRatio) { return currentReplicas }
            return Int((usageRatio * Double(g.ready.count)).rounded(.up))
        }
        if !g.missing.isEmpty {
            if usageRatio < 1.0 {
                // A target above 100 % would otherwise make the assumed usage look like a scale-down.
                let fallbackUtilization = Int64(max(100, targetUtilization))
                for i in g.missing { samples.append((request(pods[i]) * fallbackUtilization / 100, request(pods[i]))) }
            } else if usageRatio > 1.0 {
                for i in g.missing { samples.append((0, request(pods[i]))) }
            }
        }
        if rebalanceIgnored {
            for i in g.ignored { samples.append((0, request(pods[i]))) }
        }
        let newUsageRatio = ratio(samples)
        if tolerances.isWithin(newUsageRatio) || (usageRatio < 1.0 && newUsageRatio > 1.0) || (usageRatio > 1.0 && newUsageRatio < 1.0) {
            return currentReplicas
        }
        let newReplicas = Int((newUsageRatio * Double(samples.count)).rounded(.up))
        if (newUsageRatio < 1.0 && newReplicas > currentReplicas) || (newUsageRatio > 1.0 && newReplicas < currentReplicas) {
            return currentReplicas
        }
        return newReplicas
    }

    /// `GetMetricReplicas` / `calcPlainMetricReplicas`: a pods metric with an `AverageValue` target, both in
    /// milli-units (e.g. in-flight requests × 1000). Unready pods are not ignored for such metrics.
    public static func plainMetricReplicas(currentReplicas: Int, pods: [InstanceSample], targetAverageMillis: Int64,
                                           value: (InstanceSample) -> Int64?, tolerances: Tolerances = Tolerances(0.1)) -> Int? {
        let g = group(pods, value: value, ignoreUnready: false)
        var samples: [Int64] = g.ready.map { value(pods[$0])! }
        guard !samples.isEmpty else { return nil }
        func ratio(_ s: [Int64]) -> Double {
            let average = s.reduce(Int64(0), +) / Int64(s.count)  // integer average, as Kubernetes
            return Double(average) / Double(targetAverageMillis)
        }
        let usageRatio = ratio(samples)
        let rebalanceIgnored = !g.ignored.isEmpty && usageRatio > 1.0
        if !rebalanceIgnored && g.missing.isEmpty {
            if tolerances.isWithin(usageRatio) { return currentReplicas }
            return Int((usageRatio * Double(g.ready.count)).rounded(.up))
        }
        // Missing pods use exactly the target on a scale-down, nothing on a scale-up, and are left out at a
        // ratio of exactly 1.
        if !g.missing.isEmpty {
            if usageRatio < 1.0 {
                for _ in g.missing { samples.append(targetAverageMillis) }
            } else if usageRatio > 1.0 {
                for _ in g.missing { samples.append(0) }
            }
        }
        if rebalanceIgnored {
            for _ in g.ignored { samples.append(0) }
        }
        let newUsageRatio = ratio(samples)
        if tolerances.isWithin(newUsageRatio) || (usageRatio < 1.0 && newUsageRatio > 1.0) || (usageRatio > 1.0 && newUsageRatio < 1.0) {
            return currentReplicas
        }
        let newReplicas = Int((newUsageRatio * Double(samples.count)).rounded(.up))
        if (newUsageRatio < 1.0 && newReplicas > currentReplicas) || (newUsageRatio > 1.0 && newReplicas < currentReplicas) {
            return currentReplicas
        }
        return newReplicas
    }

    /// `GetExternalPerPodMetricReplicas`: an external metric (the gateway queue depth) with an
    /// `AverageValue` target per replica. `statusReplicas` is the scale target's current replica count.
    public static func externalPerPodReplicas(statusReplicas: Int, totalMillis: Int64, targetPerPodMillis: Int64,
                                              tolerances: Tolerances = Tolerances(0.1)) -> Int {
        let usageRatio = Double(totalMillis) / (Double(targetPerPodMillis) * Double(statusReplicas))
        guard !tolerances.isWithin(usageRatio) else { return statusReplicas }
        return Int((Double(totalMillis) / Double(targetPerPodMillis)).rounded(.up))
    }

    /// `groupPods`: indices of the pods that count, of those ignored (pending, or unready for CPU), and of
    /// those without a sample. Deleted pods are in none.
    static func group(_ pods: [InstanceSample], value: (InstanceSample) -> Int64?, ignoreUnready: Bool)
        -> (ready: [Int], ignored: [Int], missing: [Int]) {
        var ready: [Int] = [], ignored: [Int] = [], missing: [Int] = []
        for (i, pod) in pods.enumerated() {
            switch pod.status {
            case .deleting: continue
            case .pending: ignored.append(i); continue
            case .ready, .unready: break
            }
            guard value(pod) != nil else { missing.append(i); continue }
            if ignoreUnready && pod.status == .unready { ignored.append(i); continue }
            ready.append(i)
        }
        return (ready, ignored, missing)
    }
}
