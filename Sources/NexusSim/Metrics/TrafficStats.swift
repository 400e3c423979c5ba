/// Traffic measurements of one replication.
public struct TrafficStats: Sendable, Codable {
    /// Prompt and output tokens of every arrival (warm-up included), as the traffic source produced them.
    public var inputTokens = 0
    public var outputTokens = 0
    /// Counted requests that ended their conversation.
    public var conversations = 0
    /// Trace rows left out as malformed (policy `skip`; a looped trace counts each pass).
    public var skippedRows = 0
    public var users = UserCosts(population: 0)

    public init() {}

    /// Cost per user over the counted requests: an array indexed by user id (memory: the population).
    public struct UserCosts: Sendable, Codable {
        /// Users in the population (or distinct users in the trace).
        public var population: Int
        public private(set) var costs: [Double]
        public private(set) var requests: [Int32]

        public init(population: Int) {
            self.population = population
            costs = Array(repeating: 0, count: population)
            requests = Array(repeating: 0, count: population)
        }

        package mutating func add(_ dollars: Double, user: Int) {
            if user >= costs.count {
                let grow = max(user + 1 - costs.count, costs.count)
                costs.append(contentsOf: repeatElement(0, count: grow))
                requests.append(contentsOf: repeatElement(0, count: grow))
            }
            costs[user] += dollars
            requests[user] += 1
        }

        /// Adds `other`'s costs and requests user by user (the same population, split over load shards).
        package mutating func merge(_ other: UserCosts) {
            population = max(population, other.population)
            if other.costs.count > costs.count {
                costs.append(contentsOf: repeatElement(0, count: other.costs.count - costs.count))
                requests.append(contentsOf: repeatElement(0, count: other.costs.count - requests.count))
            }
            for u in other.costs.indices {
                costs[u] += other.costs[u]
                requests[u] += other.requests[u]
            }
        }

        /// Users with at least one counted request.
        public var active: Int { requests.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }

        /// Costs of the active users, ascending.
        public var activeCosts: [Double] { zip(costs, requests).compactMap { $1 > 0 ? $0 : nil }.sorted() }

        public var maxCost: Double { activeCosts.last ?? .nan }

        /// The p-th percentile (nearest rank) of the active users' costs.
        public func percentileCost(_ p: Double) -> Double {
            let sorted = activeCosts
            guard !sorted.isEmpty else { return .nan }
            let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
            return sorted[min(max(rank, 1), sorted.count) - 1]
        }

        public var meanCost: Double {
            let a = activeCosts
            return a.isEmpty ? .nan : a.reduce(0, +) / Double(a.count)
        }
    }
}
