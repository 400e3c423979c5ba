import NexusGateway
import NexusScenario
import Testing

/// `gateway.autoscaling.hpa.metrics_server`: Kubernetes' metrics-server resolution and lag.
struct MetricsServerDecodingTests {
    static let gateway = "  instances: 2\n  concurrency: 10\n"

    func withGateway(_ extra: String) throws -> String {
        try replacing(Self.gateway, with: Self.gateway + extra)
    }

    @Test func absentNoneAndDefaults() throws {
        #expect(try parse(try withGateway("  autoscaling: {policy: hpa}\n")).gateway.autoscaling?.metricsServer == nil)
        #expect(try parse(try withGateway("  autoscaling: {policy: hpa, hpa: {metrics_server: none}}\n")).gateway.autoscaling?.metricsServer == nil)
        let defaults = try parse(try withGateway("  autoscaling: {policy: hpa, hpa: {metrics_server: {}}}\n")).gateway.autoscaling?.metricsServer
        #expect(defaults == MetricsServerSpec(resolutionNanos: 15_000_000_000, lagNanos: 0))
        let set = try parse(try withGateway("  autoscaling: {policy: hpa, hpa: {metrics_server: {resolution: 1m, lag: 20s}}}\n"))
        #expect(set.gateway.autoscaling?.metricsServer == MetricsServerSpec(resolutionNanos: 60_000_000_000, lagNanos: 20_000_000_000))
        // metrics-server feeds the HPA only: the step policy ignores the block (which is still checked).
        let step = try parse(try withGateway("  autoscaling: {policy: step, hpa: {metrics_server: {resolution: 30s}}}\n"))
        #expect(step.gateway.autoscaling?.metricsServer == nil)
    }

    @Test(arguments: [
        ("  autoscaling: {policy: hpa, hpa: {metrics_server: {resolution: 5s}}}\n",
         "gateway.autoscaling.hpa.metrics_server.resolution", "from 10s (metrics-server's least) to 1h, found 5s"),
        ("  autoscaling: {policy: hpa, hpa: {metrics_server: {lag: 11m}}}\n",
         "gateway.autoscaling.hpa.metrics_server.lag", "at most 10m"),
        ("  autoscaling: {policy: hpa, hpa: {metrics_server: {resolutoin: 30s}}}\n",
         "gateway.autoscaling.hpa.metrics_server.resolutoin", "resolution"),
        ("  autoscaling: {policy: step, hpa: {metrics_server: {lag: -1s}}}\n",
         "gateway.autoscaling.hpa.metrics_server.lag", "-1s"),
        ("  autoscaling: {policy: hpa, hpa: {metric_server: {}}}\n",
         "gateway.autoscaling.hpa.metric_server", "metrics_server"),
    ])
    func errorsNameTheKey(_ c: (yaml: String, keyPath: String, mentions: String)) throws {
        let error = try parseError(try withGateway(c.yaml))
        #expect(error.keyPath == c.keyPath)
        #expect(error.description.contains(c.mentions) || (error.suggestion ?? "").contains(c.mentions), "\(error)")
        #expect(error.location != nil)
    }
}
