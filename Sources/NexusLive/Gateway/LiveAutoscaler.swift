import Foundation
import NexusGateway
import NexusScenario
#if canImport(Glibc)
import Glibc
#endif

/// The scenario's autoscaling policy fed with what this gateway process measures, every interval: the
/// instance count it recommends is exported as a metric (`nexus_gateway_recommended_instances`) for an external
/// HPA or KEDA. The process is taken as one representative instance of a fleet of the recommended size.
final class LiveAutoscaler: @unchecked Sendable {
    private let lock = NSLock()
    private var policy: AutoscalingPolicy
    private var current: Int
    private var latencies: [Double] = []
    private var lastCPUSeconds: Double
    private var lastEvaluation: Nanoseconds = 0
    let intervalNanos: Nanoseconds
    let vcpus: Double
    let memoryLimitMiB: Double

    init(spec: AutoscalingSpec, gateway: GatewaySpec) {
        policy = spec.policy
        current = gateway.instances
        intervalNanos = spec.intervalNanos
        vcpus = gateway.vcpus
        memoryLimitMiB = gateway.memoryLimitMiB
        lastCPUSeconds = LiveAutoscaler.processCPUSeconds()
    }

    var recommendation: Int {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    /// Notes an answered request's response time.
    func record(latencyMilliseconds: Double) {
        lock.lock()
        if latencies.count < 100_000 { latencies.append(latencyMilliseconds) }
        lock.unlock()
    }

    /// Runs one evaluation with the interval's measurements.
    func evaluate(now: Nanoseconds, queueDepth: Int, inFlight: Int) {
        lock.lock()
        defer { lock.unlock() }
        let elapsed = Double(max(1, now - lastEvaluation)) / 1e9
        lastEvaluation = now
        let cpu = LiveAutoscaler.processCPUSeconds()
        let utilization = max(0, cpu - lastCPUSeconds) / (vcpus * elapsed)
        lastCPUSeconds = cpu
        let memory = LiveAutoscaler.residentMiB() / memoryLimitMiB
        latencies.sort()
        let mean = latencies.isEmpty ? nil : latencies.reduce(0, +) / Double(latencies.count)
        let p95 = latencies.isEmpty ? nil : latencies[min(latencies.count - 1, Int((Double(latencies.count) * 0.95).rounded(.up)) - 1)]
        latencies.removeAll(keepingCapacity: true)
        let sample = InstanceSample(
            status: .ready, cpuMillis: Int64((utilization * vcpus * 1000).rounded()), cpuRequestMillis: Int64((vcpus * 1000).rounded()),
            memory: Int64((memory * 1000).rounded()), memoryRequest: 1000, inFlightMillis: Int64(inFlight) * 1000)
        let metrics = AutoscalerMetrics(
            currentInstances: current, readyInstances: current, instances: Array(repeating: sample, count: current),
            cpuUtilization: utilization, memoryUtilization: memory, queueDepth: queueDepth,
            responseTimeMeanMillis: mean, responseTimeP95Millis: p95)
        current = policy.decide(metrics, now: now).desiredInstances
    }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    static func residentMiB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }
}
