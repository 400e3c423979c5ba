/// The Kubernetes HPA replica calculator (k8s.io/kubernetes pkg/controller/podautoscaler/replica_calculator.go),
/// transcribed: same grouping of pods, same integer arithmetic, same treatment of unready and missing pods.
///
/// - Pods being deleted (draining instances) are left out; pending (starting) pods are ignored for every
///   metric; for CPU, unready pods are ignored too (`groupPods`).
/// - A pod without a sample is "missing": on a scale-down it is assumed to use 100 % of its request (the
///   target, for a pods metric), on a scale-up 0 % — both damp the move.
/// - On a scale-up, ignored pods are assumed to use 0 %.
/// - If the corrected ratio is within the tolerance, or flips the direction, nothing changes.
public enum ReplicaCalculator {
    public enum Resource: Hashable, Sendable { case cpu, memory }

    /// `GetResourceReplicas`: target utilisation as a whole percentage of the request, e.g. 60.
    /// Returns `nil` when no ready pod has a sample (Kubernetes' "did not receive metrics for any ready pods").
    public static func resourceReplicas(currentReplicas: Int, pods: [InstanceSample], targetUtilization: Int,
                                        resource: Resource, tolerance: Double = 0.1) -> Int? {
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
            if abs(1.0 - usageRatio) <= tolerance { return currentReplicas }
            return Int((usageRatio * Double(g.ready.count)).rounded(.up))
        }
        if !g.missing.isEmpty {
            if usageRatio < 1.0 {
                for i in g.missing { samples.append((request(pods[i]), request(pods[i]))) }
            } else if usageRatio > 1.0 {
                for i in g.missing { samples.append((0, request(pods[i]))) }
            }
        }
        if rebalanceIgnored {
            for i in g.ignored { samples.append((0, request(pods[i]))) }
        }
        let newUsageRatio = ratio(samples)
        if abs(1.0 - newUsageRatio) <= tolerance || (usageRatio < 1.0 && newUsageRatio > 1.0) || (usageRatio > 1.0 && newUsageRatio < 1.0) {
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
                                           value: (InstanceSample) -> Int64?, tolerance: Double = 0.1) -> Int? {
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
            if abs(1.0 - usageRatio) <= tolerance { return currentReplicas }
            return Int((usageRatio * Double(g.ready.count)).rounded(.up))
        }
        if !g.missing.isEmpty {
            let assumed: Int64 = usageRatio < 1.0 ? targetAverageMillis : 0
            for _ in g.missing { samples.append(assumed) }
        }
        if rebalanceIgnored {
            for _ in g.ignored { samples.append(0) }
        }
        let newUsageRatio = ratio(samples)
        if abs(1.0 - newUsageRatio) <= tolerance || (usageRatio < 1.0 && newUsageRatio > 1.0) || (usageRatio > 1.0 && newUsageRatio < 1.0) {
            return currentReplicas
        }
        return Int((newUsageRatio * Double(samples.count)).rounded(.up))
    }

    /// `GetExternalPerPodMetricReplicas`: an external metric (the gateway queue depth) with an
    /// `AverageValue` target per replica. `statusReplicas` is the scale target's current replica count.
    public static func externalPerPodReplicas(statusReplicas: Int, totalMillis: Int64, targetPerPodMillis: Int64,
                                              tolerance: Double = 0.1) -> Int {
        let usageRatio = Double(totalMillis) / (Double(targetPerPodMillis) * Double(statusReplicas))
        guard abs(1.0 - usageRatio) > tolerance else { return statusReplicas }
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
