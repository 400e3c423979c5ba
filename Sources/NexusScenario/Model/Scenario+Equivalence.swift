extension Scenario {
    /// Whether a run of `other` simulates exactly what a run of this scenario does: the same settings,
    /// gateway, routing, budget, cache, providers, tiers and traffic. Name, description, parameters,
    /// overrides, source text and targets are left out: they change what is said about a run, not the run.
    /// (Used to catch sweep points that differ only in a name that changes nothing.)
    public func simulatesSame(as other: Scenario) -> Bool {
        simulation == other.simulation && gateway == other.gateway && routing == other.routing
            && budget == other.budget && cache == other.cache && providers == other.providers
            && tiers == other.tiers && traffic == other.traffic
    }
}
