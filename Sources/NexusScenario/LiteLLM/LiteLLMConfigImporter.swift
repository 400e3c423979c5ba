import Foundation
import NexusGateway

/// A key of a LiteLLM config that the scenario cannot express, with where it is.
public struct LiteLLMWarning: Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation?
    public var keyPath: String
    public var message: String

    public var description: String { "\(location.map { "\($0): " } ?? "")\(keyPath): \(message)" }
}

/// What `nexus-sim import litellm` produces: the scenario text and the keys it could not map.
public struct LiteLLMImportResult: Sendable {
    public var scenarioYAML: String
    public var warnings: [LiteLLMWarning]
}

/// Latency and error models for deployments, from `--providers FILE` or a calibration
/// (`nexus-sim calibrate litellm-spend-logs`): `deployments: {KEY: {ttft, tokens_per_second, errors, ...}}`,
/// KEY being a LiteLLM model (`azure/gpt-4o`, or the model without its provider prefix), a `model_name`,
/// or `provider/model` of the generated scenario; and optionally `traffic:` (a scenario traffic block).
public struct LiteLLMDeploymentModels: Sendable {
    /// Scenario model keys (ttft, tokens_per_second, error_rate, errors, retry_after) per deployment key.
    var models: [String: [(String, ScenarioNode)]] = [:]
    var traffic: ScenarioNode?
    var source: String

    static let modelKeys = ["ttft", "tokens_per_second", "error_rate", "errors", "retry_after"]

    /// Reads a providers or calibration file. Unknown keys are errors with their line and column.
    public static func read(path: String) throws -> LiteLLMDeploymentModels {
        try parse(text: try ScenarioText.read(path: path), file: path)
    }

    public static func parse(text: String, file: String) throws -> LiteLLMDeploymentModels {
        let root = Field(node: try ScenarioNode.parse(yaml: text, file: file), path: "", parameters: [:])
        let top = try root.mapping(allowed: ["deployments", "traffic", "fit", "cost"])
        var result = LiteLLMDeploymentModels(source: file)
        if let d = top.optional("deployments") {
            guard case .mapping(let entries, _) = d.node else { throw d.expected("a mapping of deployment to its latency and error model") }
            for entry in entries {
                let f = Field(node: entry.value, path: "deployments.\(entry.key)", parameters: [:])
                let m = try f.mapping(allowed: modelKeys + ["cache_hit_rate", "requests", "ks"])
                result.models[entry.key] = modelKeys.compactMap { k in m.optional(k).map { (k, $0.node) } }
            }
        }
        result.traffic = top.optional("traffic")?.node
        return result
    }

    func model(for keys: [String]) -> [(String, ScenarioNode)]? {
        for k in keys { if let m = models[k] { return m } }
        return nil
    }
}

/// Imports a LiteLLM proxy config (`model_list`, `router_settings`, `litellm_settings`) as a scenario in
/// `routing.mode: litellm`.
///
/// Mapping: each `model_list` entry is a deployment → a model of a provider named by the LiteLLM model's
/// prefix (`azure/…` → `azure`; no prefix → `openai`), one provider per distinct `api_base`; `model_name` →
/// a tier (model group) listing its deployments; `rpm`/`tpm` → the model's limits and the deployment's routing
/// parameters; `weight`, `cooldown_time` → deployment parameters; `timeout` → the tier's `attempt_timeout`;
/// `model_info.max_input_tokens` → `context_window`; prices from the LiteLLM price table by model name, else
/// `input_cost_per_token`/`output_cost_per_token`. `router_settings` (and the same keys in `litellm_settings`)
/// → `routing.litellm`. `os.environ/VAR` values are kept as the reference text, never resolved.
public enum LiteLLMConfigImporter {
    static let topKeys = ["model_list", "router_settings", "litellm_settings", "general_settings", "environment_variables",
                          "provider_budget_config", "nexus_sim"]
    static let paramKeys = ["model", "api_base", "api_key", "api_version", "rpm", "tpm", "weight", "timeout", "stream_timeout",
                            "max_budget", "budget_duration", "input_cost_per_token", "output_cost_per_token", "cooldown_time",
                            "max_retries", "organization", "region_name", "aws_region_name", "vertex_project", "vertex_location"]
    static let routerKeys = ["routing_strategy", "routing_strategy_args", "num_retries", "retry_policy", "retry_after",
                             "allowed_fails", "allowed_fails_policy", "cooldown_time", "disable_cooldowns",
                             "enable_pre_call_checks", "fallbacks", "context_window_fallbacks", "content_policy_fallbacks",
                             "default_fallbacks", "max_fallbacks", "timeout", "model_group_alias"]
    /// Settings that concern the proxy's infrastructure, not routing decisions: noted, not simulated.
    static let infrastructureKeys = ["redis_host", "redis_port", "redis_password", "redis_url", "master_key", "database_url",
                                     "alerting", "success_callback", "failure_callback", "callbacks", "drop_params",
                                     "set_verbose", "json_logs", "store_model_in_db", "disable_spend_logs"]
    /// The strategies LiteLLM names, and the one each becomes here.
    static let strategyAliases: [String: LiteLLMRouterSettings.Strategy] = [
        "simple-shuffle": .simpleShuffle, "least-busy": .leastBusy, "latency-based-routing": .latencyBased,
        "cost-based-routing": .costBased, "usage-based-routing-v2": .usageBasedV2, "usage-based-routing": .usageBasedV2,
    ]

