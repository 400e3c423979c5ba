/// LiteLLM's router rules (`routing.mode: litellm`): every tier is a LiteLLM *model group*, its candidates the
/// group's deployments, and choice, retries, cooldowns and fallbacks follow LiteLLM's `Router` rather than
/// Nexus's own policy (circuit breakers, retries on the same model, the tier's list as fallback chain).
///
/// Ported from LiteLLM's source (BerriAI/litellm): `litellm/router.py` (`async_function_with_retries`,
/// `async_function_with_fallbacks`), `litellm/router_utils/get_retry_from_policy.py`
/// (`time_to_sleep_before_retry`), `litellm/router_utils/cooldown_handlers.py` (`_is_cooldown_required`,
/// `_should_cooldown_deployment`, `should_cooldown_based_on_allowed_fails_policy`), the strategies in
/// `litellm/router_strategy/` (`simple_shuffle.py`, `least_busy.py`, `lowest_latency.py`, `lowest_cost.py`,
/// `lowest_tpm_rpm_v2.py`) and the constants in `litellm/constants.py`.
public struct LiteLLMRouterSettings: Hashable, Sendable {
    /// `router_settings.routing_strategy`.
    public enum Strategy: String, CaseIterable, Hashable, Sendable {
        /// At random, weighted by the deployments' `weight`, else `rpm`, else `tpm` (decided by the first
        /// healthy deployment's parameters), else uniformly (`simple_shuffle.py`).
        case simpleShuffle = "simple-shuffle"
        /// The deployment with the fewest requests in flight (`least_busy.py`).
        case leastBusy = "least-busy"
        /// The lowest mean time per completion token over the last `maxLatencyListSize` answers (time to first
        /// token per token when streaming), within `lowestLatencyBuffer` of the best (`lowest_latency.py`).
        case latencyBased = "latency-based-routing"
        /// The lowest sum of unit prices, input plus output per token (`lowest_cost.py`).
        case costBased = "cost-based-routing"
        /// The lowest tokens used this minute among deployments under their rpm/tpm (`lowest_tpm_rpm_v2.py`).
        case usageBasedV2 = "usage-based-routing-v2"
    }

    /// LiteLLM's exception classes as `retry_policy` and `allowed_fails_policy` name them
    /// (`BadRequestErrorRetries`, `RateLimitErrorAllowedFails`, ...).
    public enum ErrorClass: String, CaseIterable, Hashable, Sendable {
        case badRequest = "BadRequestError"
        case authentication = "AuthenticationError"
        case timeout = "TimeoutError"
        case rateLimit = "RateLimitError"
        case contentPolicyViolation = "ContentPolicyViolationError"
        case internalServer = "InternalServerError"
    }

    /// A deployment's `litellm_params` that routing reads.
    public struct Deployment: Hashable, Sendable {
        public var weight: Double?
        /// Requests and tokens per minute the deployment is declared to take (`rpm`, `tpm`).
        public var rpm: Int?
        public var tpm: Int?
        /// The deployment's own `cooldown_time`, overriding the router's.
        public var cooldownNanos: Nanoseconds?

        public init(weight: Double? = nil, rpm: Int? = nil, tpm: Int? = nil, cooldownNanos: Nanoseconds? = nil) {
            self.weight = weight
            self.rpm = rpm
            self.tpm = tpm
            self.cooldownNanos = cooldownNanos
        }
    }

    public var strategy: Strategy
    /// Retries within the group after the first attempt (`num_retries`; LiteLLM's default is 2).
    public var numRetries: Int
    /// Retries per error class (`retry_policy`), overriding `numRetries` for that class.
    public var retryPolicy: [ErrorClass: Int]
    /// The least wait before a retry when one is needed (`retry_after`, default 0).
    public var retryAfterNanos: Nanoseconds
    /// `allowed_fails`; `nil` keeps LiteLLM's default (3), which selects the failure-share cooldown rule.
    /// Setting it (or `allowedFailsPolicy`) selects the legacy count rule, as in `_is_allowed_fails_set_on_router`.
    public var allowedFails: Int?
    public var allowedFailsPolicy: [ErrorClass: Int]?
    /// `cooldown_time` (default `DEFAULT_COOLDOWN_TIME_SECONDS`, 5 s).
    public var cooldownNanos: Nanoseconds
    public var disableCooldowns: Bool
    /// `enable_pre_call_checks`: skip deployments whose `max_input_tokens` the prompt exceeds (default off).
    public var preCallChecks: Bool
    /// Fallback groups (tier indices) per group, in order; an empty list falls back to `defaultFallbacks`.
    public var fallbacks: [[Int]]
    public var defaultFallbacks: [Int]
    /// Groups tried, in order, when a deployment answers that the prompt is too long.
    public var contextWindowFallbacks: [[Int]]
    /// At most this many fallback groups per request (`max_fallbacks`, `ROUTER_MAX_FALLBACKS` = 5).
    public var maxFallbacks: Int
    /// `routing_strategy_args.lowest_latency_buffer`: deployments within this share of the lowest latency are
    /// drawn from at random.
    public var lowestLatencyBuffer: Double
    /// `routing_strategy_args.max_latency_list_size` (10).
    public var maxLatencyListSize: Int
    /// Whether clients stream: the latency strategy then ranks by time to first token per completion token.
    public var stream: Bool
    /// Per endpoint (indexed by `EndpointID`); empty means no deployment parameters.
    public var deployments: [Deployment]

