import Foundation
import NexusGateway

/// Decodes the document tree into a ``Scenario``, section by section, then checks cross-references.
struct ScenarioDecoder {
    let root: Field
    let baseDirectory: String
    private var priceBook: PriceBook?
    private var priceBookField: Field?
    /// Folders of the files this scenario extends, by file path: a relative reference read from a base file
    /// resolves against the base file's folder.
    var baseDirectories: [String: String] = [:]

    static let topLevelKeys = ["name", "description", "parameters", "simulation", "pricing", "gateway", "routing", "providers", "tiers", "traffic", "targets", "budget", "cache"]

    init(root: Field, baseDirectory: String) {
        self.root = root
        self.baseDirectory = baseDirectory
    }

    mutating func decode(sourcePath: String, sourceText: String) throws -> Scenario {
        let top = try root.mapping(allowed: Self.topLevelKeys)
        if let pricing = top.optional("pricing") { try loadPricing(pricing) }
        let providers = try top.required("providers").list().map { try provider($0) }
        try checkUnique(providers.map(\.name), in: try top.required("providers").list(), what: "provider")
        let allModels = providers.flatMap { p in p.models.map { "\(p.name)/\($0.name)" } }
        let routingField = top.optional("routing")
        var routing = try routingField.map(routingSettings) ?? RoutingSpec(circuitBreaker: nil, latencyEWMAWeight: 0.2)
        let defaults = try routingField.map { try tierPolicy($0, base: TierPolicy(), qualifiedModels: allModels, tierModels: nil, gatewayWide: true) } ?? TierPolicy()
        let tierFields = try top.required("tiers").list()
        let tiers = try tierFields.map { try tier($0, defaults: defaults, qualifiedModels: allModels) }
        try checkUnique(tiers.map(\.name), in: tierFields, what: "tier")
        routing.litellm = try litellmRouting(routingField, tierFields: tierFields, tiers: tiers, qualifiedModels: allModels,
                                             passthrough: &routing.litellmParams)
        let simulation = try simulation(top.required("simulation"))
        let scenario = Scenario(
            name: try top.required("name").name(),
            description: try top.optional("description")?.text() ?? "",
            sourcePath: sourcePath,
            sourceText: sourceText,
            parameters: [],
            overrides: [],
            simulation: simulation,
            gateway: try gateway(top.required("gateway")),
            routing: routing,
            budget: try top.optional("budget").map { try budget($0, start: simulation.startEpochNanos, tiers: tiers) },
            cache: try top.optional("cache").map(cache),
            providers: providers,
            tiers: tiers,
            traffic: try traffic(top.required("traffic"), tiers: tiers, start: simulation.startEpochNanos))
        try checkPeakRate(scenario.traffic, durationNanos: simulation.durationNanos,
                          field: try top.required("traffic").mapping(allowed: Self.trafficKeys).optional("arrivals") ?? top.required("traffic"))
        var withTargets = scenario
        withTargets.targets = try targets(top.optional("targets"))
        return withTargets
    }

    // MARK: Sections

    private func simulation(_ f: Field) throws -> SimulationSettings {
        let m = try f.mapping(allowed: ["duration", "warmup", "drain", "seed", "replications", "series_window", "start"])
        let duration = try m.required("duration").durationNanos(positive: true)
        let warmupField = m.optional("warmup")
        let window = try m.optional("series_window")?.durationNanos(positive: true) ?? 60_000_000_000
        let warmupMethod: WarmupMethod = try warmupField.map { ["mser5", "mser-5"].contains(try $0.text().lowercased()) } == true
            ? .mser5 : .fixed
        let warmup = warmupMethod == .mser5 ? 0 : try warmupField?.durationNanos() ?? 0
        if let warmupField, warmup >= duration {
            throw warmupField.error("the warm-up (\(seconds(warmup))) must be shorter than the duration (\(seconds(duration)))")
        }
        if let warmupField, warmupMethod == .mser5, duration / window < WarmupMethod.mser5MinimumWindows {
            throw warmupField.error("MSER-5 needs at least \(WarmupMethod.mser5MinimumWindows) series windows, found \(duration / window) "
                + "(duration \(seconds(duration)) / series_window \(seconds(window))); shorten simulation.series_window or give a fixed warm-up")
        }
        var settings = SimulationSettings(
            durationNanos: duration,
            warmupNanos: warmup,
            drainNanos: try m.optional("drain")?.durationNanos() ?? 600_000_000_000,
            seed: try m.optional("seed")?.uint64() ?? 1,
            replications: try m.optional("replications")?.int(in: SimulationSettings.replicationRange) ?? 1,
            seriesWindowNanos: window)
        settings.warmupMethod = warmupMethod
        settings.startEpochNanos = try m.optional("start")?.instantNanos() ?? Self.defaultStart
        try checkHorizon(settings, m)
        return settings
    }