    /// Default models for deployments nothing else describes: stated in the output as assumptions.
    static let defaultTTFT = "{dist: lognormal, median: 500ms, p95: 2s}"
    static let defaultSpeed = "{dist: normal, mean: 60, sd: 15}"
    static let defaultErrorRate = "0.5%"

    public static func importConfig(
        path: String, providers: LiteLLMDeploymentModels? = nil, calibration: LiteLLMDeploymentModels? = nil,
        priceBook: PriceBook? = nil, priceTablePath: String? = nil
    ) throws -> LiteLLMImportResult {
        try importConfig(text: try ScenarioText.read(path: path), file: path, providers: providers, calibration: calibration,
                         priceBook: priceBook, priceTablePath: priceTablePath)
    }

    private struct Deployment {
        var group: String
        var litellmModel: String
        var provider: String
        var model: String
        var params: [(String, String)]
        var rpm: Int?
        var tpm: Int?
        var weight: Double?
        var cooldown: String?
        var timeoutSeconds: Double?
        var maxInputTokens: Int?
        var inputCost: Double?
        var outputCost: Double?
        var nexusModel: [(String, ScenarioNode)] = []
        var nexusProvider: [(String, ScenarioNode)] = []
    }

    public static func importConfig(
        text: String, file: String, providers: LiteLLMDeploymentModels? = nil, calibration: LiteLLMDeploymentModels? = nil,
        priceBook: PriceBook? = nil, priceTablePath: String? = nil
    ) throws -> LiteLLMImportResult {
        let root = Field(node: try ScenarioNode.parse(yaml: text, file: file), path: "", parameters: [:])
        guard case .mapping(let topEntries, _) = root.node else { throw root.expected("a LiteLLM config: a mapping with model_list") }
        var warnings: [LiteLLMWarning] = []
        func warn(_ location: SourceLocation?, _ path: String, _ message: String) {
            warnings.append(LiteLLMWarning(location: location, keyPath: path, message: message))
        }
        for e in topEntries where !topKeys.contains(e.key) {
            warn(e.keyLocation, e.key, "unknown top-level key, not imported" + (nearest(to: e.key, in: topKeys).map { " (did you mean '\($0)'?)" } ?? ""))
        }
        let top = Field.Mapping(field: root, entries: topEntries)
        let items = try top.required("model_list").list()
        guard !items.isEmpty else { throw try top.required("model_list").error("model_list has no deployment") }

        // Deployments, in order; providers keyed by prefix and api_base.
        var deployments: [Deployment] = []
        var providerNames: [String: String] = [:]   // "prefix|api_base" → provider name
        var usedNames: Set<String> = []
        for item in items {
            guard case .mapping(let entries, _) = item.node else { throw item.expected("a deployment: {model_name, litellm_params}") }
            let m = Field.Mapping(field: item, entries: entries)
            for e in entries where !["model_name", "litellm_params", "model_info"].contains(e.key) {
                warn(e.keyLocation, "\(item.path).\(e.key)", "not a deployment key; not imported")
            }
            let group = try m.required("model_name").text()
            let paramsField = try m.required("litellm_params")
            guard case .mapping(let pEntries, _) = paramsField.node else { throw paramsField.expected("a mapping with at least 'model'") }
            let p = Field.Mapping(field: paramsField, entries: pEntries)
            let litellmModel = try p.required("model").text()
            if group.contains("*") || litellmModel.contains("*") {
                warn(item.location, item.path, "wildcard route '\(group)' → '\(litellmModel)' serves models not listed; not imported")
                continue
            }
            let (prefix, rest) = split(litellmModel)
            let apiBase = try p.optional("api_base")?.text() ?? ""
            let providerKey = "\(prefix)|\(apiBase)"
            var d = Deployment(group: group, litellmModel: litellmModel, provider: "", model: sanitize(rest), params: [])
            var passthrough: [(String, String)] = [("model", litellmModel)]
            for e in pEntries {
                let f = Field(node: e.value, path: "\(paramsField.path).\(e.key)", parameters: [:])
                let value = (try? f.text()) ?? ""
                let isReference = value.hasPrefix("os.environ/")
                switch e.key {
                case "model": break
                case "api_base", "api_key", "api_version", "organization", "region_name", "aws_region_name", "vertex_project", "vertex_location":
                    passthrough.append((e.key, value))
                case "rpm", "tpm":
                    if isReference { warn(e.keyLocation, f.path, "an environment reference cannot be simulated; no limit imported"); continue }
                    let n = try f.int(in: 1...Int.max / 2)
                    if e.key == "rpm" { d.rpm = n } else { d.tpm = n }
                case "weight":
                    d.weight = try f.double(in: 0...1e12, what: "a weight")
                case "timeout", "stream_timeout":
                    if isReference { warn(e.keyLocation, f.path, "an environment reference cannot be simulated; no timeout imported"); continue }
                    let t = try f.double(in: 0...86_400, what: "a timeout in seconds")
                    if e.key == "timeout" { d.timeoutSeconds = t } else { warn(e.keyLocation, f.path, "stream_timeout is not simulated (timeout is)") }
                case "input_cost_per_token": d.inputCost = try f.double(in: 0...1, what: "a price per token")
                case "output_cost_per_token": d.outputCost = try f.double(in: 0...1, what: "a price per token")
                case "cooldown_time": d.cooldown = "\(try f.double(in: 0...86_400, what: "seconds"))s"
                case "max_budget", "budget_duration":
                    warn(e.keyLocation, f.path, "deployment budgets are not simulated (budget: covers the gateway, users and teams)")
                case "max_retries":
                    warn(e.keyLocation, f.path, "the provider client's own retries are not simulated (router num_retries is)")
                default:
                    warn(e.keyLocation, f.path, "litellm_params key not mapped" + (nearest(to: e.key, in: paramKeys).map { " (did you mean '\($0)'?)" } ?? ""))
                }
            }
            d.params = passthrough
            if let infoField = m.optional("model_info") {
                guard case .mapping(let iEntries, _) = infoField.node else { throw infoField.expected("a mapping") }
                for e in iEntries {
                    let f = Field(node: e.value, path: "\(infoField.path).\(e.key)", parameters: [:])
                    switch e.key {
                    case "max_input_tokens": d.maxInputTokens = try f.int(in: 1...100_000_000)
                    case "nexus_sim":
                        guard case .mapping(let n, _) = e.value else { throw f.expected("a mapping of scenario model keys") }
                        d.nexusModel = n.map { ($0.key, $0.value) }
                    case "nexus_provider":
                        guard case .mapping(let n, _) = e.value else { throw f.expected("a mapping of scenario provider keys") }
                        d.nexusProvider = n.map { ($0.key, $0.value) }
                    case "id", "mode", "base_model", "max_tokens", "max_output_tokens", "description": break
                    default: warn(e.keyLocation, f.path, "model_info key not mapped")
                    }
                }
            }
            if let name = d.nexusProvider.first(where: { $0.0 == "name" }).flatMap({ scalarText($0.1) }) {
                providerNames[providerKey] = name
                usedNames.insert(name)
            }
            if providerNames[providerKey] == nil {
                var name = sanitize(prefix), k = 2
                while usedNames.contains(name) { name = "\(sanitize(prefix))-\(k)"; k += 1 }
                providerNames[providerKey] = name
                usedNames.insert(name)
            }
            d.provider = providerNames[providerKey]!
            if let s = d.nexusModel.first(where: { $0.0 == "name" }).flatMap({ scalarText($0.1) }) { d.model = s }
            deployments.append(d)
        }

        guard !deployments.isEmpty else { throw try top.required("model_list").error("model_list has no deployment that can be simulated") }

        // Router settings: router_settings first, the same keys in litellm_settings as a fallback.
        let router = try top.optional("router_settings").map { f -> Field.Mapping in
            guard case .mapping(let e, _) = f.node else { throw f.expected("a mapping") }
            return Field.Mapping(field: f, entries: e)
        }
        let settings = try top.optional("litellm_settings").map { f -> Field.Mapping in
            guard case .mapping(let e, _) = f.node else { throw f.expected("a mapping") }
            return Field.Mapping(field: f, entries: e)
        }
        func setting(_ key: String) -> Field? { router?.optional(key) ?? settings?.optional(key) }
        for (block, name) in [(router, "router_settings"), (settings, "litellm_settings")] {
            guard let block, case .mapping(let entries, _) = block.field.node else { continue }
            let known = routerKeys + (name == "litellm_settings" ? ["cache", "cache_params", "max_budget", "budget_duration", "request_timeout"] : [])
            for e in entries where !known.contains(e.key) {
                warn(e.keyLocation, "\(name).\(e.key)", infrastructureKeys.contains(e.key) ? "proxy infrastructure, not simulated" : "not mapped")
            }
        }
        let groups = deployments.reduce(into: [String]()) { if !$0.contains($1.group) { $0.append($1.group) } }
        let tierName = { (g: String) in sanitize(g) }

        var lit: [(String, YAMLWriter.Value, comment: String?)] = []
        if let f = setting("routing_strategy") {
            let s = try f.text()
            guard let strategy = strategyAliases[s] else {
                throw f.error("unknown routing_strategy '\(s)'", suggestion: nearest(to: s, in: strategyAliases.keys.sorted()))
            }
            if s == "usage-based-routing" { warn(f.location, f.path, "usage-based-routing (v1) is simulated as usage-based-routing-v2") }
            lit.append(("routing_strategy", .scalar(strategy.rawValue), comment: nil))
        }
        if let f = setting("routing_strategy_args") {
            let m = try f.mapping(allowed: ["lowest_latency_buffer", "max_latency_list_size", "ttl"])
            if let b = m.optional("lowest_latency_buffer") { lit.append(("lowest_latency_buffer", .plain(fmt(try b.double(in: 0...1000))), comment: nil)) }
            if let b = m.optional("max_latency_list_size") { lit.append(("max_latency_list_size", .plain("\(try b.int(in: 1...10_000))"), comment: nil)) }
            if let t = m.optional("ttl") { warn(t.location, t.path, "the latency samples' ttl is not simulated (samples are kept)") }
        }
        if let f = setting("num_retries") { lit.append(("num_retries", .plain("\(try f.int(in: 0...100))"), comment: nil)) }
        for key in ["retry_policy", "allowed_fails_policy"] {
            guard let f = setting(key) else { continue }
            guard case .mapping(let e, _) = f.node else { throw f.expected("a mapping") }
            lit.append((key, .map(try e.map { ($0.key, .plain("\(try Field(node: $0.value, path: "\(f.path).\($0.key)", parameters: [:]).int(in: 0...1_000_000))")) }), comment: nil))
        }
        if let f = setting("retry_after") { lit.append(("retry_after", .plain("\(fmt(try f.double(in: 0...3600)))s"), comment: nil)) }
        if let f = setting("allowed_fails") { lit.append(("allowed_fails", .plain("\(try f.int(in: 0...1_000_000))"), comment: nil)) }
        if let f = setting("cooldown_time") { lit.append(("cooldown_time", .plain("\(fmt(try f.double(in: 0...86_400)))s"), comment: nil)) }
        for key in ["disable_cooldowns", "enable_pre_call_checks"] {
            if let f = setting(key) { lit.append((key, .plain(try f.bool() ? "true" : "false"), comment: nil)) }
        }
        func groupList(_ f: Field) throws -> [String] {
            try f.list().map { item in
                let g = try item.text()
                guard groups.contains(g) else {
                    throw item.error("no model_name '\(g)' in model_list", suggestion: nearest(to: g, in: groups))
                }
                return tierName(g)
            }
        }
        for key in ["fallbacks", "context_window_fallbacks", "content_policy_fallbacks"] {
            guard let f = setting(key) else { continue }
            if key == "content_policy_fallbacks" {
                warn(f.location, f.path, "content-policy errors are not simulated, so these fallbacks never apply")
                continue
            }
            var map: [(String, YAMLWriter.Value)] = []
            var defaults: [String]?
            for item in try f.list() {
                guard case .mapping(let e, _) = item.node else { throw item.expected("a mapping {model_name: [fallback, ...]}") }
                for entry in e {
                    let value = Field(node: entry.value, path: "\(item.path).\(entry.key)", parameters: [:])
                    if entry.key == "*" { defaults = try groupList(value); continue }
                    guard groups.contains(entry.key) else {
                        throw ScenarioError(location: entry.keyLocation, keyPath: value.path, message: "no model_name '\(entry.key)' in model_list",
                                            suggestion: nearest(to: entry.key, in: groups))
                    }
                    map.append((tierName(entry.key), .list(try groupList(value).map { .scalar($0) })))
                }
            }
            if !map.isEmpty { lit.append((key, .map(map), comment: nil)) }
            if let defaults { lit.append(("default_fallbacks", .list(defaults.map { .scalar($0) }), comment: "from the '*' entry")) }
        }
        if let f = setting("default_fallbacks") { lit.append(("default_fallbacks", .list(try groupList(f).map { .scalar($0) }), comment: nil)) }
        if let f = setting("max_fallbacks") { lit.append(("max_fallbacks", .plain("\(try f.int(in: 0...100))"), comment: nil)) }
        if let f = setting("model_group_alias") { warn(f.location, f.path, "aliases do not change routing; not imported") }
        let routerTimeout = try (router?.optional("timeout") ?? settings?.optional("request_timeout")).map { try $0.double(in: 0...86_400, what: "seconds") }

        var deploymentParams: [(String, YAMLWriter.Value, comment: String?)] = []
        for d in deployments where !deploymentParams.contains(where: { $0.0 == "\(d.provider)/\(d.model)" }) {
            var e: [(String, YAMLWriter.Value)] = d.params.map { ($0.0, .scalar($0.1)) }
            if let w = d.weight { e.append(("weight", .plain(fmt(w)))) }
            if let r = d.rpm { e.append(("rpm", .plain("\(r)"))) }
            if let t = d.tpm { e.append(("tpm", .plain("\(t)"))) }
            if let c = d.cooldown { e.append(("cooldown_time", .plain(c))) }
            deploymentParams.append(("\(d.provider)/\(d.model)", .map(e), comment: nil))
        }
        if !deploymentParams.isEmpty { lit.append(("deployments", .mapping(deploymentParams), comment: nil)) }

        // The scenario.
        let nexus = top.optional("nexus_sim").flatMap { f -> [(String, ScenarioNode)]? in
            if case .mapping(let e, _) = f.node { return e.map { ($0.key, $0.value) } }
            return nil
        } ?? []
        func nexusSection(_ key: String) -> ScenarioNode? { nexus.first { $0.0 == key }?.1 }
        var w = YAMLWriter()
        w.comment("Imported from \(file) by `nexus-sim import litellm`: LiteLLM's router rules (routing.mode: litellm).")
        w.comment("Values marked 'assumption' are not in the LiteLLM config; replace them with measurements")
        w.comment("(--providers FILE, or --calibration FILE from `nexus-sim calibrate litellm-spend-logs`). See docs/litellm.md.")
        let base = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        w.entry("name", nexusSection("name").map(YAMLWriter.Value.init) ?? .scalar(sanitize(base)))
        w.entry("description", nexusSection("description").map(YAMLWriter.Value.init) ?? .scalar("LiteLLM config \(URL(fileURLWithPath: file).lastPathComponent)"))
        if let p = nexusSection("parameters") { w.entry("parameters", YAMLWriter.Value(p)) }
        if let s = nexusSection("simulation") { w.entry("simulation", YAMLWriter.Value(s)) } else {
            w.entry("simulation", .plain("{duration: 1h, warmup: 5m, drain: 5m, seed: 1}"), comment: "assumption")
        }
        let usesTable = priceBook != nil && deployments.contains { priceKey($0, priceBook!) != nil }
        if let p = nexusSection("pricing") { w.entry("pricing", YAMLWriter.Value(p)) } else if usesTable, let priceTablePath {
            w.entry("pricing", .map([("litellm", .scalar(priceTablePath))]))
        }
        if let g = nexusSection("gateway") { w.entry("gateway", YAMLWriter.Value(g)) } else {
            w.entry("gateway", .plain("{instances: 1, concurrency: 1000, overhead: 2ms}"), comment: "assumption: one proxy process")
        }
        var routing: [(String, YAMLWriter.Value, comment: String?)] = [("mode", .scalar("litellm"), comment: nil)]
        if let routerTimeout, routerTimeout > 0 { routing.append(("attempt_timeout", .plain("\(fmt(routerTimeout))s"), comment: "router timeout")) }
        if let dl = nexus.first(where: { $0.0 == "deadline" })?.1 { routing.append(("deadline", YAMLWriter.Value(dl), comment: nil)) }
        if !lit.isEmpty { routing.append(("litellm", .mapping(lit), comment: nil)) }
        w.entry("routing", .mapping(routing))

        // Providers and their models (a model used by several groups is one deployment listed in each).
        var providerOrder: [String] = []
        var modelsByProvider: [String: [Deployment]] = [:]
        for d in deployments {
            if modelsByProvider[d.provider] == nil { providerOrder.append(d.provider) }
            if !(modelsByProvider[d.provider]?.contains { $0.model == d.model } ?? false) { modelsByProvider[d.provider, default: []].append(d) }
        }
        var providerValues: [YAMLWriter.Value] = []
        for provider in providerOrder {
            let models = modelsByProvider[provider]!
            let extra = models.first { !$0.nexusProvider.isEmpty }?.nexusProvider ?? []
            var entries: [(String, YAMLWriter.Value, comment: String?)] = [("name", .scalar(provider), comment: nil)]
            if let c = extra.first(where: { $0.0 == "classifications" }) {
                entries.append(("classifications", YAMLWriter.Value(c.1), comment: nil))
            } else {
                entries.append(("classifications", .plain("[public, internal, confidential, restricted]"),
                                comment: "assumption: LiteLLM has no data classification"))
            }
            var modelValues: [YAMLWriter.Value] = []
            for d in models {
                var me: [(String, YAMLWriter.Value, comment: String?)] = [("name", .scalar(d.model), comment: nil)]
                let rest = split(d.litellmModel).rest
                let keys = ["\(d.provider)/\(d.model)", d.litellmModel, rest, d.group]
                let fitted = calibration?.model(for: keys)
                let given = providers?.model(for: keys)
                let embedded = d.nexusModel.filter { LiteLLMDeploymentModels.modelKeys.contains($0.0) }
                if let price = d.nexusModel.first(where: { $0.0 == "price" }) {
                    me.append(("price", YAMLWriter.Value(price.1), comment: nil))
                } else if let priceBook, let key = priceKey(d, priceBook) {
                    me.append(("price", .scalar(key), comment: nil))
                } else if d.inputCost != nil || d.outputCost != nil {
                    me.append(("price", .map([("input_per_mtok", .plain("$\(fmt((d.inputCost ?? 0) * 1e6))")),
                                              ("output_per_mtok", .plain("$\(fmt((d.outputCost ?? 0) * 1e6))"))]), comment: nil))
                } else {
                    me.append(("price", .plain("{input_per_mtok: $0, output_per_mtok: $0}"),
                               comment: "assumption: '\(d.litellmModel)' has no price (give --prices or input_cost_per_token)"))
                    warn(nil, "model_list[\(d.group)]", "no price for '\(d.litellmModel)'; priced at $0 in the scenario")
                }
                if let window = d.maxInputTokens {
                    me.append(("context_window", .plain("\(window)"), comment: nil))
                } else if let cw = d.nexusModel.first(where: { $0.0 == "context_window" }) {
                    me.append(("context_window", YAMLWriter.Value(cw.1), comment: nil))
                }
                if let l = d.nexusModel.first(where: { $0.0 == "limits" }) {
                    me.append(("limits", YAMLWriter.Value(l.1), comment: nil))
                } else if d.nexusModel.isEmpty {
                    var limits: [(String, YAMLWriter.Value)] = []
                    if let r = d.rpm { limits.append(("requests_per_minute", .plain("\(r)"))) }
                    if let t = d.tpm { limits.append(("tokens_per_minute", .plain("\(t)"))) }
                    if !limits.isEmpty { me.append(("limits", .map(limits), comment: "from rpm/tpm")) }
                }
                let source: (model: [(String, ScenarioNode)], note: String?)?
                if let fitted { source = (fitted, "fitted (\(calibration!.source))") } else if let given { source = (given, "from \(providers!.source)") } else {
                    source = embedded.isEmpty ? nil : (embedded, nil)
                }
                if let source {
                    let (model, note) = source
                    for (k, v) in model { me.append((k, YAMLWriter.Value(v), comment: note)) }
                    if !model.contains(where: { $0.0 == "ttft" }) { me.append(("ttft", .plain(defaultTTFT), comment: "assumption")) }
                } else {
                    me.append(("ttft", .plain(defaultTTFT), comment: "assumption"))
                    me.append(("tokens_per_second", .plain(defaultSpeed), comment: "assumption"))
                    me.append(("error_rate", .plain(defaultErrorRate), comment: "assumption"))
                }
                modelValues.append(.mapping(me))
            }
            entries.append(("models", .list(modelValues), comment: nil))
            for (k, v) in extra where !["name", "classifications"].contains(k) { entries.append((k, YAMLWriter.Value(v), comment: nil)) }
            providerValues.append(.mapping(entries))
        }
        w.blank()
        w.text += "providers:\n"
        for p in providerValues { w.listItem(p, indent: 2) }

        w.blank()
        w.text += "tiers:\n"
        for g in groups {
            let members = deployments.filter { $0.group == g }
            var te: [(String, YAMLWriter.Value, comment: String?)] = [
                ("name", .scalar(tierName(g)), comment: g == tierName(g) ? nil : "model_name \(g)"),
                ("models", .list(members.map { .scalar("\($0.provider)/\($0.model)") }), comment: nil),
            ]
            let timeouts = Set(members.compactMap(\.timeoutSeconds))
            if let t = timeouts.max() {
                te.append(("attempt_timeout", .plain("\(fmt(t))s"), comment: "deployment timeout"))
                if timeouts.count > 1 { warn(nil, "model_list[\(g)]", "deployments of one group have different timeouts; the group uses the longest (\(fmt(t)) s)") }
            }
            w.listItem(.mapping(te), indent: 2)
        }

        w.blank()
        if let t = calibration?.traffic ?? nexusSection("traffic") {
            w.entry("traffic", YAMLWriter.Value(t), comment: calibration?.traffic != nil ? "fitted (\(calibration!.source))" : nil)
        } else {
            w.comment("assumption: LiteLLM configs carry no traffic; one class per model group, equal shares")
            var classes: [YAMLWriter.Value] = []
            for (i, g) in groups.enumerated() {
                let share = i == groups.count - 1 ? 1 - Double(groups.count - 1) * (1 / Double(groups.count)).rounded(toPlaces: 9)
                    : (1 / Double(groups.count)).rounded(toPlaces: 9)
                classes.append(.map([
                    ("name", .scalar(tierName(g))), ("share", .plain(fmt(share))), ("tier", .scalar(tierName(g))),
                    ("classification", .scalar("public")),
                    ("input_tokens", .plain("{dist: lognormal, median: 500, p95: 2000}")),
                    ("output_tokens", .plain("{dist: lognormal, median: 200, p95: 800}")),
                    ("max_output_tokens", .plain("1024")),
                ]))
            }
            w.entry("traffic", .mapping([("arrivals", .plain("{process: poisson, rate: 1/s}"), comment: nil),
                                         ("classes", .list(classes), comment: nil)]))
        }
        for key in ["targets", "cache"] { if let s = nexusSection(key) { w.entry(key, YAMLWriter.Value(s)) } }
        if nexusSection("cache") == nil, let c = settings?.optional("cache"), (try? c.bool()) == true {
            var ttl = "3600s"
            if let p = settings?.optional("cache_params"), case .mapping(let e, _) = p.node {
                let pm = Field.Mapping(field: p, entries: e)
                if let t = pm.optional("ttl") { ttl = "\(fmt(try t.double(in: 0...31_536_000)))s" }
                if let type = pm.optional("type"), try type.text() == "redis-semantic" {
                    warn(type.location, type.path, "the semantic cache is simulated as an exact-match cache (no similarity matching)")
                }
                for entry in e where !["type", "ttl", "host", "port", "password", "similarity_threshold", "redis_semantic_cache_embedding_model", "namespace", "supported_call_types"].contains(entry.key) {
                    warn(entry.keyLocation, "\(p.path).\(entry.key)", "not mapped")
                }
            }
            w.entry("cache", .map([("ttl", .map([("simple", .plain(ttl)), ("pattern", .plain(ttl)), ("complex", .plain(ttl))]))]),
                    comment: "litellm_settings.cache: every class for cache_params.ttl")
        }
        if let b = nexusSection("budget") {
            w.entry("budget", YAMLWriter.Value(b))
        } else if let mb = settings?.optional("max_budget") {
            let amount = try mb.double(in: 0...1e12, what: "a budget in dollars")
            let duration = try settings?.optional("budget_duration")?.text() ?? "30d"
            let key: String?
            switch duration {
            case "30d", "1mo", "month": key = "monthly"
            case "1d", "24h": key = "daily"
            default: key = nil
            }
            if let key {
                w.entry("budget", .map([(key, .plain("$\(fmt(amount))")), ("action", .scalar("block"))]),
                        comment: "litellm_settings.max_budget (LiteLLM checks settled spend: budget.reservation none)")
            } else {
                warn(mb.location, mb.path, "budget_duration '\(duration)' has no scenario window (1d or 30d); not imported")
            }
        }
        if let pb = top.optional("provider_budget_config") {
            warn(pb.location, pb.path, "provider budgets are not simulated; not imported")
        }
        return LiteLLMImportResult(scenarioYAML: w.text, warnings: warnings)
    }

