import Foundation
import NexusGateway

/// `routing.mode: litellm` and its `routing.litellm` block: LiteLLM's router settings, with tiers as model
/// groups and models as deployments.
extension ScenarioDecoder {
    static let routingModes = ["nexus", "litellm"]
    static let litellmKeys = [
        "routing_strategy", "num_retries", "retry_policy", "retry_after", "allowed_fails", "allowed_fails_policy",
        "cooldown_time", "disable_cooldowns", "enable_pre_call_checks", "fallbacks", "default_fallbacks",
        "context_window_fallbacks", "max_fallbacks", "lowest_latency_buffer", "max_latency_list_size", "stream", "deployments",
    ]
    static let litellmDeploymentKeys = ["weight", "rpm", "tpm", "cooldown_time"] + litellmPassthroughKeys
    /// `litellm_params` kept for the export (the LiteLLM model, endpoint and credentials, `os.environ/VAR`
    /// references as written); they do not change the simulation.
    public static let litellmPassthroughKeys = ["model", "api_base", "api_key", "api_version", "organization", "region_name",
                                                "aws_region_name", "vertex_project", "vertex_location"]
    /// Nexus policy keys that LiteLLM mode replaces by its own (under `routing.litellm`).
    static let keysReplacedInLiteLLMMode: [String: String] = [
        "strategy": "routing.litellm.routing_strategy", "retries": "routing.litellm.num_retries",
        "fallbacks": "routing.litellm.fallbacks", "context_window_fallbacks": "routing.litellm.context_window_fallbacks",
        "pre_call_checks": "routing.litellm.enable_pre_call_checks", "latency_tolerance": "routing.litellm.lowest_latency_buffer",
        "hedge_after": "nothing (LiteLLM does not hedge)", "circuit_breaker": "routing.litellm's cooldown keys",
        "weights": "routing.litellm.deployments.MODEL.weight", "latency_ewma_weight": "nothing (LiteLLM averages the last samples)",
    ]

    /// LiteLLM's router settings when `routing.mode` is `litellm`, else `nil` (and then `routing.litellm` is an error).
    func litellmRouting(_ routing: Field?, tierFields: [Field], tiers: [TierSpec], qualifiedModels: [String],
                        passthrough: inout [String: [String: String]]) throws -> LiteLLMRouterSettings? {
        guard let routing, case .mapping(let entries, _) = routing.node else { return nil }
        let m = Field.Mapping(field: routing, entries: entries)
        let mode = try m.optional("mode").map { f -> String in
            let text = try f.text()
            guard Self.routingModes.contains(text) else {
                throw f.error("expected one of \(Self.routingModes.joined(separator: ", ")), found '\(text)'",
                              suggestion: nearest(to: text, in: Self.routingModes))
            }
            return text
        } ?? "nexus"
        guard mode == "litellm" else {
            if let block = m.optional("litellm") { throw block.error("routing.litellm applies only with routing.mode: litellm") }
            return nil
        }
        for field in [routing] + tierFields {
            guard case .mapping(let entries, _) = field.node else { continue }
            for entry in entries {
                guard let instead = Self.keysReplacedInLiteLLMMode[entry.key] else { continue }
                throw ScenarioError(location: entry.keyLocation, keyPath: "\(field.path).\(entry.key)",
                                    message: "'\(entry.key)' does not apply with routing.mode: litellm; set \(instead) instead")
            }
        }
        let tierNames = tiers.map(\.name)
        var settings = LiteLLMRouterSettings()
        settings.fallbacks = Array(repeating: [], count: tiers.count)
        settings.contextWindowFallbacks = Array(repeating: [], count: tiers.count)
        guard let blockField = m.optional("litellm") else { return settings }
        let b = try blockField.mapping(allowed: Self.litellmKeys)
        if let f = b.optional("routing_strategy") { settings.strategy = try f.choice(LiteLLMRouterSettings.Strategy.self) }
        if let f = b.optional("num_retries") { settings.numRetries = try f.int(in: 0...100) }
        if let f = b.optional("retry_policy") { settings.retryPolicy = try errorClassCounts(f, suffix: "Retries", range: 0...100) }
        if let f = b.optional("retry_after") { settings.retryAfterNanos = try f.durationNanos(in: 0...3_600_000_000_000) }
        if let f = b.optional("allowed_fails") { settings.allowedFails = try f.int(in: 0...1_000_000) }
        if let f = b.optional("allowed_fails_policy") {
            settings.allowedFailsPolicy = try errorClassCounts(f, suffix: "AllowedFails", range: 0...1_000_000)
        }
        if let f = b.optional("cooldown_time") { settings.cooldownNanos = try f.durationNanos(in: 0...86_400_000_000_000) }
        if let f = b.optional("disable_cooldowns") { settings.disableCooldowns = try f.bool() }
        if let f = b.optional("enable_pre_call_checks") { settings.preCallChecks = try f.bool() }
        if let f = b.optional("fallbacks") { settings.fallbacks = try groupFallbacks(f, tierNames: tierNames) }
        if let f = b.optional("context_window_fallbacks") { settings.contextWindowFallbacks = try groupFallbacks(f, tierNames: tierNames) }
        if let f = b.optional("default_fallbacks") { settings.defaultFallbacks = try f.list().map { try tierIndex($0, tierNames) } }
        if let f = b.optional("max_fallbacks") { settings.maxFallbacks = try f.int(in: 0...100) }
        if let f = b.optional("lowest_latency_buffer") { settings.lowestLatencyBuffer = try f.double(in: 0...1_000, what: "a buffer share") }
        if let f = b.optional("max_latency_list_size") { settings.maxLatencyListSize = try f.int(in: 1...10_000) }
        if let f = b.optional("stream") { settings.stream = try f.bool() }
        if let f = b.optional("deployments") {
            guard case .mapping(let entries, _) = f.node else { throw f.expected("a mapping of model to {weight, rpm, tpm, cooldown_time}") }
            settings.deployments = Array(repeating: .init(), count: qualifiedModels.count)
            for entry in entries {
                let item = Field(node: entry.value, path: "\(f.path).\(entry.key)", parameters: f.parameters)
                let keyField = Field(node: .scalar(entry.key, entry.keyLocation), path: item.path, parameters: f.parameters)
                let name = try resolveModel(keyField, qualifiedModels: qualifiedModels)
                let d = try item.mapping(allowed: Self.litellmDeploymentKeys)
                var params: [String: String] = [:]
                for key in Self.litellmPassthroughKeys { if let v = d.optional(key) { params[key] = try v.text() } }
                if !params.isEmpty { passthrough[name] = params }
                let weightField = d.optional("weight")
                let weight = try weightField?.double(in: 0...1e12, what: "a weight")
                settings.deployments[qualifiedModels.firstIndex(of: name)!] = LiteLLMRouterSettings.Deployment(
                    weight: weight, rpm: try d.optional("rpm")?.int(in: 1...Int(Int32.max)),
                    tpm: try d.optional("tpm")?.int(in: 1...Int.max / 2),
                    cooldownNanos: try d.optional("cooldown_time")?.durationNanos(in: 0...86_400_000_000_000))
            }
        }
        return settings
    }

