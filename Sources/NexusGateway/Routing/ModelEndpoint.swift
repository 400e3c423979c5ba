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
}

/// A service tier: an ordered list of candidate models and the strategy that picks among them.
public struct RoutingTier: Hashable, Sendable {
    public var name: String
    public var strategy: RoutingStrategy
    /// Candidate endpoints in preference order.
    public var candidates: [EndpointID]

    public init(name: String, strategy: RoutingStrategy = .priority, candidates: [EndpointID]) {
        self.name = name
        self.strategy = strategy
        self.candidates = candidates
    }
}