    static func scalarText(_ node: ScenarioNode) -> String? {
        if case .scalar(let s, _) = node { return s }
        return nil
    }

    /// `azure/gpt-4o` → (`azure`, `gpt-4o`); a model without a prefix is OpenAI's.
    static func split(_ model: String) -> (prefix: String, rest: String) {
        guard let slash = model.firstIndex(of: "/") else { return ("openai", model) }
        return (String(model[..<slash]), String(model[model.index(after: slash)...]))
    }

    /// A scenario name: `/` becomes `__`, other characters outside [A-Za-z0-9_.:-] become `-`.
    static func sanitize(_ s: String) -> String {
        let mapped = s.replacingOccurrences(of: "/", with: "__").map { c -> Character in
            c.isASCII && (c.isLetter || c.isNumber || "_.:-".contains(c)) ? c : "-"
        }
        return mapped.isEmpty ? "unnamed" : String(mapped)
    }

    private static func priceKey(_ d: Deployment, _ book: PriceBook) -> String? {
        let rest = split(d.litellmModel).rest
        return [d.litellmModel, rest].first { book[$0] != nil }
    }

    static func fmt(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        var s = String(format: "%.12g", x)
        if s.contains("e") { s = "\(x)" }
        return s
    }
}

private extension Double {
    func rounded(toPlaces n: Int) -> Double {
        let k = pow(10.0, Double(n))
        return (self * k).rounded() / k
    }
}
