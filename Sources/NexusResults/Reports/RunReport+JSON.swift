import NexusGateway
import NexusSim

extension RunReport {
    /// The JSON object of DESIGN's command-line contract.
    ///
    /// With two or more replications each number is the mean over replications, and a sibling key with
    /// the suffix `_ci95` holds its 95 % interval `[low, high]` (e.g. `availability_ci95`,
    /// `latency_ms.p95_ci95`), so every key keeps one type whatever the replication count.
    public var json: JSONValue {
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
            members.append(("by_tier", .object(scenario.tiers.indices.map { t in
                (scenario.tiers[t].name, .num(mean { $0.costByTier.indices.contains(t) ? $0.costByTier[t].dollars : 0 }))
            })))
            cost = .object(members)
        }
        top.append(("cost_usd", cost))
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
            ("source", .string(scenario.traffic.trace.map { "trace:\($0.format.rawValue)" } ?? "synthetic")),
        ]
        traffic += group("traffic", ["arrivals", "input_tokens", "output_tokens", "conversations", "skipped_rows"]).objectEntries
        top.append(("traffic", .object(traffic)))
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

    private func metric(_ name: String, key: String) -> [(String, JSONValue)] {
        guard let e = estimate(name) else { return [] }
        var out: [(String, JSONValue)] = [(key, .num(e.mean))]
        if replications.count >= 2 {
            out.append(("\(key)_ci95", e.ci95.map { .array([.num($0.lowerBound), .num($0.upperBound)]) } ?? .null))
        }
        return out
    }

    private func group(_ prefix: String, _ keys: [String]) -> JSONValue {
        .object(keys.flatMap { metric("\(prefix).\($0)", key: $0) })
    }

    /// The mean over replications of a per-replication number.
    func mean(_ value: (RunSummary) -> Double) -> Double {
        replications.map(value).reduce(0, +) / Double(replications.count)
    }

    private var failureReasons: JSONValue {
        .object(FailureReason.allCases.compactMap { reason in
            let m = mean { Double($0.count(reason)) }
            return m == 0 ? nil : (reason.rawValue, .num(m))
        })
    }

    /// Per model: counts and money are means per replication; the p95 comes from the merged histogram.
    private var byModel: [JSONValue] {
        replications[0].byModel.indices.compactMap { i in
            let stats = replications.map { $0.byModel[i] }
            guard stats.contains(where: { $0.attempts > 0 }) else { return nil }
            var latency = LatencyHistogram()
            for s in stats { latency.merge(s.latency) }
            let perRep = { (f: (ModelStats) -> Double) in stats.map(f).reduce(0, +) / Double(stats.count) }
            let failures: [(String, JSONValue)] = AttemptFailure.allCases.compactMap { reason in
                let m = perRep { Double($0.failures(reason)) }
                return m == 0 ? nil : (reason.rawValue, .num(m))
            }
            return .object([
                ("model", .string(stats[0].name)),
                ("provider", .string(stats[0].provider)),
                ("requests", .num(perRep { Double($0.requests) })),
                ("attempts", .num(perRep { Double($0.attempts) })),
                ("successes", .num(perRep { Double($0.successes) })),
                ("failures", .object(failures)),
                ("input_tokens", .num(perRep { Double($0.inputTokens) })),
                ("output_tokens", .num(perRep { Double($0.outputTokens) })),
                ("cost_usd", .num(perRep { $0.cost.dollars })),
                ("p95_latency_ms", .num(latency.percentileMillis(95))),
            ])
        }
    }
}
