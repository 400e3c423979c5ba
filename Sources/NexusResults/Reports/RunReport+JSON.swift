import NexusGateway
import NexusSim

extension RunReport {
    /// The JSON object of DESIGN's command-line contract.
    ///
    /// With two or more replications each number is the mean over replications, and a sibling key with
    /// the suffix `_ci95` holds its 95 % interval `[low, high]` (e.g. `availability_ci95`,
    /// `latency_ms.p95_ci95`), so every key keeps one type whatever the replication count.
    public var json: JSONValue { json(targets: scenarioVerdicts) }

    /// The scenario's own targets judged on this run (those that resolve; the commands reject a scenario whose
    /// targets do not before anything runs).
    public var scenarioVerdicts: [TargetVerdict] {
        let definitions = self.definitions
        let targets = scenario.targets.compactMap { try? GateTarget($0, definitions: definitions) }
        return GateReport(report: self, targets: targets, targetsSource: "").verdicts
    }

    /// The JSON object with `verdicts` as its `targets` array (e.g. a `gate --targets FILE`'s).
    public func json(targets verdicts: [TargetVerdict]) -> JSONValue {
        var top: [(String, JSONValue)] = [
            ("scenario", .string(scenario.name)),
            ("seed", .number(Double(seed))),
            ("replications", .int(replications.count)),
        ]
        if seed > 1 << 53 { top[1].1 = .string(String(seed)) }  // beyond exact doubles: keep every digit
        for name in ["requests", "succeeded", "failed", "rejected", "availability", "error_rate"] {
            top += metric(name, key: name)
        }
        top.append(("latency_ms", group("latency_ms", ["p50", "p95", "p99", "mean", "max"])))
        top.append(("ttft_ms", group("ttft_ms", ["p50", "p95", "p99", "mean", "max"])))
        var cost = group("cost_usd", ["total", "per_request", "per_succeeded_request", "per_conversation", "models", "infrastructure"])
        if case .object(var members) = cost {
            members.append(("by_tier", group("cost_usd.by_tier", scenario.tiers.map(\.name))))
            cost = .object(members)
        }
        top.append(("cost_usd", cost))
        top.append(("targets", .array(verdicts.map(\.json))))
        top.append(("by_tier", .object(scenario.tiers.map { tier in
            (tier.name, nested("by_tier.\(tier.name)", Self.groupKeys))
        })))
        top.append(("by_class", .object(scenario.traffic.classes.map { spec in
            (spec.name, .object([("tier", .string(spec.tier))] + nested("by_class.\(spec.name)", Self.groupKeys).objectEntries))
        })))
        if let cache = cacheSection { top.append(("cache", cache)) }
        top += metric("compliance_violations", key: "compliance_violations")
        top.append(("by_model", .array(byModel)))
        top.append(("autoscaling", .object(
            metric("autoscaling.min_instances", key: "min_instances")
                + metric("autoscaling.max_instances", key: "max_instances")
                + metric("autoscaling.instance_hours", key: "instance_hours")
                + metric("autoscaling.scale_event_count", key: "scale_event_count")
                + [("scale_events", .array(scaleEvents))])))
        if let budget = budgetSection { top.append(("budget", budget)) }
        top += metric("unfinished", key: "unfinished")
        top.append(("failure_reasons", failureReasons))
        top.append(("simulated", .object([
            ("duration_s", .num(Double(scenario.simulation.durationNanos) / 1e9)),
            ("warmup_s", .num(Double(scenario.simulation.warmupNanos) / 1e9)),
            ("warmup_method", .string(scenario.simulation.warmupMethod.rawValue)),
            ("requests_simulated", .num(mean { Double($0.requestsSimulated) })),
            ("percentiles", .string("HdrHistogram, 3 significant digits")),
        ])))
        var traffic: [(String, JSONValue)] = [
            ("source", .string(isLive ? "live" : scenario.traffic.trace.map { "trace:\($0.format.rawValue)" } ?? "synthetic")),
        ]
        traffic += group("traffic", ["arrivals", "input_tokens", "output_tokens", "conversations", "skipped_rows"]).objectEntries
        top.append(("traffic", .object(traffic)))
        if let live = liveSection { top.append(("live", live)) }
        let population = replications.map(\.traffic.users.population).max() ?? 0
        if population > 0 {
            top.append(("users", .object([("population", .int(population))]
                + group("users", ["active", "max_cost_usd", "p95_cost_usd", "mean_cost_usd"]).objectEntries)))
        }
        if !scenario.parameters.isEmpty {
            top.append(("parameters", .object(scenario.parameters.map { ($0.name, .string($0.value)) })))
        }
        return .object(top)
    }

