/// A model as the router sees it: who serves it, which data it may receive, how large a prompt fits.
public struct ModelEndpoint: Hashable, Sendable {
    /// Qualified name, `provider/model`.
    public var name: String
    public var provider: String
    /// The data classifications the provider is allowed to receive.
    public var allowedClassifications: ClassificationSet
    /// Largest prompt the model accepts, in tokens; `nil` when unlimited.
    public var contextWindowTokens: Int?
    public var price: ModelPrice

    public init(
        name: String, provider: String, allowedClassifications: ClassificationSet,
        contextWindowTokens: Int? = nil, price: ModelPrice
    ) {
        self.name = name
        self.provider = provider
        self.allowedClassifications = allowedClassifications
        self.contextWindowTokens = contextWindowTokens
        self.price = price
    }
}

/// Index of a model endpoint in the router's endpoint table.
public typealias EndpointID = Int

/// How a tier chooses among its candidate models.
public enum RoutingStrategy: String, CaseIterable, Sendable {
    /// The first eligible model in the tier's list; the next ones are the fallback chain.
    case priority
    /// At random, in proportion to the candidates' weights.
    case weighted
    /// The model with the fewest attempts in flight (ties: list order).
    case leastBusy = "least_busy"
    /// The model with the lowest moving average (EWMA) of observed latency, within a tolerance band.
    case latency
    /// The model for which this request's expected cost (its tokens × the model's prices) is lowest.
    case cost
}

/// A service tier: an ordered list of candidate models and the policy that routes among them.
public struct RoutingTier: Hashable, Sendable {
    public var name: String
    /// Candidate endpoints in preference order (at most 64).
    public var candidates: [EndpointID]
    public var policy: TierPolicy

    public init(name: String, candidates: [EndpointID], policy: TierPolicy = TierPolicy()) {
        self.name = name
        self.candidates = candidates
        self.policy = policy
    }

    public var strategy: RoutingStrategy { policy.strategy }
}
