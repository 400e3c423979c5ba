import NexusGateway
import NexusScenario
import Testing

/// `gateway.load_balancing`, `gateway.termination_grace` and the HPA's per-direction `tolerance`.
struct LoadBalancingDecodingTests {
    static let gateway = "  instances: 2\n  concurrency: 10\n"

    func withGateway(_ extra: String) throws -> String {
        try replacing(Self.gateway, with: Self.gateway + extra)
    }

    @Test func defaults() throws {
        let g = try parse(try withGateway("")).gateway
        #expect(g.loadBalancing == .globalQueue)
        #expect(g.terminationGraceNanos == 30_000_000_000)
    }

    @Test(arguments: [("global_queue", LoadBalancing.globalQueue), ("random", .random), ("round_robin", .roundRobin),
                      ("least_connections", .leastConnections)])
    func everyMode(_ c: (text: String, mode: LoadBalancing)) throws {
        #expect(try parse(try withGateway("  load_balancing: \(c.text)\n")).gateway.loadBalancing == c.mode)
    }

    @Test func graceAndTolerances() throws {
        let s = try parse(try withGateway("""
              termination_grace: 2m
              autoscaling: {policy: hpa, hpa: {behavior: {scale_up: {tolerance: 5%}, scale_down: {tolerance: 200%}}}}

            """))
        #expect(s.gateway.terminationGraceNanos == 120_000_000_000)
        guard case .hpa(let hpa)? = s.gateway.autoscaling?.policy else { Issue.record("expected the HPA"); return }
        #expect(hpa.config.behavior?.scaleUp.tolerance == 0.05 && hpa.config.behavior?.scaleDown.tolerance == 2)
        #expect(hpa.tolerances == ReplicaCalculator.Tolerances(scaleDown: 2, scaleUp: 0.05))
    }

    @Test(arguments: [
        ("  load_balancing: least_connection\n", "gateway.load_balancing", "least_connections"),
        ("  load_balancing: roundrobin\n", "gateway.load_balancing", "round_robin"),
        ("  termination_grace: 2d\n", "gateway.termination_grace", "at most 24h"),
        ("  termination_grace: -5s\n", "gateway.termination_grace", "-5s"),
        ("  autoscaling: {policy: hpa, hpa: {behavior: {scale_up: {tolerance: -1%}}}}\n",
         "gateway.autoscaling.hpa.behavior.scale_up.tolerance", "0% to 1000%"),
        ("  autoscaling: {policy: hpa, hpa: {behavior: {scale_up: {tolerence: 5%}}}}\n",
         "gateway.autoscaling.hpa.behavior.scale_up.tolerence", "tolerance"),
        ("  terminaton_grace: 10s\n", "gateway.terminaton_grace", "termination_grace"),
    ])
    func errorsNameTheKey(_ c: (yaml: String, keyPath: String, mentions: String)) throws {
        let error = try parseError(try withGateway(c.yaml))
        #expect(error.keyPath == c.keyPath)
        #expect(error.description.contains(c.mentions) || (error.suggestion ?? "").contains(c.mentions), "\(error)")
        #expect(error.location != nil)
    }
}
