import Foundation
import NexusGateway

/// Exports a scenario as a LiteLLM proxy config, so that a design tried in the simulator can be deployed.
///
/// Tiers become model groups (`model_name`), each tier's models its deployments; `routing.litellm` becomes
/// `router_settings`. What LiteLLM has no key for travels along where LiteLLM ignores it: each deployment's
/// latency and error model in `model_info.nexus_sim`, its provider's in `model_info.nexus_provider`, and the
/// traffic, simulation, gateway, targets and budget in a top-level `nexus_sim` block — so that
/// `import litellm` of the export gives back the scenario.
public enum LiteLLMConfigExporter {
    public struct Result: Sendable {
        public var configYAML: String
        /// What the config cannot say (Nexus-mode policies without a LiteLLM equivalent).
        public var warnings: [String]
    }

    /// Scenario model keys carried in `model_info.nexus_sim`.
    static let modelKeys = ["name", "price", "context_window", "ttft", "tokens_per_second", "error_rate", "errors", "retry_after", "limits"]
    static let providerKeys = ["name", "classifications", "limits", "outages", "random_outages", "fast_failure_latency", "prompt_cache"]
    static let scenarioKeys = ["name", "description", "parameters", "simulation", "pricing", "gateway", "traffic", "targets", "budget", "cache"]

