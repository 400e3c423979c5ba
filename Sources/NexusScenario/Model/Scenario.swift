import NexusGateway

/// A validated scenario: every unit resolved, every cross-reference checked.
///
/// Produced by ``ScenarioLoader``; consumed by the simulator. Times are integer nanoseconds,
/// money is ``USD``, shares and probabilities are fractions in [0, 1].
public struct Scenario: Sendable {
    public var name: String
    public var description: String
    /// The scenario file's path as given, or `nil` for text loaded from memory.
    public var sourcePath: String?
    /// The scenario's text exactly as read (stored with every run, hashed for provenance).
    public var sourceText: String
    /// Declared parameters with the values used for this load (defaults unless set with `--param`).
    public var parameters: [ParameterValue]
    /// `--set` overrides applied, in order.
    public var overrides: [Override]

    public var simulation: SimulationSettings
    public var gateway: GatewaySpec
    /// Gateway-wide routing settings (circuit breakers, latency averaging).
    public var routing: RoutingSpec
    /// Spending limits, alerts and the action on exhaustion; `nil` when the scenario has no budget.
    public var budget: BudgetSpec?
    /// The gateway's response cache; `nil` when the scenario has none.
    public var cache: CacheSpec?
    public var providers: [ProviderSpec]
    public var tiers: [TierSpec]
    public var traffic: TrafficSpec
    /// Service-level targets from the `targets:` block, checked by `nexus-sim gate`.
    public var targets: [TargetSpec] = []
    /// The files this scenario `extends:`, nearest first (empty when it extends none); with ``sourceText``
    /// they are everything the scenario was read from.
    public var baseSources: [ScenarioSource] = []
    /// Problems that do not stop the scenario from running but make part of it pointless (a request class
    /// that no model may serve, say), found when it was loaded.
    public var warnings: [ScenarioWarning] = []
}

/// A parameter declared under `parameters:` and the value it took.
public struct ParameterValue: Hashable, Sendable {
    public var name: String
    public var value: String
    public var defaultValue: String
    public var description: String
}

/// A `--set dotted.path=value` override.
public struct Override: Hashable, Sendable {
    public var path: String
    public var value: String
    /// The flag as the user typed it, when it was not `--set PATH=VALUE` (e.g. `--trace FILE`): errors name it.
    public var flag: String?
    public init(path: String, value: String, flag: String? = nil) {
        self.path = path
        self.value = value
        self.flag = flag
    }

    /// An override is its path and value; the flag it was typed as only shapes messages.
    public static func == (a: Override, b: Override) -> Bool { a.path == b.path && a.value == b.value }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(path)
        hasher.combine(value)
    }
}

public struct SimulationSettings: Hashable, Sendable {
    /// Replications a scenario, `--replications` or `--max-replications` may ask for: each keeps its run
    /// summary (series included) in memory until the experiment ends.
    public static let replicationRange = 1...10_000
    /// Worker threads `--threads` may ask for.
    public static let threadRange = 1...1024

    /// Arrivals are generated in [0, duration).
    public var durationNanos: Nanoseconds
    /// Requests arriving before this are simulated but not counted.
    public var warmupNanos: Nanoseconds
    /// After the last arrival, how long in-flight requests may still finish and be counted.
    public var drainNanos: Nanoseconds
    public var seed: UInt64
    public var replications: Int
    /// Width of a time-series window.
    public var seriesWindowNanos: Nanoseconds
    /// How the warm-up is chosen: the fixed `warmupNanos`, or MSER-5 on a pilot replication's series.
    public var warmupMethod: WarmupMethod = .fixed
    /// The calendar instant of simulated time 0, nanoseconds since 1970-01-01T00:00:00Z (budget windows,
    /// dates in forecasts).
    public var startEpochNanos: Int64 = 0
}

/// A scenario's response cache: the gateway's ``ResponseCachePolicy`` (TTLs indexed like
/// `CacheClass.allCases`) and the size of a cached response per output token.
public struct CacheSpec: Hashable, Sendable {
    public var policy: ResponseCachePolicy
    public var bytesPerOutputToken: Int
}

/// A scenario's budget: the gateway's ``BudgetPolicy`` and, for action `downgrade`, the tier to downgrade to.
public struct BudgetSpec: Hashable, Sendable {
    public var policy: BudgetPolicy
    /// Tier that requests are routed to when their own tier's models no longer fit the budget.
    public var downgradeTier: String?
    /// Whether the scenario names its `reservation`: its report then has the reservation figures
    /// (`reservation`, `refused_share`, `used_share_at_exhaustion`, `clamped_attempts`), and a scenario that
    /// does not keeps the report it had before they existed.
    public var namesReservation = false
}

