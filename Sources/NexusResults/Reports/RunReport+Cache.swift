import NexusGateway
import NexusScenario
import NexusSim

extension RunReport {
    /// The `cache` section of the JSON contract, when the scenario has a response cache.
    ///
    /// `hits`, `misses`, `hit_rate` and `saved_usd` cover counted requests (means over replications, each with its
    /// `_ci95` from two replications);
    /// `by_class` is the cache's own counters over the whole run (warm-up included), also means; `semantic`
    /// (with a semantic cache) the semantic lookups of counted requests whose exact key missed: right matches,
    /// wrong answers served (`false_hits`), misses, the embeddings' cost, the model cost saved and that net of it.
    var cacheSection: JSONValue? {
        let promptCaching = scenario.providers.contains { $0.promptCache != nil }
        guard scenario.cache != nil || promptCaching else { return nil }
        let byClass: [(String, JSONValue)] = scenario.cache == nil ? [] : CacheClass.allCases.map { c in
            (c.rawValue, group("cache.by_class.\(c.rawValue)", ["hits", "misses", "hit_rate", "expirations", "evictions", "bypasses"]))
        }
        let prompt: [(String, JSONValue)] = promptCaching
            ? [("prompt_cache", group("cache.prompt_cache", ["input_tokens", "cached_tokens", "token_hit_rate", "saved_usd"]))] : []
        let semantic: [(String, JSONValue)] = scenario.cache?.policy.semantic == nil ? [] : [("semantic", group("cache.semantic", [
            "lookups", "hits", "false_hits", "misses", "hit_rate", "false_hit_rate", "embedding_usd", "saved_usd", "net_saved_usd",
        ]))]
        return .object(group("cache", ["hits", "misses", "hit_rate", "saved_usd"]).objectEntries
            + (byClass.isEmpty ? [] : [("by_class", .object(byClass))]) + prompt + semantic)
    }
}
