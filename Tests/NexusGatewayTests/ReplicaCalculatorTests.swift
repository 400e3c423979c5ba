import NexusGateway
import Testing

/// Kubernetes' replica-calculator test cases, transcribed from
/// k8s.io/kubernetes pkg/controller/podautoscaler/replica_calculator_test.go (test names kept).
/// CPU levels and requests in millicores; "hot CPU" pods (ready, but sampled before their readiness
/// transition within the CPU initialisation period) are `.unready` here, which is how `groupPods` treats them.
struct ReplicaCalculatorTests {
    struct ResourceCase: CustomTestStringConvertible, Sendable {
        var name: String
        var current: Int
        var expected: Int
        var statuses: [InstanceSample.Status]
        /// `nil`: the pod has no sample (missing).
        var levels: [Int64?]
        var requests: [Int64]
        var target: Int
        var testDescription: String { name }
    }

    static let cpuCases: [ResourceCase] = [
        ResourceCase(name: "TestReplicaCalcScaleUp", current: 3, expected: 5, statuses: [.ready, .ready, .ready],
                     levels: [300, 500, 700], requests: [1000, 1000, 1000], target: 30),
        ResourceCase(name: "TestReplicaCalcScaleUpUnreadyLessScale", current: 3, expected: 4, statuses: [.unready, .ready, .ready],
                     levels: [300, 500, 700], requests: [1000, 1000, 1000], target: 30),
        ResourceCase(name: "TestReplicaCalcScaleUpHotCpuLessScale", current: 3, expected: 4, statuses: [.unready, .ready, .ready],
                     levels: [300, 500, 700], requests: [1000, 1000, 1000], target: 30),
        ResourceCase(name: "TestReplicaCalcScaleUpUnreadyNoScale", current: 3, expected: 3, statuses: [.ready, .unready, .unready],
                     levels: [400, 500, 700], requests: [1000, 1000, 1000], target: 30),
        ResourceCase(name: "TestReplicaCalcScaleHotCpuNoScale", current: 3, expected: 3, statuses: [.ready, .unready, .unready],
                     levels: [400, 500, 700], requests: [1000, 1000, 1000], target: 30),
        ResourceCase(name: "TestReplicaCalcScaleUpIgnoresFailedPods", current: 2, expected: 4, statuses: [.ready, .ready, .deleting, .deleting],
                     levels: [500, 700, nil, nil], requests: [1000, 1000, 1000, 1000], target: 30),
        ResourceCase(name: "TestReplicaCalcScaleUpIgnoresDeletionPods", current: 2, expected: 4, statuses: [.ready, .ready, .deleting, .deleting],
                     levels: [500, 700, nil, nil], requests: [1000, 1000, 1000, 1000], target: 30),
        ResourceCase(name: "TestReplicaCalcScaleDown", current: 5, expected: 3, statuses: Array(repeating: .ready, count: 5),
                     levels: [100, 300, 500, 250, 250], requests: Array(repeating: 1000, count: 5), target: 50),
        ResourceCase(name: "TestReplicaCalcScaleDownIncludeUnreadyPods", current: 5, expected: 2,
                     statuses: [.ready, .ready, .ready, .unready, .unready],
                     levels: [100, 300, 500, 250, 250], requests: Array(repeating: 1000, count: 5), target: 50),
        ResourceCase(name: "TestReplicaCalcScaleDownExcludeUnscheduledPods", current: 5, expected: 1,
                     statuses: [.ready, .pending, .pending, .pending, .pending],
                     levels: [100, nil, nil, nil, nil], requests: Array(repeating: 1000, count: 5), target: 50),
        ResourceCase(name: "TestReplicaCalcScaleDownIgnoreHotCpuPods", current: 5, expected: 2,
                     statuses: [.ready, .ready, .ready, .unready, .unready],
                     levels: [100, 300, 500, 250, 250], requests: Array(repeating: 1000, count: 5), target: 50),
        ResourceCase(name: "TestReplicaCalcScaleDownIgnoresFailedPods", current: 5, expected: 3,
                     statuses: [.ready, .ready, .ready, .ready, .ready, .deleting, .deleting],
                     levels: [100, 300, 500, 250, 250, nil, nil], requests: Array(repeating: 1000, count: 7), target: 50),
        ResourceCase(name: "TestReplicaCalcTolerance", current: 3, expected: 3, statuses: [.ready, .ready, .ready],
                     levels: [1010, 1030, 1020], requests: [900, 1000, 1100], target: 100),
        ResourceCase(name: "TestReplicaCalcMissingMetrics", current: 4, expected: 3, statuses: Array(repeating: .ready, count: 4),
                     levels: [400, 95, nil, nil], requests: Array(repeating: 1000, count: 4), target: 100),
        ResourceCase(name: "TestReplicaCalcMissingMetricsNoChangeEq", current: 2, expected: 2, statuses: [.ready, .ready],
                     levels: [1000, nil], requests: [1000, 1000], target: 100),
        ResourceCase(name: "TestReplicaCalcMissingMetricsNoChangeGt", current: 2, expected: 2, statuses: [.ready, .ready],
                     levels: [1900, nil], requests: [1000, 1000], target: 100),
        ResourceCase(name: "TestReplicaCalcMissingMetricsNoChangeLt", current: 2, expected: 2, statuses: [.ready, .ready],
                     levels: [600, nil], requests: [1000, 1000], target: 100),
        ResourceCase(name: "TestReplicaCalcMissingMetricsUnreadyChange", current: 3, expected: 3, statuses: [.unready, .ready, .ready],
                     levels: [100, 450, nil], requests: [1000, 1000, 1000], target: 50),
        ResourceCase(name: "TestReplicaCalcMissingMetricsHotCpuNoChange", current: 3, expected: 3, statuses: [.unready, .ready, .ready],
                     levels: [100, 450, nil], requests: [1000, 1000, 1000], target: 50),
        ResourceCase(name: "TestReplicaCalcMissingMetricsUnreadyScaleUp", current: 3, expected: 4, statuses: [.unready, .ready, .ready],
                     levels: [100, 2000, nil], requests: [1000, 1000, 1000], target: 50),
        ResourceCase(name: "TestReplicaCalcMissingMetricsHotCpuScaleUp", current: 3, expected: 4, statuses: [.unready, .ready, .ready],
                     levels: [100, 2000, nil], requests: [1000, 1000, 1000], target: 50),
        ResourceCase(name: "TestReplicaCalcMissingMetricsUnreadyScaleDown", current: 4, expected: 3,
                     statuses: [.unready, .ready, .ready, .ready],
                     levels: [100, 100, 100, nil], requests: Array(repeating: 1000, count: 4), target: 50),
        // Three running pods, two of them counted by the scale (a rolling update's surge pod is the third).
        ResourceCase(name: "TestReplicaCalcDuringRollingUpdateWithMaxSurge", current: 2, expected: 2, statuses: [.ready, .ready, .ready],
                     levels: [100, 100, nil], requests: [1000, 1000, 1000], target: 50),
    ]