/// How the warm-up period (requests simulated but not counted) is chosen.
public enum WarmupMethod: String, Hashable, Sendable {
    /// `simulation.warmup: 10m`: a fixed period.
    case fixed
    /// `simulation.warmup: mser5`: MSER-5 (White, 1997) on the per-window mean latency of a pilot replication.
    case mser5

    /// MSER-5 batches windows by five and truncates at most half of the batches; fewer windows than this
    /// give it too little to work with.
    public static let mser5MinimumWindows: Int64 = 50
}

public struct GatewaySpec: Hashable, Sendable {
    public var instances: Int
    /// Requests one instance serves at once (it holds the slot for the whole upstream call).
    public var concurrencyPerInstance: Int
    /// Gateway work per request (routing, serialisation), added to the request's latency.
    public var overheadNanos: Nanoseconds
    /// Longest gateway queue; `nil` means unbounded.
    public var queueLimit: Int?
    /// Longest wait in the gateway queue before the request fails with `queue_timeout`; `nil` means none.
    public var queueTimeoutNanos: Nanoseconds?
    /// vCPUs of one instance (the CPU request, for CPU %).
    public var vcpus: Double = 1
    /// CPU time one request costs its instance (routing, caching, (de)serialisation); feeds CPU %.
    public var cpuPerRequestNanos: Nanoseconds = 0
    /// Memory of an instance: `memoryBaseMiB + memoryPerRequestMiB × in-flight`, out of `memoryLimitMiB`.
    public var memoryLimitMiB: Double = 2048
    public var memoryBaseMiB: Double = 256
    public var memoryPerRequestMiB: Double = 0
    /// How long a new instance takes before it serves (image pull, boot, readiness probe).
    public var startupNanos: Nanoseconds = 0
    /// Price of one instance-hour (billed from launch until drained); feeds `cost_usd.infrastructure`.
    public var instancePricePerHour: USD = .zero
    /// The autoscaler; `nil`: a fixed number of instances.
    public var autoscaling: AutoscalingSpec?
    /// How arrivals are spread over the instances.
    public var loadBalancing: LoadBalancing = .globalQueue
    /// How long an instance removed by a scale-in may finish its requests before they fail with
    /// `instance_terminated` (Kubernetes' `terminationGracePeriodSeconds`, default 30 s).
    public var terminationGraceNanos: Nanoseconds = 30_000_000_000
}

/// How the gateway's load balancer assigns an arriving request to an instance.
public enum LoadBalancing: String, CaseIterable, Hashable, Sendable {
    /// One FIFO queue shared by every instance; a free slot anywhere takes the oldest request (a worker pool,
    /// or one process with a shared accept queue).
    case globalQueue = "global_queue"
    /// A uniformly random ready instance, regardless of its load (kube-proxy's default iptables and nftables
    /// modes); each instance queues its own requests.
    case random
    /// Ready instances in turn (IPVS `rr`, NGINX's default).
    case roundRobin = "round_robin"
    /// The ready instance with the fewest requests in flight or queued (IPVS `lc`, NGINX `least_conn`, Envoy
    /// `LEAST_REQUEST`); ties in turn.
    case leastConnections = "least_connections"
}

/// The gateway's autoscaler: which policy, evaluated how often.
public struct AutoscalingSpec: Hashable, Sendable {
    /// Time between evaluations (the HPA's `--horizontal-pod-autoscaler-sync-period`).
    public var intervalNanos: Nanoseconds
    public var policy: AutoscalingPolicy
    /// How the HPA's resource metrics (CPU, memory) are collected; `nil`: each evaluation sees every instance's
    /// CPU averaged over exactly the interval just ended, and its memory now.
    public var metricsServer: MetricsServerSpec? = nil
}

/// Kubernetes' metrics-server between the instances and the HPA: every `resolutionNanos` it scrapes each
/// pod's cumulative CPU counter and memory, and publishes the CPU rate between its last two scrapes
/// (kubernetes-sigs/metrics-server, FAQ "How CPU usage is calculated"). The HPA reads the newest published
/// scrape, which becomes visible `lagNanos` after it was taken (kubelet and cAdvisor sample age, API
/// latency). A pod not in both scrapes of the window has no metric yet (the replica calculator's missing pods).
public struct MetricsServerSpec: Hashable, Sendable {
    /// Time between scrapes, metrics-server's `--metric-resolution` (15 s in its released manifests).
    public var resolutionNanos: Nanoseconds = 15_000_000_000
    /// How long after a scrape its values are what the HPA reads.
    public var lagNanos: Nanoseconds = 0