    /// - Parameter apiBase: when given, every deployment is sent to `APIBASE/<provider>/v1` as an
    ///   OpenAI-compatible model (the `nexus-sim providers` emulator's layout), with key `os.environ/NEXUS_EMULATOR_KEY`.
    public static func export(_ scenario: Scenario, apiBase: String? = nil) throws -> Result {
        var warnings: [String] = []
        // The scenario as written (extends resolved), for the parts carried verbatim.
        let file = scenario.sourcePath ?? "<scenario>"
        let directory = scenario.sourcePath.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? "."
        let tree = try ScenarioNode.resolvingExtends(try ScenarioNode.parse(yaml: scenario.sourceText, file: file), file: file,
                                                     directory: directory).root
        func section(_ node: ScenarioNode?, _ key: String) -> ScenarioNode? {
            guard case .mapping(let e, _) = node else { return nil }
            return e.first { $0.key == key }?.value
        }
        func named(_ list: ScenarioNode?, _ name: String) -> ScenarioNode? {
            guard case .sequence(let items, _) = list else { return nil }
            return items.first { section($0, "name").flatMap(LiteLLMConfigImporter.scalarText) == name }
        }
        func subset(_ node: ScenarioNode?, _ keys: [String]) -> YAMLWriter.Value {
            guard case .mapping(let e, _) = node else { return .map([]) }
            return .map(e.filter { keys.contains($0.key) }.map { ($0.key, YAMLWriter.Value($0.value)) })
        }
        let models = scenario.qualifiedModels
        let index = Dictionary(uniqueKeysWithValues: models.enumerated().map { ($1.name, $0) })
        let litellm = scenario.routing.litellm
        if litellm == nil {
            warnings.append("routing.mode is nexus: exported with LiteLLM's nearest rules (a tier's order is not a fallback chain in LiteLLM; circuit breakers become cooldowns)")
        }

        var w = YAMLWriter()
        w.comment("LiteLLM proxy config exported from \(file) by `nexus-sim export litellm`.")
        w.comment("model_info.nexus_sim / nexus_provider and the nexus_sim block are for `nexus-sim import litellm`; LiteLLM ignores them.")
        w.text += "model_list:\n"
        for tier in scenario.tiers {
            for name in tier.models {
                let i = index[name]!
                let (_, provider, model) = models[i]
                var params: [(String, YAMLWriter.Value)] = []
                let passthrough = scenario.routing.litellmParams[name] ?? [:]
                if let apiBase {
                    params.append(("model", .scalar("openai/\(model.name)")))
                    params.append(("api_base", .scalar("\(apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase)/\(provider.name)/v1")))
                    params.append(("api_key", .scalar("os.environ/NEXUS_EMULATOR_KEY")))
                } else {
                    params.append(("model", .scalar(passthrough["model"] ?? defaultModel(provider: provider.name, model: model.name))))
                    for key in ScenarioDecoder.litellmPassthroughKeys where key != "model" {
                        if let v = passthrough[key] { params.append((key, .scalar(v))) }
                    }
                }
                let d = litellm?.deployment(i)
                if let weight = d?.weight ?? tierWeight(tier, name) { params.append(("weight", .plain(LiteLLMConfigImporter.fmt(weight)))) }
                // In LiteLLM mode rpm/tpm are the deployment's routing parameters; a Nexus scenario has only the
                // provider's limits, the nearest thing LiteLLM's rpm/tpm describe.
                if let rpm = litellm != nil ? d?.rpm : model.limits.requestsPerMinute { params.append(("rpm", .plain("\(rpm)"))) }
                if let tpm = litellm != nil ? d?.tpm : model.limits.tokensPerMinute { params.append(("tpm", .plain("\(tpm)"))) }
                if let c = d?.cooldownNanos { params.append(("cooldown_time", .plain(seconds(c)))) }
                if let timeout = tier.policy.attemptTimeoutNanos { params.append(("timeout", .plain(seconds(timeout)))) }
                params.append(("input_cost_per_token", .plain(perToken(model.price.inputPerToken.dollars))))
                params.append(("output_cost_per_token", .plain(perToken(model.price.outputPerToken.dollars))))
                var info: [(String, YAMLWriter.Value)] = []
                if let window = model.contextWindowTokens { info.append(("max_input_tokens", .plain("\(window)"))) }
                let providerNode = named(section(tree, "providers"), provider.name)
                info.append(("nexus_sim", subset(named(section(providerNode, "models"), model.name), modelKeys)))
                info.append(("nexus_provider", subset(providerNode, providerKeys)))
                w.listItem(.mapping([
                    ("model_name", .scalar(tier.name), comment: nil),
                    ("litellm_params", .map(params), comment: nil),
                    ("model_info", .map(info), comment: nil),
                ]), indent: 2)
            }
        }

        var router: [(String, YAMLWriter.Value)] = []
        if let s = litellm {
            router.append(("routing_strategy", .scalar(s.strategy.rawValue)))
            router.append(("num_retries", .plain("\(s.numRetries)")))
            if !s.retryPolicy.isEmpty {
                router.append(("retry_policy", .map(LiteLLMRouterSettings.ErrorClass.allCases.compactMap { c -> (String, YAMLWriter.Value)? in
                    s.retryPolicy[c].map { ("\(c.rawValue)Retries", YAMLWriter.Value.plain("\($0)")) } })))
            }
            if s.retryAfterNanos > 0 { router.append(("retry_after", .plain(seconds(s.retryAfterNanos)))) }
            if let a = s.allowedFails { router.append(("allowed_fails", .plain("\(a)"))) }
            if let p = s.allowedFailsPolicy {
                router.append(("allowed_fails_policy", .map(LiteLLMRouterSettings.ErrorClass.allCases.compactMap { c -> (String, YAMLWriter.Value)? in
                    p[c].map { ("\(c.rawValue)AllowedFails", YAMLWriter.Value.plain("\($0)")) } })))
            }
            router.append(("cooldown_time", .plain(seconds(s.cooldownNanos))))
            if s.disableCooldowns { router.append(("disable_cooldowns", .plain("true"))) }
            if s.preCallChecks { router.append(("enable_pre_call_checks", .plain("true"))) }
            for (key, lists) in [("fallbacks", s.fallbacks), ("context_window_fallbacks", s.contextWindowFallbacks)] {
                let entries = lists.enumerated().filter { !$0.element.isEmpty }.map { pair -> YAMLWriter.Value in
                    YAMLWriter.Value.map([(scenario.tiers[pair.offset].name, YAMLWriter.Value.list(pair.element.map { YAMLWriter.Value.scalar(scenario.tiers[$0].name) }))])
                }
                if !entries.isEmpty { router.append((key, .list(entries))) }
            }
            if !s.defaultFallbacks.isEmpty { router.append(("default_fallbacks", .list(s.defaultFallbacks.map { .scalar(scenario.tiers[$0].name) }))) }
            if s.maxFallbacks != 5 { router.append(("max_fallbacks", .plain("\(s.maxFallbacks)"))) }
            var args: [(String, YAMLWriter.Value)] = []
            if s.lowestLatencyBuffer != 0 { args.append(("lowest_latency_buffer", .plain(LiteLLMConfigImporter.fmt(s.lowestLatencyBuffer)))) }
            if s.maxLatencyListSize != 10 { args.append(("max_latency_list_size", .plain("\(s.maxLatencyListSize)"))) }
            if !args.isEmpty { router.append(("routing_strategy_args", .map(args))) }
        } else {
            // Nexus mode: the nearest LiteLLM rules.
            let strategies = Set(scenario.tiers.map(\.strategy))
            let strategy: LiteLLMRouterSettings.Strategy = switch strategies.count == 1 ? strategies.first! : .priority {
            case .leastBusy: .leastBusy
            case .latency: .latencyBased
            case .cost: .costBased
            case .priority, .weighted: .simpleShuffle
            }
            if strategies.count > 1 { warnings.append("tiers use different strategies; LiteLLM has one routing_strategy: simple-shuffle") }
            if strategies.contains(.priority) { warnings.append("strategy priority has no LiteLLM equivalent: the tier's models are shuffled") }
            router.append(("routing_strategy", .scalar(strategy.rawValue)))
            let retries = scenario.tiers.map(\.policy.retry.maxRetries).max() ?? 0
            router.append(("num_retries", .plain("\(retries)")))
            if let b = scenario.routing.circuitBreaker {
                router.append(("cooldown_time", .plain(seconds(b.cooldownNanos))))
                warnings.append("the circuit breaker becomes LiteLLM's cooldown (cooldown_time \(seconds(b.cooldownNanos)) s); its window and minimum requests have no LiteLLM key")
            }
            if scenario.tiers.contains(where: { $0.policy.hedgeAfterNanos != nil }) { warnings.append("hedge_after has no LiteLLM equivalent; dropped") }
        }
        w.blank()
        w.entry("router_settings", .map(router))

        var nexus: [(String, YAMLWriter.Value)] = []
        for key in scenarioKeys { if let s = section(tree, key) { nexus.append((key, YAMLWriter.Value(s))) } }
        if let deadline = section(section(tree, "routing"), "deadline") { nexus.append(("deadline", YAMLWriter.Value(deadline))) }
        w.blank()
        w.entry("nexus_sim", .map(nexus))
        return Result(configYAML: w.text, warnings: warnings)
    }

    /// The LiteLLM model for a scenario model: `provider/model`, `__` back to `/`.
    static func defaultModel(provider: String, model: String) -> String {
        "\(provider.replacingOccurrences(of: "__", with: "/"))/\(model.replacingOccurrences(of: "__", with: "/"))"
    }

    private static func tierWeight(_ tier: TierSpec, _ model: String) -> Double? {
        guard tier.strategy == .weighted, let w = tier.policy.weights, let i = tier.models.firstIndex(of: model) else { return nil }
        return w[i]
    }

    private static func seconds(_ n: Nanoseconds) -> String { LiteLLMConfigImporter.fmt(Double(n) / 1e9) }

    private static func perToken(_ d: Double) -> String { d == 0 ? "0" : "\(d)" }
}
