import NexusGateway

/// Everything one replication measured, as defined in DESIGN "Metrics".
///
/// Counts cover requests that arrived after the warm-up and finished before the end of the run.
public struct RunSummary: Sendable, Codable {
    public var scenarioName: String
    /// The run seed of this replication.
    public var seed: UInt64
    public var replication: Int

    public var requests = 0
    public var succeeded = 0
    /// Errors, timeouts, queue timeouts, no route.
    public var failed = 0
    /// Refused by policy (budget block).
    public var rejected = 0
    /// Counted-window requests still in flight when the run ended (not in `requests`).
    public var unfinished = 0
    /// Failed and rejected requests by reason, indexed like `FailureReason.allCases`.
    public var outcomes = [Int](repeating: 0, count: FailureReason.allCases.count)

    /// Arrival to last token, answered requests.
    public var latency = LatencyHistogram()
    /// Arrival to first token, answered requests.
    public var ttft = LatencyHistogram()

    public var infrastructureCost = USD.zero
    public var byModel: [ModelStats] = []
    /// Counted requests answered from the response cache, and counted lookups that missed.
    public var cacheHits = 0
    public var cacheMisses = 0
    /// What the cache hits would have cost at their tier's first model's prices.
    public var cacheSaved = USD.zero
    /// Semantic cache (counted requests whose exact lookup missed): matches to the right intent, matches to
    /// another intent's answer (wrong answers), misses; the embeddings' cost (part of ``totalCost``) and the
    /// model cost the matched answers saved. `nil` without a semantic cache (and in summaries stored before it).
    public var semanticHits: Int?
    public var semanticFalseHits: Int?
    public var semanticMisses: Int?
    public var semanticEmbeddingCost: USD?
    public var semanticSaved: USD?
    /// Prompt tokens of billed attempts at providers with a prompt-prefix cache, those served from it, and
    /// what the cached-input price saved on them.
    public var promptCacheInputTokens = 0
    public var promptCacheCachedTokens = 0
    public var promptCacheSaved = USD.zero
    /// The cache's own counters per cache class (whole run, warm-up included).
    public var cacheByClass: [CacheClassStats] = []
    /// Attempts served by a provider the request's classification forbids; checked independently of the router.
    public var complianceViolations = 0
    /// Fewest and most instances the autoscaler owned (starting and ready) during the run.
    public var minInstances = 0
    public var maxInstances = 0
    /// Every change of the instance count the autoscaler made, in time order.
    public var scaleEvents: [ScaleEvent] = []
    /// Instance-hours billed from the end of the warm-up to the end of the run (starting, ready and
    /// draining instances); × `gateway.instance_price` = `infrastructureCost`.
    public var instanceHours = 0.0

    public var series: TimeSeries
    /// What the traffic source produced: token totals, conversations, users, skipped trace rows.
    public var traffic = TrafficStats()
    /// For a live load (`nexus-sim load`): the load generator's own figures; `nil` for a simulation.
    public var live: LiveStats?

    /// Cost of counted requests by tier (the tier they were routed in), indexed like the scenario's tiers.
    public var costByTier: [USD] = []
    /// Counted requests by request class (indexed like the scenario's classes): outcomes, latency, TTFT, cost.
    public var byClass: [RequestGroupStats] = []
    /// The same by tier (indexed like the scenario's tiers): each tier's classes merged when the run ends, so a
    /// request the budget downgrades stays in its class's tier here (``costByTier`` follows the routed tier).
    public var byTier: [RequestGroupStats] = []
    /// Requests the budget's `downgrade` action moved to the cheaper tier.
    public var downgraded = 0
    /// Budget alerts in the order they fired (warm-up included: budgets count every request).
    public var budgetAlerts: [BudgetAlert] = []
    /// First time a budget limit refused a request (or, with action `alert`, was reached).
    public var budgetExhaustedAt: Nanoseconds?
    public var budgetExhaustedWindow: BudgetWindowKind?
    /// First exhaustion of each kind of window.
    public var budgetExhaustedAtByWindow: [BudgetWindowKind: Nanoseconds] = [:]
    /// Spend above a limit (0 for hard limits).
    public var overspend = USD.zero
    /// Attempts whose `max_tokens` the budget's `clamp` reservation lowered; `nil` in summaries stored before
    /// it was counted.
    public var budgetClampedAttempts: Int?
    /// Settled spend of the first budget window that ran out, as a share of its limit, at the end of the run;
    /// `nil` when none ran out.
    public var budgetUsedShareAtExhaustion: Double?
    /// Users whose monthly cap was reached.
    public var usersAtCap = 0
    /// Those users' ids, ascending (with a Zipf population, id 0 is the most active user); `nil` in
    /// summaries stored before the ids were kept.
    public var usersAtCapIDs: [Int]?
    /// Settled spend per local calendar day, in day order.
    public var dailySpend: [DailySpend] = []

    /// Work done, for the benchmark: every arrival (warm-up included) and every event processed.
    public var requestsSimulated = 0
    public var eventsProcessed = 0
    /// Most requests in flight at once (slab high-water mark).
    public var peakRequestsInFlight = 0
    /// Simulated time at which the run ended.
    public var endedAtNanos: Nanoseconds = 0

    public init(scenarioName: String, seed: UInt64, replication: Int, seriesWindowNanos: Nanoseconds) {
        self.scenarioName = scenarioName
        self.seed = seed
        self.replication = replication
        self.series = TimeSeries(windowNanos: seriesWindowNanos)
    }

    public func count(_ reason: FailureReason) -> Int {
        // A summary stored before a reason existed has no counter for it.
        reason.index < outcomes.count ? outcomes[reason.index] : 0
    }

    /// Sum of the models' costs: every attempt of a counted request, failed ones included.
    public var modelCost: USD { byModel.reduce(.zero) { $0 + $1.cost } }
    public var totalCost: USD { modelCost + infrastructureCost + (semanticEmbeddingCost ?? .zero) }

    public var availability: Double { requests == 0 ? .nan : Double(succeeded) / Double(requests) }
    public var errorRate: Double { requests == 0 ? .nan : Double(failed) / Double(requests) }
    public var costPerRequest: USD { USD(requests == 0 ? .nan : totalCost.dollars / Double(requests)) }
    /// Conversations finished: counted requests that were their conversation's last turn (a single-turn
    /// request is a conversation of one turn).
    public var conversations: Int { traffic.conversations }
    public var costPerConversation: USD { USD(conversations == 0 ? .nan : totalCost.dollars / Double(conversations)) }
    public var cacheHitRate: Double {
        cacheHits + cacheMisses == 0 ? 0 : Double(cacheHits) / Double(cacheHits + cacheMisses)
    }
}

/// One scaling action: at `atNanos` the autoscaler changed its instance count from `from` to `to`.
public struct ScaleEvent: Hashable, Sendable, Codable {
    public var atNanos: Nanoseconds
    public var from: Int
    public var to: Int
    public var reason: String
    public init(atNanos: Nanoseconds, from: Int, to: Int, reason: String) {
        self.atNanos = atNanos
        self.from = from
        self.to = to
        self.reason = reason
    }
}

/// Settled spend of one local calendar day.
public struct DailySpend: Hashable, Sendable, Codable {
    /// Day number since 1970-01-01 in the budget's time zone.
    public var day: Int64
    public var spend: USD
    public init(day: Int64, spend: USD) {
        self.day = day
        self.spend = spend
    }
}