    /// The most time-series windows a run may have: a run keeps one 72-byte record per window (plus 8 bytes
    /// per provider), so this bounds the series at about 80 MB — e.g. 1s windows for 11 days, 1m windows
    /// for 1.9 years.
    static let maximumSeriesWindows: Int64 = 1_000_000
    /// The most request slots (instances × concurrency, at the autoscaler's maximum) a gateway may have.
    static let maximumRequestSlots = 10_000_000
    /// The longest run, arrivals plus drain: 100 years, so that any simulated time plus any duration a
    /// scenario gives stays inside 64-bit nanoseconds.
    static let maximumRunNanos: Int64 = 36_525 * CivilTime.nanosPerDay
    /// The last instant a run may reach: 2262-01-01T00:00:00Z (64-bit nanoseconds since 1970 end on 2262-04-11).
    static let lastRepresentableInstant: Int64 = CivilTime.days(year: CivilTime.representableYears.upperBound + 1, month: 1, day: 1)
        * CivilTime.nanosPerDay

    /// The run as a whole fits the clock, the calendar and memory: checked once here rather than wherever
    /// its times are used.
    private func checkHorizon(_ settings: SimulationSettings, _ m: Field.Mapping) throws {
        let run = settings.durationNanos.addingReportingOverflow(settings.drainNanos)
        if run.overflow || run.partialValue > Self.maximumRunNanos {
            throw (m.optional("drain") ?? m.field).error("duration plus drain may be at most 100 years (36525d), found "
                + "\(seconds(settings.durationNanos)) + \(seconds(settings.drainNanos))")
        }
        let windows = (run.partialValue + settings.seriesWindowNanos - 1) / settings.seriesWindowNanos
        if windows > Self.maximumSeriesWindows {
            let smallest = (run.partialValue + Self.maximumSeriesWindows - 1) / Self.maximumSeriesWindows
            throw (m.optional("series_window") ?? m.field).error(
                "the run (duration + drain = \(seconds(run.partialValue))) would have \(windows) series windows; at most "
                + "\(Self.maximumSeriesWindows) are kept: make series_window at least \(seconds(smallest))")
        }
        if settings.startEpochNanos > Self.lastRepresentableInstant - run.partialValue {
            throw (m.optional("start") ?? m.field).error(
                "the run would end after 2262-01-01, the last date whose nanoseconds since 1970 fit 64 bits; start earlier or shorten it")
        }
    }

    /// The `targets:` block: a list of `METRIC OP VALUE` strings, e.g. `- p95_latency < 2s`.
    private func targets(_ f: Field?) throws -> [TargetSpec] {
        guard let f else { return [] }
        return try f.list().map { item in
            guard case .scalar = item.node else { throw item.expected("a target such as 'p95_latency < 2s'") }
            return try TargetSpec.parse(try item.text(), location: item.location, keyPath: item.path)
        }
    }

    private func gateway(_ f: Field) throws -> GatewaySpec {
        let m = try f.mapping(allowed: ["instances", "concurrency", "overhead", "queue_limit", "queue_timeout"] + Self.gatewayCapacityKeys)
        var spec = GatewaySpec(
            instances: try m.required("instances").int(in: 1...100_000),
            concurrencyPerInstance: try m.required("concurrency").int(in: 1...10_000_000),
            overheadNanos: try m.optional("overhead")?.durationNanos() ?? 0,
            queueLimit: try m.optional("queue_limit").flatMap { q in
                try ["none", "unbounded"].contains(q.text()) ? nil : q.int(in: 0...Int(Int32.max))
            },
            queueTimeoutNanos: try m.optional("queue_timeout")?.optionalDurationNanos())
        try gatewayCapacity(m, into: &spec)
        // The gateway keeps one free-slot entry per request slot of every instance it may run.
        let most = max(spec.instances, spec.autoscaling?.policy.maxInstances ?? 0)
        if most * spec.concurrencyPerInstance > Self.maximumRequestSlots {
            throw (m.optional("concurrency") ?? f).error("\(most) instances × concurrency \(spec.concurrencyPerInstance) is "
                + "\(most * spec.concurrencyPerInstance) request slots; at most \(Self.maximumRequestSlots) are simulated")
        }
        return spec
    }