    public init(
        strategy: Strategy = .simpleShuffle, numRetries: Int = 2, retryPolicy: [ErrorClass: Int] = [:],
        retryAfterNanos: Nanoseconds = 0, allowedFails: Int? = nil, allowedFailsPolicy: [ErrorClass: Int]? = nil,
        cooldownNanos: Nanoseconds = LiteLLMRouterSettings.defaultCooldownNanos, disableCooldowns: Bool = false,
        preCallChecks: Bool = false, fallbacks: [[Int]] = [], defaultFallbacks: [Int] = [],
        contextWindowFallbacks: [[Int]] = [], maxFallbacks: Int = 5, lowestLatencyBuffer: Double = 0,
        maxLatencyListSize: Int = 10, stream: Bool = false, deployments: [Deployment] = []
    ) {
        self.strategy = strategy
        self.numRetries = numRetries
        self.retryPolicy = retryPolicy
        self.retryAfterNanos = retryAfterNanos
        self.allowedFails = allowedFails
        self.allowedFailsPolicy = allowedFailsPolicy
        self.cooldownNanos = cooldownNanos
        self.disableCooldowns = disableCooldowns
        self.preCallChecks = preCallChecks
        self.fallbacks = fallbacks
        self.defaultFallbacks = defaultFallbacks
        self.contextWindowFallbacks = contextWindowFallbacks
        self.maxFallbacks = maxFallbacks
        self.lowestLatencyBuffer = lowestLatencyBuffer
        self.maxLatencyListSize = maxLatencyListSize
        self.stream = stream
        self.deployments = deployments
    }

    // MARK: LiteLLM's constants (`litellm/constants.py`)

    /// `DEFAULT_COOLDOWN_TIME_SECONDS`.
    public static let defaultCooldownNanos: Nanoseconds = 5_000_000_000
    /// `DEFAULT_ALLOWED_FAILS`.
    public static let defaultAllowedFails = 3
    /// `DEFAULT_FAILURE_THRESHOLD_PERCENT`: a deployment failing more than this share of its calls in the
    /// current minute cools down.
    public static let failureThresholdShare = 0.5
    /// `DEFAULT_FAILURE_THRESHOLD_MINIMUM_REQUESTS`: calls in the minute before the share counts.
    public static let failureThresholdMinimumRequests = 5
    /// `SINGLE_DEPLOYMENT_TRAFFIC_FAILURE_THRESHOLD`: a group's only deployment cools down only when all of
    /// at least this many calls in the minute failed.
    public static let singleDeploymentFailureThreshold = 1000
    /// `INITIAL_RETRY_DELAY`, `MAX_RETRY_DELAY`, `JITTER` of `_calculate_retry_after`.
    public static let initialRetryDelaySeconds = 0.5
    public static let maxRetryDelaySeconds = 8.0
    public static let jitter = 0.75
    /// A `Retry-After` above this is not waited for (the backoff is used instead).
    public static let maxHonouredRetryAfterNanos: Nanoseconds = 60_000_000_000
    /// The latency recorded for a timed-out call, seconds per token (`lowest_latency.py`'s penalty).
    public static let timeoutLatencyPenalty = 1000.0

    // MARK: Derived rules

    /// The error class LiteLLM maps an attempt error to.
    public static func errorClass(of error: AttemptError) -> ErrorClass? {
        switch error {
        case .rateLimited: .rateLimit
        case .serverError: .internalServer
        case .timeout: .timeout
        case .connectionError: nil
        case .contextWindowExceeded: .badRequest
        }
    }

    /// The HTTP status LiteLLM sees for an attempt error (`litellm.Timeout` is 408); `nil` for a connection
    /// error, which carries none.
    public static func status(of error: AttemptError) -> Int? {
        switch error {
        case .rateLimited: 429
        case .serverError(let status): status
        case .timeout: 408
        case .connectionError: nil
        case .contextWindowExceeded: 400
        }
    }

    /// Retries allowed after `error` in one group (`get_num_retries_from_retry_policy`).
    public func retries(after error: AttemptError) -> Int {
        if let c = Self.errorClass(of: error), let n = retryPolicy[c] { return n }
        return numRetries
    }

    /// Whether the cooldown logic runs for this status at all (`_is_cooldown_required`): connection errors
    /// never; of the 4xx only 429, 401, 408 and 404; every other status does.
    public static func isCooldownRequired(status: Int?) -> Bool {
        guard let status else { return false }
        if (400..<500).contains(status) { return [429, 401, 408, 404].contains(status) }
        return true
    }

    /// `litellm._should_retry`: 408, 409, 429 and 5xx are worth retrying.
    public static func shouldRetry(status: Int) -> Bool {
        status == 408 || status == 409 || status == 429 || status >= 500
    }

    /// The wait before retry number `retryIndex` (0-based) when no other healthy deployment is left
    /// (`_calculate_retry_after`): the provider's `Retry-After` when it is in (0, 60 s], else
    /// `min(0.5 s · 2^retryIndex, 8 s) × 0.75 × draw`, never less than `retryAfterNanos`.
    public func backoff(retryIndex: Int, retryAfter: Nanoseconds?, draw: Double) -> Nanoseconds {
        // `_calculate_retry_after` (utils.py): a Retry-After in (0, 60 s] is obeyed as is, without the
        // router's `retry_after` floor, which applies to the backoff only.
        if let retryAfter, retryAfter > 0, retryAfter <= Self.maxHonouredRetryAfterNanos {
            return retryAfter
        }
        let sleep = min(Self.initialRetryDelaySeconds * Double(1 << min(max(retryIndex, 0), 30)), Self.maxRetryDelaySeconds)
        let timeout = Nanoseconds((sleep * Self.jitter * min(max(draw, 0), 1) * 1e9).rounded(.down))
        return max(timeout, retryAfterNanos)
    }

    /// The deployment parameters of `endpoint` (all `nil` when none were given).
    @inlinable
    public func deployment(_ endpoint: EndpointID) -> Deployment {
        endpoint < deployments.count ? deployments[endpoint] : Deployment()
    }
}
