import NexusGateway
import NexusScenario

/// A scenario compiled for the run loop: names resolved to indices, distributions to samplers.
///
/// Built once per scenario and shared (read-only) by all replications.
public struct SimulationPlan: Sendable {
    public struct Endpoint: Sendable {
        public var name: String
        public var provider: String
        public var price: ModelPrice
        public var timeToFirstToken: Sampler
        /// `nil`: output arrives with the first token.
        public var tokensPerSecond: Sampler?
        public var errorRate: Double
        /// The provider's allowed classifications, straight from the scenario: the compliance check
        /// uses this, never the router's view.
        public var allowedClassifications: ClassificationSet
    }

    public struct RequestClass: Sendable {
        public var name: String
        public var tier: Int
        public var classification: DataClassification
        public var inputTokens: Sampler
        public var outputTokens: Sampler
        public var maxOutputTokens: Int
    }

    public var scenario: Scenario
    public var router: Router
    public var endpoints: [Endpoint]
    public var classes: [RequestClass]
    public var classShares: [Double]
    public var arrivalRatePerSecond: Double

    public init(_ scenario: Scenario) {
        self.scenario = scenario
        let models = scenario.qualifiedModels
        endpoints = models.map { m in
            Endpoint(
                name: m.name, provider: m.provider.name, price: m.model.price,
                timeToFirstToken: Sampler(m.model.timeToFirstToken),
                tokensPerSecond: m.model.tokensPerSecond.map(Sampler.init),
                errorRate: m.model.errorRate,
                allowedClassifications: m.provider.allowedClassifications)
        }
        let index = Dictionary(uniqueKeysWithValues: models.enumerated().map { ($1.name, $0) })
        let tiers = scenario.tiers.map { t in
            RoutingTier(name: t.name, strategy: t.strategy, candidates: t.models.map { index[$0]! })
        }
        router = Router(
            endpoints: models.map {
                ModelEndpoint(name: $0.name, provider: $0.provider.name,
                              allowedClassifications: $0.provider.allowedClassifications,
                              contextWindowTokens: $0.model.contextWindowTokens, price: $0.model.price)
            },
            tiers: tiers)
        let tierIndex = Dictionary(uniqueKeysWithValues: scenario.tiers.enumerated().map { ($1.name, $0) })
        classes = scenario.traffic.classes.map { c in
            RequestClass(name: c.name, tier: tierIndex[c.tier]!, classification: c.classification,
                         inputTokens: Sampler(c.inputTokens), outputTokens: Sampler(c.outputTokens),
                         maxOutputTokens: c.maxOutputTokens)
        }
        classShares = scenario.traffic.classes.map(\.share)
        switch scenario.traffic.arrivals {
        case .poisson(let rate): arrivalRatePerSecond = rate
        }
    }
}
