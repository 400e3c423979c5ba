import NexusGateway
import NexusScenario
import NexusSim

extension RunReport {
    /// Every scalar metric a run of `scenario` reports, by the key path of its value in `run --json`: the
    /// contract's ``metricDefinitions`` and the scenario's own groups —
    ///
    /// - `by_tier.<tier>.*` and `by_class.<class>.*` (``groupKeys``): a tier's requests are those of the
    ///   classes that belong to it (a request the budget downgrades stays in its class's tier here);
    /// - `cost_usd.by_tier.<tier>`: cost by the tier a request was routed in (downgrades included);
    /// - `failure_reasons.<reason>` for every reason (0 when absent from the JSON);
    /// - `by_model.<provider/model>.*`;
    /// - `cache.*` when the scenario has a response cache or a provider prompt cache;
    /// - `budget.*` when it has a budget.
    ///
    /// Each is a target's metric name, a stored metric and a compared metric alike.
    public static func metricDefinitions(for scenario: Scenario) -> [MetricDefinition] {
        typealias D = MetricDefinition
        var defs = metricDefinitions
        let tiers = scenario.tiers.map(\.name)
        for (t, tier) in tiers.enumerated() {
            defs.append(D("cost_usd.by_tier.\(tier)", unit: .dollars) { $0.costByTier.indices.contains(t) ? $0.costByTier[t].dollars : .nan })
        }
        for (t, tier) in tiers.enumerated() {
            defs += groupDefinitions(prefix: "by_tier.\(tier)") { $0.byTier.indices.contains(t) ? $0.byTier[t] : nil }
        }
        for (c, spec) in scenario.traffic.classes.enumerated() {
            defs += groupDefinitions(prefix: "by_class.\(spec.name)") { $0.byClass.indices.contains(c) ? $0.byClass[c] : nil }
        }
        for reason in FailureReason.allCases {
            defs.append(D("failure_reasons.\(reason.rawValue)", unit: .count) { Double($0.count(reason)) })
        }
        for (i, model) in scenario.qualifiedModels.enumerated() {
            let prefix = "by_model.\(model.name)"
            func stat(_ key: String, _ f: @escaping @Sendable (ModelStats) -> Double) -> D {
                D("\(prefix).\(key)", unit: MetricUnit(metricName: key)) { $0.byModel.indices.contains(i) ? f($0.byModel[i]) : .nan }
            }
            defs += [
                stat("requests") { Double($0.requests) }, stat("attempts") { Double($0.attempts) },
                stat("successes") { Double($0.successes) },
                stat("failure_count") { Double($0.attempts - $0.successes) },
                stat("input_tokens") { Double($0.inputTokens) }, stat("output_tokens") { Double($0.outputTokens) },
                stat("cost_usd") { $0.cost.dollars },
                stat("p95_latency_ms") { $0.latency.percentileMillis(95) ?? .nan },
            ]
            for failure in AttemptFailure.allCases {
                defs.append(D("\(prefix).failures.\(failure.rawValue)", unit: .count) {
                    $0.byModel.indices.contains(i) ? Double($0.byModel[i].failures(failure)) : .nan
                })
            }
        }
        let promptCaching = scenario.providers.contains { $0.promptCache != nil }
        if scenario.cache != nil || promptCaching {
            defs += [
                D("cache.hits") { Double($0.cacheHits) },
                D("cache.misses") { Double($0.cacheMisses) },
                D("cache.hit_rate", range: 0...1) { $0.cacheHitRate },  // 0 without lookups
                D("cache.saved_usd") { $0.cacheSaved.dollars },
            ]
        }
        if scenario.cache?.policy.semantic != nil {
            @Sendable func lookups(_ s: RunSummary) -> Double { Double((s.semanticHits ?? 0) + (s.semanticFalseHits ?? 0) + (s.semanticMisses ?? 0)) }
            defs += [
                D("cache.semantic.lookups", unit: .count) { lookups($0) },
                D("cache.semantic.hits", unit: .count) { Double($0.semanticHits ?? 0) },
                D("cache.semantic.false_hits", unit: .count) { Double($0.semanticFalseHits ?? 0) },
                D("cache.semantic.misses", unit: .count) { Double($0.semanticMisses ?? 0) },
                D("cache.semantic.hit_rate", unit: .fraction, range: 0...1) { lookups($0) == 0 ? 0 : Double($0.semanticHits ?? 0) / lookups($0) },
                D("cache.semantic.false_hit_rate", unit: .fraction, range: 0...1) {
                    lookups($0) == 0 ? 0 : Double($0.semanticFalseHits ?? 0) / lookups($0)
                },
                D("cache.semantic.embedding_usd", unit: .dollars) { ($0.semanticEmbeddingCost ?? .zero).dollars },
                D("cache.semantic.saved_usd", unit: .dollars) { ($0.semanticSaved ?? .zero).dollars },
                D("cache.semantic.net_saved_usd", unit: .dollars) { (($0.semanticSaved ?? .zero) - ($0.semanticEmbeddingCost ?? .zero)).dollars },
            ]
        }
        if scenario.cache != nil {
            for (i, cacheClass) in CacheClass.allCases.enumerated() {
                let prefix = "cache.by_class.\(cacheClass.rawValue)"
                func stat(_ key: String, _ f: @escaping @Sendable (CacheClassStats) -> Int) -> D {
                    D("\(prefix).\(key)", unit: .count) { $0.cacheByClass.indices.contains(i) ? Double(f($0.cacheByClass[i])) : 0 }
                }
                defs += [stat("hits", \.hits), stat("misses", \.misses)]
                defs.append(D("\(prefix).hit_rate", unit: .fraction, range: 0...1) { summary in
                    guard summary.cacheByClass.indices.contains(i) else { return 0 }
                    let s = summary.cacheByClass[i]
                    return s.hits + s.misses == 0 ? 0 : Double(s.hits) / Double(s.hits + s.misses)
                })
                defs += [stat("expirations", \.expirations), stat("evictions", \.evictions), stat("bypasses", \.bypasses)]
            }
        }
        if promptCaching {
            defs += [
                D("cache.prompt_cache.input_tokens") { Double($0.promptCacheInputTokens) },
                D("cache.prompt_cache.cached_tokens") { Double($0.promptCacheCachedTokens) },
                D("cache.prompt_cache.token_hit_rate", range: 0...1) {
                    $0.promptCacheInputTokens == 0 ? 0 : Double($0.promptCacheCachedTokens) / Double($0.promptCacheInputTokens)
                },
                D("cache.prompt_cache.saved_usd") { $0.promptCacheSaved.dollars },
            ]
        }
        if scenario.budget != nil {
            defs += [
                D("budget.alert_count") { Double($0.budgetAlerts.count) },
                D("budget.exhausted_at_s", unit: .seconds) { $0.budgetExhaustedAt.map { Double($0) / 1e9 } ?? .nan },
                D("budget.exhausted_share", unit: .fraction, range: 0...1) { $0.budgetExhaustedAt == nil ? 0 : 1 },
                D("budget.rejected") { Double($0.count(.budgetExceeded)) },
                D("budget.overspend_usd") { $0.overspend.dollars },
                D("budget.downgraded") { Double($0.downgraded) },
                D("budget.users_at_cap") { Double($0.usersAtCap) },
            ]
            if scenario.budget?.namesReservation == true {
                defs += [
                    D("budget.refused_share", unit: .fraction, range: 0...1) {
                        $0.requests == 0 ? 0 : Double($0.count(.budgetExceeded)) / Double($0.requests)
                    },
                    D("budget.used_share_at_exhaustion", unit: .fraction) { $0.budgetUsedShareAtExhaustion ?? .nan },
                    D("budget.clamped_attempts") { Double($0.budgetClampedAttempts ?? 0) },
                ]
            }
            for kind in BudgetWindowKind.allCases {
                defs.append(D("budget.exhausted_at_s_by_window.\(kind.rawValue)", unit: .seconds) {
                    $0.budgetExhaustedAtByWindow[kind].map { Double($0) / 1e9 } ?? .nan
                })
            }
        }
        return defs
    }

