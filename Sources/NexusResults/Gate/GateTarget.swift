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

    /// Short prefixes accepted for the scenario's groups: `tier.X.…` is `by_tier.X.…`, and so on.
    public static let groupAliases = [("tier.", "by_tier."), ("class.", "by_class."), ("model.", "by_model.")]

    /// Resolves `spec` against the contract's metrics (``RunReport/metricDefinitions``), without a scenario's
    /// own groups (tiers, classes, models, cache, budget).
    public init(_ spec: TargetSpec) throws {
        try self.init(spec, definitions: RunReport.metricDefinitions)
    }

    /// Resolves `spec` against every metric a run of `scenario` reports (``RunReport/metricDefinitions(for:)``):
    /// any key path of `run --json` that holds a number, e.g. `by_tier.mission_critical.latency_ms.p95`
    /// (or `tier.mission_critical.p95_latency`), `cache.hit_rate`, `budget.exhausted_at_s`.
    public init(_ spec: TargetSpec, for scenario: Scenario) throws {
        try self.init(spec, definitions: RunReport.metricDefinitions(for: scenario))
    }

    /// Resolves `spec` against `definitions`.
    ///
    /// Throws a ``ScenarioError`` at the target's location for an unknown metric (with the nearest valid
    /// name), a bound without a unit on a metric that has one (`p95_latency < 2000`: write `2s`), or a unit
    /// that does not fit the metric (a percentage for a latency, say); the message names the expected unit.
    public init(_ spec: TargetSpec, definitions: [MetricDefinition]) throws {
        let units = Dictionary(definitions.map { ($0.name, $0.unit) }, uniquingKeysWith: { first, _ in first })
        guard let name = Self.resolve(spec.metric, among: units) else {
            let contract = RunReport.metricDefinitions.map(\.name)
            let names = definitions.map(\.name) + Self.aliases.keys.sorted()
            let groups = definitions.count > contract.count
                ? "; per tier, class or model write by_tier.NAME.KEY (or tier.NAME.KEY), by_class.NAME.KEY, by_model.PROVIDER/MODEL.KEY"
                : ""
            throw spec.error(
                "unknown metric '\(spec.metric)'; use a key path of the JSON output (\(contract.joined(separator: ", ")))\(groups) "
                    + "or an alias (\(Self.aliases.keys.sorted().joined(separator: ", ")))",
                suggestion: ScenarioError.suggestion(for: spec.metric, among: names))
        }
        let unit = units[name]!
        self.spec = spec
        self.metric = name
        self.unit = unit
        switch (unit, spec.threshold) {
        case (.milliseconds, .seconds(let s)): threshold = s * 1000
        case (.seconds, .seconds(let s)): threshold = s
        case (.dollars, .dollars(let d)): threshold = d
        case (.fraction, .percent(let f)): threshold = f
        case (.fraction, .number(let f)) where (0...1).contains(f): threshold = f
        case (.fraction, .number(let f)):
            throw spec.error("'\(spec.metric)' (\(name)) is a fraction between 0 and 1; found the number \(Self.plain(f)), "
                + "write it as a percentage such as \(Self.plain(min(f, 100)))% or a fraction such as 0.999")
        case (.count, .number(let n)): threshold = n
        case (.milliseconds, .number(let v)), (.seconds, .number(let v)), (.dollars, .number(let v)):
            throw spec.error("'\(spec.metric)' (\(name)) is \(Self.describe(unit)) in \(unit.symbol); the bound \(Self.plain(v)) has no unit: "
                + "write it \(Self.example(unit))")
        case (_, let written):
            throw spec.error("'\(spec.metric)' (\(name)) is \(Self.describe(unit)); write the value \(Self.example(unit)), found \(Self.describe(written))")
        }
    }

    /// The metric `written` denotes: itself, an alias, or a group path with a short prefix and an aliased key.
    static func resolve(_ written: String, among units: [String: MetricUnit]) -> String? {
        if units[written] != nil { return written }
        if let alias = aliases[written], units[alias] != nil { return alias }
        var path = written
        for (short, long) in groupAliases where path.hasPrefix(short) {
            path = long + path.dropFirst(short.count)
        }
        if units[path] != nil { return path }
        // `by_tier.X.p95_latency`: the key after the group's name may be an alias too.
        for (alias, target) in aliases where path.hasSuffix("." + alias) {
            let candidate = String(path.dropLast(alias.count)) + target
            if units[candidate] != nil { return candidate }
        }
        return nil
    }

    private static func plain(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
    }

    private static func describe(_ unit: MetricUnit) -> String {
        switch unit {
        case .milliseconds, .seconds: "a duration"
        case .dollars: "an amount of money"
        case .fraction: "a rate"
        case .count: "a count"
        }
    }

    private static func example(_ unit: MetricUnit) -> String {
        switch unit {
        case .milliseconds: "as a duration such as 2s or 500ms"
        case .seconds: "as a duration such as 30s, 2h or 14d"
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
    /// The scenario's targets resolved against every metric a run of it reports (see ``GateTarget/init(_:for:)``).
    public func resolvedTargets() throws -> [GateTarget] {
        try resolve(targets)
    }

    /// `specs` (e.g. from a targets file) resolved against every metric a run of this scenario reports.
    public func resolve(_ specs: [TargetSpec]) throws -> [GateTarget] {
        let definitions = RunReport.metricDefinitions(for: self)
        return try specs.map { try GateTarget($0, definitions: definitions) }
    }
}