    /// The scale events of replication 0 (each replication's count is `scale_event_count`, per replication
    /// in the results database).
    private var scaleEvents: [JSONValue] {
        replications[0].scaleEvents.map { e in
            .object([("t_s", .num(Double(e.atNanos) / 1e9)), ("from", .int(e.from)), ("to", .int(e.to)), ("reason", .string(e.reason))])
        }
    }

    /// The metrics `prefix.key` for `keys` (dotted keys make nested objects), each with its `_ci95` sibling.
    func nested(_ prefix: String, _ keys: [String]) -> JSONValue {
        var members: [(String, JSONValue)] = []
        var groups: [String: [String]] = [:]
        for key in keys {
            guard let dot = key.firstIndex(of: ".") else {
                members += metric("\(prefix).\(key)", key: key)
                continue
            }
            let head = String(key[..<dot])
            if groups[head] == nil { members.append((head, .null)) }
            groups[head, default: []].append(String(key[key.index(after: dot)...]))
        }
        return .object(members.map { key, value in groups[key].map { (key, nested("\(prefix).\(key)", $0)) } ?? (key, value) })
    }

    func metric(_ name: String, key: String) -> [(String, JSONValue)] {
        guard let e = estimate(name) else { return [] }
        var out: [(String, JSONValue)] = [(key, .num(e.mean))]
        if replications.count >= 2 {
            out.append(("\(key)_ci95", e.ci95.map { .array([.num($0.lowerBound), .num($0.upperBound)]) } ?? .null))
        }
        return out
    }

    func group(_ prefix: String, _ keys: [String]) -> JSONValue {
        .object(keys.flatMap { metric("\(prefix).\($0)", key: $0) })
    }

    /// The mean over replications of a per-replication number.
    func mean(_ value: (RunSummary) -> Double) -> Double {
        replications.map(value).reduce(0, +) / Double(replications.count)
    }

    /// The reasons that occurred (a reason absent here is 0), means over replications.
    private var failureReasons: JSONValue {
        .object(FailureReason.allCases.flatMap { reason in
            (estimate("failure_reasons.\(reason.rawValue)")?.mean ?? 0) == 0 ? [] : metric("failure_reasons.\(reason.rawValue)", key: reason.rawValue)
        })
    }

    /// Per model (those with attempts): means over replications, like every other number (`by_model.<model>.*`).
    private var byModel: [JSONValue] {
        scenario.qualifiedModels.indices.compactMap { i in
            guard replications.contains(where: { $0.byModel.indices.contains(i) && $0.byModel[i].attempts > 0 }) else { return nil }
            let name = scenario.qualifiedModels[i].name, prefix = "by_model.\(name)"
            let failures: [(String, JSONValue)] = AttemptFailure.allCases.flatMap { reason in
                (estimate("\(prefix).failures.\(reason.rawValue)")?.mean ?? 0) == 0 ? [] : metric("\(prefix).failures.\(reason.rawValue)", key: reason.rawValue)
            }
            return .object([
                ("model", .string(name)),
                ("provider", .string(scenario.qualifiedModels[i].provider.name)),
            ] + group(prefix, ["requests", "attempts", "successes"]).objectEntries
                + [("failures", .object(failures))]
                + group(prefix, ["input_tokens", "output_tokens", "cost_usd", "p95_latency_ms"]).objectEntries)
        }
    }
}