    public init(resolutionNanos: Nanoseconds = 15_000_000_000, lagNanos: Nanoseconds = 0) {
        self.resolutionNanos = resolutionNanos
        self.lagNanos = lagNanos
    }
}

public struct ProviderSpec: Hashable, Sendable {
    public var name: String
    public var allowedClassifications: ClassificationSet
    public var models: [ModelSpec]
    /// Limits shared by all of the provider's models (an account's limits).
    public var limits: RateLimitSpec
    /// Scheduled outage windows.
    public var outages: [OutageSpec]
    /// Random failures: alternating up and down periods, exponentially distributed.
    public var randomOutages: RandomOutageSpec?
    /// How long a fast failure takes to come back: connection errors, 429s from limits, 400s. Seconds.
    public var fastFailureSeconds: Double
    /// The provider's prompt-prefix cache; `nil` when it has none.
    public var promptCache: PromptCacheSpec? = nil
    /// How the provider slows down under load; `nil`: it does not.
    public var loadSlowdown: LoadSlowdownSpec? = nil
    /// The live gateway's upstream for this provider: an OpenAI-compatible API root such as
    /// `https://api.openai.com/v1` (chat completions at `<base_url>/chat/completions`); `nil` when not set.
    public var baseURL: String? = nil
    /// The environment variable holding the upstream API key; the key itself is never in a scenario.
    public var apiKeyEnvironmentVariable: String? = nil
}

/// A provider's prompt-prefix cache: prompts in blocks of `blockTokens`, a block kept `ttlNanos` after its
/// last use (`nil`: for ever).
public struct PromptCacheSpec: Hashable, Sendable {
    public var blockTokens: Int
    public var ttlNanos: Nanoseconds?
}

/// Request and token limits, answered with 429 and `Retry-After` when exceeded. Per-minute limits are token
/// buckets by default (refilled continuously, as Anthropic and OpenAI enforce them) or fixed calendar minutes;
/// requests per day are counted per UTC calendar day.
public struct RateLimitSpec: Hashable, Sendable {
    public var requestsPerMinute: Int?
    /// Prompt tokens plus `max_tokens`, as OpenAI estimates a request's token usage.
    public var tokensPerMinute: Int?
    /// Prompt tokens not served from the prompt cache (Anthropic's ITPM).
    public var inputTokensPerMinute: Int?
    /// `max_tokens` when admitted, corrected to the tokens produced when the call ends (Anthropic's OTPM).
    public var outputTokensPerMinute: Int?
    public var requestsPerDay: Int?
    /// Attempts in flight at once; over the cap the provider answers 429 without `Retry-After`.
    public var concurrency: Int?
    /// How per-minute limits are counted.
    public var algorithm: RateLimitAlgorithm
    /// How much refill a full token bucket holds: a bucket of limit `L` per minute holds `L × burst / 1 min`.
    public var burstNanos: Nanoseconds

    /// A token bucket's default burst: a whole minute's limit.
    public static let defaultBurstNanos: Nanoseconds = 60_000_000_000

    public init(requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, inputTokensPerMinute: Int? = nil,
                outputTokensPerMinute: Int? = nil, requestsPerDay: Int? = nil, concurrency: Int? = nil,
                algorithm: RateLimitAlgorithm = .tokenBucket, burstNanos: Nanoseconds = RateLimitSpec.defaultBurstNanos) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.inputTokensPerMinute = inputTokensPerMinute
        self.outputTokensPerMinute = outputTokensPerMinute
        self.requestsPerDay = requestsPerDay
        self.concurrency = concurrency
        self.algorithm = algorithm
        self.burstNanos = burstNanos
    }

    public var isUnlimited: Bool {
        requestsPerMinute == nil && tokensPerMinute == nil && inputTokensPerMinute == nil && outputTokensPerMinute == nil
            && requestsPerDay == nil && concurrency == nil
    }
}

/// How a per-minute limit is counted.
public enum RateLimitAlgorithm: String, CaseIterable, Hashable, Sendable {
    /// Continuously refilled buckets (Anthropic, OpenAI).
    case tokenBucket = "token_bucket"
    /// Counts per calendar minute, reset at each minute boundary.
    case fixedWindow = "fixed_window"
}

