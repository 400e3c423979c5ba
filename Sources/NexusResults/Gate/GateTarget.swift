import NexusScenario

/// A target resolved against the metric contract: which dotted metric it gates and its threshold in that
/// metric's unit (milliseconds, dollars, fraction or count).
public struct GateTarget: Sendable, Hashable {
    /// The target as written, with its location.
    public var spec: TargetSpec
    /// Dotted contract name, e.g. `latency_ms.p95`.
    public var metric: String
    public var unit: MetricUnit
    /// The threshold in `unit` (e.g. `2s` → 2000 for a millisecond metric, `99.9%` → 0.999).
    public var threshold: Double

    public var comparison: TargetSpec.Comparison { spec.comparison }

    /// Friendly names accepted besides the dotted contract names.
    public static let aliases: [String: String] = {
        var a: [String: String] = [
            "cost_per_request": "cost_usd.per_request",
            "cost_per_succeeded_request": "cost_usd.per_succeeded_request",
            "cost_per_conversation": "cost_usd.per_conversation",
            "total_cost": "cost_usd.total", "cost_total": "cost_usd.total", "cost": "cost_usd.total",
            "model_cost": "cost_usd.models", "infrastructure_cost": "cost_usd.infrastructure",
            "min_instances": "autoscaling.min_instances", "max_instances": "autoscaling.max_instances",
            "success_rate": "availability",
        ]
        for stat in ["p50", "p95", "p99", "mean", "max"] {
            a["\(stat)_latency"] = "latency_ms.\(stat)"
            a["latency_\(stat)"] = "latency_ms.\(stat)"
            a["\(stat)_ttft"] = "ttft_ms.\(stat)"
            a["ttft_\(stat)"] = "ttft_ms.\(stat)"
        }
        return a
    }()

    /// Every name a target may use: the contract's dotted names and the aliases.
    public static var acceptedNames: [String] {
        RunReport.metricDefinitions.map(\.name) + aliases.keys.sorted()
    }

    /// Resolves `spec` against ``RunReport/metricDefinitions``.
    ///
    /// Throws a ``ScenarioError`` at the target's location for an unknown metric (with the nearest valid
    /// name) or a threshold whose unit does not fit the metric (a percentage for a latency, say).
    public init(_ spec: TargetSpec) throws {
        let contract = RunReport.metricDefinitions.map(\.name)
        let name = contract.contains(spec.metric) ? spec.metric : Self.aliases[spec.metric]
        guard let name, contract.contains(name) else {
            throw spec.error(
                "unknown metric '\(spec.metric)'; use a metric of the JSON contract (\(contract.joined(separator: ", "))) "
                    + "or an alias (\(Self.aliases.keys.sorted().joined(separator: ", ")))",
                suggestion: ScenarioError.suggestion(for: spec.metric, among: Self.acceptedNames))
        }
        let unit = MetricUnit(metricName: name)
        self.spec = spec
        self.metric = name
        self.unit = unit
        switch (unit, spec.threshold) {
        case (.milliseconds, .seconds(let s)): threshold = s * 1000
        case (.milliseconds, .number(let ms)): threshold = ms
        case (.dollars, .dollars(let d)), (.dollars, .number(let d)): threshold = d
        case (.fraction, .percent(let f)), (.fraction, .number(let f)): threshold = f
        case (.count, .number(let n)): threshold = n
        case (_, let written):
            throw spec.error("'\(spec.metric)' (\(name)) is \(Self.describe(unit)); write the value \(Self.example(unit)), found \(Self.describe(written))")
        }
    }

    private static func describe(_ unit: MetricUnit) -> String {
        switch unit {
        case .milliseconds: "a duration"
        case .dollars: "an amount of money"
        case .fraction: "a rate"
        case .count: "a count"
        }
    }

    private static func example(_ unit: MetricUnit) -> String {
        switch unit {
        case .milliseconds: "as a duration such as 2s or 500ms"
        case .dollars: "as money such as $0.01"
        case .fraction: "as a percentage such as 99.9% or a fraction such as 0.999"
        case .count: "as a number such as 1000 or 4k"
        }
    }

    private static func describe(_ threshold: TargetSpec.Threshold) -> String {
        switch threshold {
        case .number(let v): "the number \(v)"
        case .percent(let v): "the percentage \(v * 100)%"
        case .seconds(let v): "the duration \(v)s"
        case .dollars(let v): "the amount $\(v)"
        }
    }
}

extension Scenario {
    /// The scenario's targets resolved against the metric contract (see ``GateTarget/init(_:)``).
    public func resolvedTargets() throws -> [GateTarget] {
        try targets.map(GateTarget.init)
    }
}