    /// `{RateLimitErrorRetries: 3, ...}`: a count per LiteLLM error class.
    private func errorClassCounts(_ f: Field, suffix: String, range: ClosedRange<Int>) throws -> [LiteLLMRouterSettings.ErrorClass: Int] {
        guard case .mapping(let entries, _) = f.node else { throw f.expected("a mapping such as {RateLimitError\(suffix): 3}") }
        let names = LiteLLMRouterSettings.ErrorClass.allCases.map { $0.rawValue + suffix }
        _ = try f.mapping(allowed: names)
        var counts: [LiteLLMRouterSettings.ErrorClass: Int] = [:]
        for entry in entries {
            guard let c = LiteLLMRouterSettings.ErrorClass.allCases.first(where: { $0.rawValue + suffix == entry.key }) else {
                throw ScenarioError(location: entry.keyLocation, keyPath: "\(f.path).\(entry.key)",
                                    message: "expected one of \(names.joined(separator: ", ")), found '\(entry.key)'",
                                    suggestion: nearest(to: entry.key, in: names))
            }
            counts[c] = try Field(node: entry.value, path: "\(f.path).\(entry.key)", parameters: f.parameters).int(in: range)
        }
        return counts
    }

    /// `{group: [fallback, ...]}` by tier name, as tier indices per tier.
    private func groupFallbacks(_ f: Field, tierNames: [String]) throws -> [[Int]] {
        guard case .mapping(let entries, _) = f.node else { throw f.expected("a mapping of tier to its fallback tiers, e.g. {fast: [backup]}") }
        var lists = Array(repeating: [Int](), count: tierNames.count)
        for entry in entries {
            let keyField = Field(node: .scalar(entry.key, entry.keyLocation), path: "\(f.path).\(entry.key)", parameters: f.parameters)
            let group = try tierIndex(keyField, tierNames)
            let value = Field(node: entry.value, path: "\(f.path).\(entry.key)", parameters: f.parameters)
            lists[group] = try value.list().map { try tierIndex($0, tierNames) }
        }
        return lists
    }

    private func tierIndex(_ f: Field, _ tierNames: [String]) throws -> Int {
        let name = try f.text()
        guard let i = tierNames.firstIndex(of: name) else {
            throw f.error("no tier is named '\(name)'; tiers: \(tierNames.joined(separator: ", "))", suggestion: nearest(to: name, in: tierNames))
        }
        return i
    }
}