/// A provider slowing down under load: with `n` calls in flight when a call is sent (itself included), its
/// time to first token is multiplied and its generation speed divided by `max(1, n / concurrency)^exponent`
/// (exponent 1: processor sharing among `concurrency` full-speed servers, evaluated at dispatch).
public struct LoadSlowdownSpec: Hashable, Sendable {
    public var concurrency: Int
    public var exponent: Double

    public init(concurrency: Int, exponent: Double = 1) {
        self.concurrency = concurrency
        self.exponent = exponent
    }
}

/// What an outage does to the calls that arrive during it.
public enum OutageMode: String, CaseIterable, Hashable, Sendable {
    /// Fast connection errors.
    case down
    /// Latency multiplied by `latencyFactor`; a share `errorRate` of calls fail with 503.
    case degraded
    /// A share `errorRate` of calls is answered 429 with `Retry-After`.
    case throttled
}

public struct OutageEffect: Hashable, Sendable {
    public var mode: OutageMode
    public var latencyFactor: Double
    public var errorRate: Double
    /// `Retry-After` sent with throttled 429s, seconds.
    public var retryAfterSeconds: Double
}

/// A scheduled outage window of a whole provider or of some of its models.
public struct OutageSpec: Hashable, Sendable {
    public var startNanos: Nanoseconds
    public var durationNanos: Nanoseconds
    public var effect: OutageEffect
    /// Model names (within the provider) affected; `nil` means all.
    public var models: [String]?
}

/// Random outages: the provider alternates between up periods (mean `mtbf`) and outages (mean `mttr`),
/// both exponentially distributed.
public struct RandomOutageSpec: Hashable, Sendable {
    public var meanTimeBetweenFailuresNanos: Nanoseconds
    public var meanTimeToRepairNanos: Nanoseconds
    public var effect: OutageEffect
}

/// Routing settings that apply to the whole gateway.
public struct RoutingSpec: Hashable, Sendable {
    /// Circuit breaker for every model endpoint; `nil` disables breakers.
    public var circuitBreaker: CircuitBreakerPolicy?
    /// Weight of the newest observation in the latency moving average used by the `latency` strategy.
    public var latencyEWMAWeight: Double
    /// `routing.mode: litellm`: LiteLLM's router rules (tiers are model groups); `nil` in Nexus mode.
    public var litellm: LiteLLMRouterSettings? = nil
    /// Per qualified model, the LiteLLM `litellm_params` kept for `export litellm` (model, api_base, api_key, ...).
    public var litellmParams: [String: [String: String]] = [:]
}

public struct ModelSpec: Hashable, Sendable {
    /// Name within the provider; the qualified name is `provider/name`.
    public var name: String
    public var price: ModelPrice
    /// Largest prompt accepted, in tokens; `nil` means unlimited.
    public var contextWindowTokens: Int?
    /// Time to first token, seconds.
    public var timeToFirstToken: DistributionSpec
    /// Generation speed, tokens per second; `nil` means output arrives with the first token.
    public var tokensPerSecond: DistributionSpec?
    /// Background errors: share of attempts answered with each HTTP status (after the time to first token).
    public var errorRates: [Int: Double]
    /// Per-model limits (in addition to the provider's).
    public var limits: RateLimitSpec
    /// `Retry-After` sent with background 429s, seconds.
    public var retryAfterSeconds: Double
    /// Prompt tokens processed per second before the first token (TTFT = drawn `ttft` + uncached prompt
    /// tokens / rate); `nil`: the time to first token does not depend on the prompt.
    public var prefillTokensPerSecond: Double? = nil
    /// Share of answers that break off after some of their tokens (billed, failed).
    public var midStreamErrorRate: Double = 0

    /// Total share of attempts that fail with a background error.
    public var errorRate: Double { errorRates.values.reduce(0, +) }
}

public struct TierSpec: Hashable, Sendable {
    public var name: String
    /// Qualified model names (`provider/model`) in preference order.
    public var models: [String]
    /// Strategy, retries, fallbacks, timeouts and hedging; context-window fallbacks are endpoint indices
    /// into ``Scenario/qualifiedModels``.
    public var policy: TierPolicy

    public var strategy: RoutingStrategy { policy.strategy }
}

extension Scenario {
    /// Every model of every provider with its qualified name, in declaration order.
    public var qualifiedModels: [(name: String, provider: ProviderSpec, model: ModelSpec)] {
        providers.flatMap { p in p.models.map { ("\(p.name)/\($0.name)", p, $0) } }
    }
}