    /// The keys of a `by_tier.<tier>` or `by_class.<class>` group, in JSON order.
    public static let groupKeys = [
        "requests", "succeeded", "failed", "rejected", "availability", "error_rate",
        "latency_ms.p50", "latency_ms.p95", "latency_ms.p99", "latency_ms.mean", "latency_ms.max",
        "ttft_ms.p50", "ttft_ms.p95", "ttft_ms.p99", "ttft_ms.mean",
        "cost_usd.total", "cost_usd.per_request",
    ]

    /// The ``groupKeys`` metrics of one group, read from `stats` (`nil`: the group is absent from a replication).
    static func groupDefinitions(prefix: String, _ stats: @escaping @Sendable (RunSummary) -> RequestGroupStats?) -> [MetricDefinition] {
        func d(_ key: String, range: ClosedRange<Double> = 0...Double.infinity, _ f: @escaping @Sendable (RequestGroupStats) -> Double) -> MetricDefinition {
            MetricDefinition("\(prefix).\(key)", unit: MetricUnit(metricName: key), range: range) { stats($0).map(f) ?? .nan }
        }
        return [
            d("requests") { Double($0.requests) }, d("succeeded") { Double($0.succeeded) },
            d("failed") { Double($0.failed) }, d("rejected") { Double($0.rejected) },
            d("availability", range: 0...1) { $0.availability }, d("error_rate", range: 0...1) { $0.errorRate },
            d("latency_ms.p50") { $0.latency.percentileMillis(50) ?? .nan },
            d("latency_ms.p95") { $0.latency.percentileMillis(95) ?? .nan },
            d("latency_ms.p99") { $0.latency.percentileMillis(99) ?? .nan },
            d("latency_ms.mean") { $0.latency.meanMillis ?? .nan },
            d("latency_ms.max") { $0.latency.maxMillis ?? .nan },
            d("ttft_ms.p50") { $0.ttft.percentileMillis(50) ?? .nan },
            d("ttft_ms.p95") { $0.ttft.percentileMillis(95) ?? .nan },
            d("ttft_ms.p99") { $0.ttft.percentileMillis(99) ?? .nan },
            d("ttft_ms.mean") { $0.ttft.meanMillis ?? .nan },
            d("cost_usd.total") { $0.cost.dollars },
            d("cost_usd.per_request") { $0.costPerRequest },
        ]
    }
}
