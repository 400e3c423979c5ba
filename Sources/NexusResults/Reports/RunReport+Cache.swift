import NexusGateway
import NexusScenario
import NexusSim

extension RunReport {
    /// The `cache` section of the JSON contract, when the scenario has a response cache.
    ///
    /// `hits`, `misses`, `hit_rate` and `saved_usd` cover counted requests (means over replications);
    /// `by_class` is the cache's own counters over the whole run (warm-up included), also means.
    var cacheSection: JSONValue? {
        let promptCaching = scenario.providers.contains { $0.promptCache != nil }
        guard scenario.cache != nil || promptCaching else { return nil }
        let hits = mean { Double($0.cacheHits) }, misses = mean { Double($0.cacheMisses) }
        let byClass: [(String, JSONValue)] = CacheClass.allCases.enumerated().map { i, c in
            func stat(_ f: (CacheClassStats) -> Int) -> JSONValue {
                .num(mean { $0.cacheByClass.indices.contains(i) ? Double(f($0.cacheByClass[i])) : 0 })
            }
            let h = mean { $0.cacheByClass.indices.contains(i) ? Double($0.cacheByClass[i].hits) : 0 }
            let m = mean { $0.cacheByClass.indices.contains(i) ? Double($0.cacheByClass[i].misses) : 0 }
            return (c.rawValue, .object([
                ("hits", stat(\.hits)), ("misses", stat(\.misses)), ("hit_rate", .num(h + m == 0 ? 0 : h / (h + m))),
                ("expirations", stat(\.expirations)), ("evictions", stat(\.evictions)), ("bypasses", stat(\.bypasses)),
            ]))
        }
        let input = mean { Double($0.promptCacheInputTokens) }, cached = mean { Double($0.promptCacheCachedTokens) }
        let prompt: [(String, JSONValue)] = promptCaching ? [("prompt_cache", .object([
            ("input_tokens", .num(input)), ("cached_tokens", .num(cached)),
            ("token_hit_rate", .num(input == 0 ? 0 : cached / input)),
            ("saved_usd", .num(mean { $0.promptCacheSaved.dollars })),
        ]))] : []
        return .object([
            ("hits", .num(hits)),
            ("misses", .num(misses)),
            ("hit_rate", .num(hits + misses == 0 ? 0 : hits / (hits + misses))),
            ("saved_usd", .num(mean { $0.cacheSaved.dollars })),
            ("by_class", .object(byClass)),
        ] + prompt)
    }
}