    @Test(arguments: cpuCases)
    func cpuUtilization(_ c: ResourceCase) {
        let pods = c.statuses.indices.map { i in
            InstanceSample(status: c.statuses[i], cpuMillis: c.levels[i], cpuRequestMillis: c.requests[i])
        }
        let replicas = ReplicaCalculator.resourceReplicas(currentReplicas: c.current, pods: pods, targetUtilization: c.target, resource: .cpu)
        #expect(replicas == c.expected)
    }

    /// The issue's example: 3 pods at 300m/500m/700m of a 1000m request with a 30 % target → 5, i.e.
    /// desired = ceil(3 × 50 % / 30 %).
    @Test func issueExample() {
        let pods = [300, 500, 700].map { InstanceSample(status: .ready, cpuMillis: Int64($0), cpuRequestMillis: 1000) }
        #expect(ReplicaCalculator.resourceReplicas(currentReplicas: 3, pods: pods, targetUtilization: 30, resource: .cpu) == 5)
    }

    /// TestReplicaCalcComputedToleranceAlgImplementation: 10 pods using 150m of ~300m; a target just past
    /// the tolerance scales down, one just inside it does not.
    @Test func computedTolerance() {
        let requests: [Int64] = [400, 200, 310, 290, 302, 298, 301, 299, 300, 300]
        let pods = requests.map { InstanceSample(status: .ready, cpuMillis: 150, cpuRequestMillis: $0) }
        let requestedToUsed = 2.0
        var target = abs(1 / (requestedToUsed * (1 - 0.1))) + 0.01
        let finalPods = Int((Double(1500) / (Double(3000) * target) * 10).rounded(.up))
        #expect(ReplicaCalculator.resourceReplicas(currentReplicas: 10, pods: pods, targetUtilization: Int(target * 100), resource: .cpu) == finalPods)
        target = abs(1 / (requestedToUsed * (1 - 0.1))) + 0.004
        #expect(ReplicaCalculator.resourceReplicas(currentReplicas: 10, pods: pods, targetUtilization: Int(target * 100), resource: .cpu) == 10)
    }

