import NexusGateway
import NexusScenario

/// A scenario compiled for the run loop: names resolved to indices, distributions to samplers.
///
/// Built once per scenario and shared (read-only) by all replications.
public struct SimulationPlan: Sendable {
    public struct Endpoint: Sendable {
        public var name: String
        public var provider: Int
        /// Position of the model within its provider (for outages that name models).
        public var modelIndex: Int
        public var price: ModelPrice
        public var timeToFirstToken: Sampler
        /// `nil`: output arrives with the first token.
        public var tokensPerSecond: Sampler?
        /// Background errors as cumulative shares: status i fails when the draw is below `errorCumulative[i]`.
        public var errorStatuses: [Int]
        public var errorCumulative: [Double]
        /// Share of attempts failing with any background error (the last cumulative share).
        public var errorRateTotal: Double
        public var retryAfterNanos: Nanoseconds
        public var contextWindowTokens: Int
        /// The provider's allowed classifications, straight from the scenario: the compliance check
        /// uses this, never the router's view.
        public var allowedClassifications: ClassificationSet
        public var limits: RateLimitSpec
        /// Prompt tokens processed per second before the first token; `nil`: TTFT ignores the prompt.
        public var prefillTokensPerSecond: Double?
        /// Share of answers that break off after some of their tokens.
        public var midStreamErrorRate: Double
    }

    public struct Provider: Sendable {
        public var name: String
        public var limits: RateLimitSpec
        public var fastFailureNanos: Nanoseconds
        public var spec: ProviderSpec
    }

    public struct RequestClass: Sendable {
        public var name: String
        public var tier: Int
        public var classification: DataClassification
        public var inputTokens: Sampler
        public var outputTokens: Sampler
        public var maxOutputTokens: Int
        /// Mean output (capped at the maximum), the `cost` strategy's estimate.
        public var expectedOutputTokens: Int
        /// Index of the class's cache class in `CacheClass.allCases` (the response cache's TTL index).
        public var cacheClass: Int
    }

    public var scenario: Scenario
    public var router: Router
    /// The gateway every replication starts from: the router, the scenario's response cache and budget guard,
    /// and the per-tier rules, with nothing observed yet.
    public var gateway: Gateway
    public var endpoints: [Endpoint]
    public var providers: [Provider]
    public var classes: [RequestClass]
    public var classShares: [Double]
    public var tierPolicies: [TierPolicy]
    /// Per tier, the policy fields the run loop reads on every request, as plain arrays.
    public var attemptTimeouts: [Nanoseconds?]
    public var deadlines: [Nanoseconds?]
    public var hedgeDelays: [Nanoseconds?]
    /// Per tier, its first candidate: the model whose prices value a cache hit's savings.
    public var tierFirstEndpoint: [Int]
    /// Number of teams the users belong to (user i in team i mod it); `nil`: requests carry no team.
    public var teamCount: Int?
    /// Whether the response cache has a semantic match (requests then carry their prompt's intent).
    public var hasSemanticCache: Bool
    /// The synthetic process's mean rate (before growth and spikes), requests per second.
    public var arrivalRatePerSecond: Double
    /// For a trace replay: what a full pass over the trace found, or why it cannot be replayed.
    public var trace: Result<TraceStats, TraceError>?

    public init(_ scenario: Scenario) {
        self.scenario = scenario
        let models = scenario.qualifiedModels
        providers = scenario.providers.map {
            Provider(name: $0.name, limits: $0.limits, fastFailureNanos: Nanoseconds(roundingSeconds: $0.fastFailureSeconds), spec: $0)
        }
        endpoints = models.map { m in
            let statuses = m.model.errorRates.keys.sorted()
            var cumulative: [Double] = []
            for status in statuses { cumulative.append((cumulative.last ?? 0) + m.model.errorRates[status]!) }
            return Endpoint(
                name: m.name,
                provider: scenario.providers.firstIndex { $0.name == m.provider.name }!,
                modelIndex: m.provider.models.firstIndex { $0.name == m.model.name }!,
                price: m.model.price,
                timeToFirstToken: Sampler(m.model.timeToFirstToken),
                tokensPerSecond: m.model.tokensPerSecond.map(Sampler.init),
                errorStatuses: statuses, errorCumulative: cumulative, errorRateTotal: cumulative.last ?? 0,
                retryAfterNanos: Nanoseconds(roundingSeconds: m.model.retryAfterSeconds),
                contextWindowTokens: m.model.contextWindowTokens ?? Int.max,
                allowedClassifications: m.provider.allowedClassifications,
                limits: m.model.limits,
                prefillTokensPerSecond: m.model.prefillTokensPerSecond,
                midStreamErrorRate: m.model.midStreamErrorRate)
        }
        let index = Dictionary(uniqueKeysWithValues: models.enumerated().map { ($1.name, $0) })
        let tiers = scenario.tiers.map { t in
            RoutingTier(name: t.name, candidates: t.models.map { index[$0]! }, policy: t.policy)
        }
        tierPolicies = scenario.tiers.map(\.policy)
        attemptTimeouts = tierPolicies.map(\.attemptTimeoutNanos)
        deadlines = tierPolicies.map(\.deadlineNanos)
        hedgeDelays = tierPolicies.map(\.hedgeAfterNanos)
        tierFirstEndpoint = tiers.map { $0.candidates[0] }
        teamCount = scenario.traffic.users?.teamCount
        hasSemanticCache = scenario.cache?.policy.semantic != nil
        router = Router(
            endpoints: models.map {
                ModelEndpoint(name: $0.name, provider: $0.provider.name,
                              allowedClassifications: $0.provider.allowedClassifications,
                              contextWindowTokens: $0.model.contextWindowTokens, price: $0.model.price)
            },
            tiers: tiers,
            circuitBreaker: scenario.routing.circuitBreaker,
            latencyWeight: scenario.routing.latencyEWMAWeight, litellm: scenario.routing.litellm)
        let tierIndex = Dictionary(uniqueKeysWithValues: scenario.tiers.enumerated().map { ($1.name, $0) })
        gateway = Gateway(
            router: router, cache: scenario.cache.map { ResponseCache(policy: $0.policy) },
            budget: scenario.budget.map { BudgetGuard(policy: $0.policy) }, overheadNanos: scenario.gateway.overheadNanos,
            downgradeTier: scenario.budget?.downgradeTier.flatMap { tierIndex[$0] },
            cacheBytesPerOutputToken: scenario.cache?.bytesPerOutputToken ?? 4,
            // The compliance check reads the providers' own configuration, never the router's view.
            compliance: endpoints.map(\.allowedClassifications))
        classes = scenario.traffic.classes.map { c in
            RequestClass(name: c.name, tier: tierIndex[c.tier]!, classification: c.classification,
                         inputTokens: Sampler(c.inputTokens), outputTokens: Sampler(c.outputTokens),
                         maxOutputTokens: c.maxOutputTokens,
                         expectedOutputTokens: Int(min(c.outputTokens.mean, Double(c.maxOutputTokens)).rounded()),
                         cacheClass: CacheClass.allCases.firstIndex(of: c.cacheClass)!)
        }
        classShares = scenario.traffic.classes.map(\.share)
        arrivalRatePerSecond = scenario.traffic.arrivals.meanRatePerSecond
        if let spec = scenario.traffic.trace {
            let names = scenario.traffic.classes.map(\.name)
            trace = Result(catching: { () throws(TraceError) -> TraceStats in try TraceStats.scan(spec, classNames: names) })
        }
    }
}