    private mutating func loadPricing(_ f: Field) throws {
        let m = try f.mapping(allowed: ["litellm"])
        let fileField = try m.required("litellm")
        let path = resolvedPath(try fileField.text(), readFrom: fileField)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw fileField.error("cannot read the price table '\(path)'")
        }
        do {
            priceBook = try PriceBook.litellm(json: data)
        } catch {
            throw fileField.error("the price table '\(path)' is not in LiteLLM's format: \(error)")
        }
        priceBookField = fileField
    }

    private func provider(_ f: Field) throws -> ProviderSpec {
        let m = try f.mapping(allowed: ["name", "classifications", "models", "limits", "outages", "random_outages", "fast_failure_latency", "prompt_cache"]
                                  + ["load_slowdown", "base_url", "api_key_env"])
        let name = try m.required("name").name()
        // Without a list, a provider may receive public data only: nothing else goes anywhere unless allowed.
        let classes = try m.optional("classifications")?.list().map { try $0.choice(DataClassification.self) } ?? [.public]
        let modelFields = try m.required("models").list()
        let models = try modelFields.map { try model($0) }
        try checkUnique(models.map(\.name), in: modelFields, what: "model")
        return ProviderSpec(
            name: name, allowedClassifications: ClassificationSet(classes), models: models,
            limits: try m.optional("limits").map(rateLimits) ?? RateLimitSpec(),
            outages: try m.optional("outages")?.list().map { try outage($0, modelNames: models.map(\.name)) } ?? [],
            randomOutages: try m.optional("random_outages").map(randomOutages),
            fastFailureSeconds: try m.optional("fast_failure_latency")?.durationSeconds() ?? 0.05,
            promptCache: try m.optional("prompt_cache").map { f in
                let pc = try f.mapping(allowed: ["ttl", "block_tokens"])
                // `ttl: none` keeps blocks for ever; without `ttl`, five minutes (OpenAI's and Anthropic's default).
                let ttl: Nanoseconds? = try pc.optional("ttl").map { try $0.optionalDurationNanos() } ?? 300_000_000_000
                return PromptCacheSpec(blockTokens: try pc.optional("block_tokens")?.int(in: 1...1_000_000) ?? 512, ttlNanos: ttl)
            },
            loadSlowdown: try m.optional("load_slowdown").map(loadSlowdown),
            baseURL: try m.optional("base_url").map { try $0.upstreamBaseURL() },
            apiKeyEnvironmentVariable: try m.optional("api_key_env").map { try $0.environmentVariableName() })
    }

    private func model(_ f: Field) throws -> ModelSpec {
        let m = try f.mapping(allowed: ["name", "price", "context_window", "ttft", "tokens_per_second", "error_rate", "errors", "limits", "retry_after"]
                                  + ["prefill_tokens_per_second", "mid_stream_error_rate"])
        let (price, bookWindow) = try modelPrice(m.required("price"))
        let speedField = m.optional("tokens_per_second")
        let speed = try speedField?.distribution(of: .amount)
        // A speed of 0 tokens per second would never finish generating.
        if let speedField, let speed, canBeZero(speed) {
            throw speedField.error("a generation speed must be above 0 tokens per second")
        }
        return ModelSpec(
            name: try m.required("name").name(),
            price: price,
            contextWindowTokens: try m.optional("context_window")?.int(in: 1...100_000_000) ?? bookWindow,
            timeToFirstToken: try m.required("ttft").distribution(of: .duration),
            tokensPerSecond: speed,
            errorRates: try errorRates(m),
            limits: try m.optional("limits").map(rateLimits) ?? RateLimitSpec(),
            retryAfterSeconds: try m.optional("retry_after")?.durationSeconds() ?? 1,
            prefillTokensPerSecond: try m.optional("prefill_tokens_per_second")?.double(in: 1...1e9, what: "a prefill rate in tokens per second"),
            midStreamErrorRate: try m.optional("mid_stream_error_rate")?.fraction() ?? 0)
    }

    /// `price: gpt-4o` (a key of the price table) or `price: {input_per_mtok: $2.50, output_per_mtok: $10}`.
    private func modelPrice(_ f: Field) throws -> (ModelPrice, Int?) {
        if case .scalar = f.node {
            let key = try f.text()
            guard let book = priceBook else {
                throw f.error("price '\(key)' names a price-table entry, but the scenario has no 'pricing: {litellm: FILE}'")
            }
            guard let price = book[key] else {
                throw f.error("no model '\(key)' in the price table \(priceBookField.map { "'\((try? $0.text()) ?? "")'" } ?? "")",
                              suggestion: nearest(to: key, in: book.modelNames))
            }
            return (price, price.maxInputTokens)
        }
        let m = try f.mapping(allowed: ["input_per_mtok", "output_per_mtok", "cached_input_per_mtok"])
        func perToken(_ usd: USD) -> USD { USD(usd.dollars / 1e6) }
        let cached = try m.optional("cached_input_per_mtok")?.dollars()
        let price = ModelPrice(
            inputPerToken: perToken(try m.required("input_per_mtok").dollars()),
            outputPerToken: perToken(try m.required("output_per_mtok").dollars()),
            cachedInputPerToken: cached.map(perToken))
        return (price, nil)
    }

    private func tier(_ f: Field, defaults: TierPolicy, qualifiedModels: [String]) throws -> TierSpec {
        let m = try f.mapping(allowed: ["name", "models"] + Self.tierPolicyKeys + ["weights"])
        let modelsField = try m.required("models")
        let items = try modelsField.list()
        guard !items.isEmpty else { throw modelsField.error("a tier needs at least one model") }
        guard items.count <= 64 else { throw modelsField.error("a tier may list at most 64 models, found \(items.count)") }
        let models = try items.map { try resolveModel($0, qualifiedModels: qualifiedModels) }
        return TierSpec(
            name: try m.required("name").name(),
            models: models,
            policy: try tierPolicy(f, base: defaults, qualifiedModels: qualifiedModels, tierModels: models, gatewayWide: false))
    }

    /// A reference to a model: `provider/model`, or a model name only one provider offers.
    func resolveModel(_ item: Field, qualifiedModels: [String]) throws -> String {
        let ref = try item.text()
        if qualifiedModels.contains(ref) { return ref }
        let matches = qualifiedModels.filter { $0.hasSuffix("/\(ref)") && $0.split(separator: "/", maxSplits: 1)[1] == ref }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            throw item.error("model '\(ref)' is offered by several providers; write one of \(matches.joined(separator: ", "))")
        }
        // A misspelt unqualified name is compared with the model names alone; suggest it qualified.
        let bareNames = qualifiedModels.map { String($0.split(separator: "/", maxSplits: 1)[1]) }
        let suggestion = nearest(to: ref, in: qualifiedModels)
            ?? nearest(to: ref, in: bareNames).flatMap { bare in qualifiedModels[bareNames.firstIndex(of: bare)!] }
        throw item.error("no model '\(ref)'; models are named provider/model: \(qualifiedModels.joined(separator: ", "))",
                         suggestion: suggestion)
    }

    // MARK: Helpers

    func checkUnique(_ names: [String], in fields: [Field], what: String) throws {
        var seen = Set<String>()
        for (name, field) in zip(names, fields) where !seen.insert(name).inserted {
            throw field.error("duplicate \(what) name '\(name)'")
        }
    }

    /// Whether a distribution gives 0 (or less) with positive probability.
    private func canBeZero(_ spec: DistributionSpec) -> Bool {
        switch spec {
        case .constant(let v): v <= 0
        case .empirical(let values): values.contains { $0 <= 0 }
        default: false
        }
    }

    func seconds(_ nanos: Nanoseconds) -> String { "\(Double(nanos) / 1e9)s" }

    func formatPercent(_ fraction: Double) -> String {
        String(format: "%.4g%%", fraction * 100)
    }
}
