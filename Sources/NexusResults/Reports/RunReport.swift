import NexusGateway
import NexusScenario
import NexusSim

/// The result of running a scenario: its replications and the estimates derived from them.
///
/// Every scalar metric of the JSON contract is defined once, in ``RunReport/metricDefinitions``; the
/// JSON, the text summary and the results database all read the same estimates.
public struct RunReport: Sendable {
    public var scenario: Scenario
    public var seed: UInt64
    public var replications: [RunSummary]
    /// Estimates by metric name (dotted, e.g. `latency_ms.p95`), in contract order.
    public private(set) var estimates: [(name: String, estimate: Estimate)]

    /// Every metric of this run: the contract's and the scenario's own (see ``metricDefinitions(for:)``).
    public let definitions: [MetricDefinition]
    private let positions: [String: Int]

    public init(scenario: Scenario, seed: UInt64, replications: [RunSummary]) {
        precondition(!replications.isEmpty)
        self.scenario = scenario
        self.seed = seed
        self.replications = replications
        definitions = Self.metricDefinitions(for: scenario)
        estimates = definitions.map { definition in
            (definition.name, Estimate(replications.map(definition.value), range: definition.range))
        }
        positions = Dictionary(definitions.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The estimate of metric `name`, e.g. `availability`, `latency_ms.p95` or `by_tier.mission_critical.latency_ms.p95`.
    public func estimate(_ name: String) -> Estimate? {
        positions[name].map { estimates[$0].estimate }
    }

    /// The definition of metric `name`.
    public func definition(_ name: String) -> MetricDefinition? {
        positions[name].map { definitions[$0] }
    }

    /// The metrics reported for every run, by name, with how to read each from one replication.
    public static let metricDefinitions: [MetricDefinition] = {
        typealias D = MetricDefinition
        var defs: [D] = [
            D("requests") { Double($0.requests) },
            D("succeeded") { Double($0.succeeded) },
            D("failed") { Double($0.failed) },
            D("rejected") { Double($0.rejected) },
            D("unfinished") { Double($0.unfinished) },
            D("availability", range: 0...1) { $0.availability },
            D("error_rate", range: 0...1) { $0.errorRate },
        ]
        let latencies: [(String, @Sendable (RunSummary) -> LatencyHistogram)] = [("latency_ms", { $0.latency }), ("ttft_ms", { $0.ttft })]
        for (prefix, pick) in latencies {
            for (key, percentile) in [("p50", 50.0), ("p95", 95.0), ("p99", 99.0)] {
                defs.append(D("\(prefix).\(key)") { pick($0).percentileMillis(percentile) ?? .nan })
            }
            defs.append(D("\(prefix).mean") { pick($0).meanMillis ?? .nan })
            defs.append(D("\(prefix).max") { pick($0).maxMillis ?? .nan })
        }
        defs.append(D("cost_usd.total") { $0.totalCost.dollars })
        defs.append(D("cost_usd.per_request") { $0.costPerRequest.dollars })
        defs.append(D("cost_usd.per_succeeded_request") { $0.succeeded == 0 ? .nan : $0.totalCost.dollars / Double($0.succeeded) })
        defs.append(D("cost_usd.per_conversation") { $0.costPerConversation.dollars })
        defs.append(D("cost_usd.models") { $0.modelCost.dollars })
        defs.append(D("cost_usd.infrastructure") { $0.infrastructureCost.dollars })
        defs.append(D("compliance_violations") { Double($0.complianceViolations) })
        defs.append(D("autoscaling.min_instances") { Double($0.minInstances) })
        defs.append(D("autoscaling.max_instances") { Double($0.maxInstances) })
        defs.append(D("autoscaling.scale_event_count") { Double($0.scaleEvents.count) })
        defs.append(D("autoscaling.instance_hours") { $0.instanceHours })
        defs.append(D("traffic.arrivals") { Double($0.requestsSimulated) })
        defs.append(D("traffic.input_tokens") { Double($0.traffic.inputTokens) })
        defs.append(D("traffic.output_tokens") { Double($0.traffic.outputTokens) })
        defs.append(D("traffic.conversations") { Double($0.traffic.conversations) })
        defs.append(D("traffic.skipped_rows") { Double($0.traffic.skippedRows) })
        defs.append(D("users.active") { Double($0.traffic.users.active) })
        defs.append(D("users.max_cost_usd") { $0.traffic.users.maxCost })
        defs.append(D("users.p95_cost_usd") { $0.traffic.users.percentileCost(95) })
        defs.append(D("users.mean_cost_usd") { $0.traffic.users.meanCost })
        return defs
    }()
}

/// A scalar metric: its dotted name in the JSON contract (the key path of its value in `run --json`), its
/// unit, how to read it from one replication, and the range its values can take (every metric of a run is
/// non-negative; shares are within 0...1), to which its confidence interval is cut.
public struct MetricDefinition: Sendable {
    public let name: String
    public let unit: MetricUnit
    public let range: ClosedRange<Double>
    public let value: @Sendable (RunSummary) -> Double

    /// - Parameter unit: the metric's unit; by default read from `name` (see ``MetricUnit/init(metricName:)``).
    public init(_ name: String, unit: MetricUnit? = nil, range: ClosedRange<Double> = 0...Double.infinity,
                _ value: @escaping @Sendable (RunSummary) -> Double) {
        self.name = name
        self.unit = unit ?? MetricUnit(metricName: name)
        self.range = range
        self.value = value
    }
}