    @Test func noReadySamplesIsAnError() {
        let pods = [InstanceSample(status: .pending), InstanceSample(status: .ready)]
        #expect(ReplicaCalculator.resourceReplicas(currentReplicas: 2, pods: pods, targetUtilization: 50, resource: .cpu) == nil)
    }

    struct PlainCase: CustomTestStringConvertible, Sendable {
        var name: String
        var current: Int
        var expected: Int
        var statuses: [InstanceSample.Status]
        var levels: [Int64?]
        var target: Int64
        var testDescription: String { name }
    }

    /// Pods (custom) metric cases: "qps" in milli-units with an AverageValue target.
    static let plainCases: [PlainCase] = [
        PlainCase(name: "TestReplicaCalcScaleUpCM", current: 3, expected: 4, statuses: [.ready, .ready, .ready],
                  levels: [20000, 10000, 30000], target: 15000),
        PlainCase(name: "TestReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale", current: 3, expected: 6, statuses: [.ready, .ready, .unready],
                  levels: [50000, 10000, 30000], target: 15000),
        PlainCase(name: "TestReplicaCalcScaleUpCMUnreadyHotCpuScaleWouldScaleDown", current: 3, expected: 7,
                  statuses: [.unready, .ready, .unready], levels: [50000, 15000, 30000], target: 15000),
        PlainCase(name: "TestReplicaCalcScaleDownCM", current: 5, expected: 3, statuses: Array(repeating: .ready, count: 5),
                  levels: [12000, 12000, 12000, 12000, 12000], target: 20000),
        PlainCase(name: "TestReplicaCalcToleranceCM", current: 3, expected: 3, statuses: [.ready, .ready, .ready],
                  levels: [20000, 21000, 21000], target: 20000),
    ]

    @Test(arguments: plainCases)
    func podsMetric(_ c: PlainCase) {
        let pods = c.statuses.indices.map { InstanceSample(status: c.statuses[$0], inFlightMillis: c.levels[$0]) }
        let replicas = ReplicaCalculator.plainMetricReplicas(currentReplicas: c.current, pods: pods, targetAverageMillis: c.target,
                                                             value: { $0.inFlightMillis })
        #expect(replicas == c.expected)
    }

    /// External metrics with an AverageValue (per pod) target: TestReplicaCalcScaleUpPerPodCMExternal (3 → 4),
    /// TestReplicaCalcScaleDownPerPodCMExternal (5 → 3), TestReplicaCalcTolerancePerPodCMExternal (3 → 3).
    @Test(arguments: [(3, 8600, 2150, 4), (5, 8600, 2867, 3), (3, 8600, 2900, 3)] as [(Int, Int64, Int64, Int)])
    func externalPerPod(_ c: (current: Int, total: Int64, target: Int64, expected: Int)) {
        #expect(ReplicaCalculator.externalPerPodReplicas(statusReplicas: c.current, totalMillis: c.total, targetPerPodMillis: c.target) == c.expected)
    }
}
