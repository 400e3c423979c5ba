/// When and how long to wait before trying the same model again (LiteLLM `num_retries`, Portkey
/// `retry.on_status_codes`).
public struct RetryPolicy: Hashable, Sendable {
    /// Retries on the same model after the first attempt (0 disables retries).
    public var maxRetries: Int
    /// Backoff before retry k (0-based) is drawn uniformly from [0, min(maxBackoff, baseBackoff·2^k)]
    /// ("full jitter"), so that clients retrying together spread out.
    public var baseBackoffNanos: Nanoseconds
    public var maxBackoffNanos: Nanoseconds
    /// HTTP statuses that are retried (429 and 5xx by default).
    public var retryableStatuses: Set<Int>
    public var retryTimeouts: Bool
    public var retryConnectionErrors: Bool
    /// Wait at least the provider's `Retry-After` when it sent one.
    public var honorRetryAfter: Bool

    public init(
        maxRetries: Int = 2, baseBackoffNanos: Nanoseconds = 250_000_000, maxBackoffNanos: Nanoseconds = 8_000_000_000,
        retryableStatuses: Set<Int> = [429, 500, 502, 503, 504], retryTimeouts: Bool = true,
        retryConnectionErrors: Bool = true, honorRetryAfter: Bool = true
    ) {
        self.maxRetries = maxRetries
        self.baseBackoffNanos = baseBackoffNanos
        self.maxBackoffNanos = maxBackoffNanos
        self.retryableStatuses = retryableStatuses
        self.retryTimeouts = retryTimeouts
        self.retryConnectionErrors = retryConnectionErrors
        self.honorRetryAfter = honorRetryAfter
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxRetries: 0)

    public func isRetryable(_ error: AttemptError) -> Bool {
        switch error {
        case .rateLimited: retryableStatuses.contains(429)
        case .serverError(let status): retryableStatuses.contains(status)
        case .timeout: retryTimeouts
        case .connectionError: retryConnectionErrors
        case .contextWindowExceeded: false
        }
    }

    /// The wait before retry number `retryIndex` (0 for the first retry), given a uniform draw in [0, 1)
    /// and the provider's `Retry-After`. O(1).
    public func backoff(retryIndex: Int, draw: Double, retryAfter: Nanoseconds?) -> Nanoseconds {
        let exponent = min(retryIndex, 62)
        let ceiling = Double(baseBackoffNanos) * Double(1 << exponent)
        let capped = min(Double(maxBackoffNanos), ceiling)
        let jittered = Nanoseconds((capped * min(max(draw, 0), 1)).rounded(.down))
        if honorRetryAfter, let retryAfter { return max(jittered, retryAfter) }
        return jittered
    }
}

/// Per-endpoint circuit breaker settings: open when the failure share over a sliding window reaches
/// the threshold (with at least `minimumRequests` outcomes in the window), stay open for `cooldown`,
/// then let one probe through (half-open); the probe's outcome closes or reopens the breaker.
public struct CircuitBreakerPolicy: Hashable, Sendable {
    public var windowNanos: Nanoseconds
    public var minimumRequests: Int
    /// Failure share in (0, 1] that opens the breaker.
    public var failureThreshold: Double
    public var cooldownNanos: Nanoseconds

    public init(windowNanos: Nanoseconds = 60_000_000_000, minimumRequests: Int = 20,
                failureThreshold: Double = 0.5, cooldownNanos: Nanoseconds = 30_000_000_000) {
        self.windowNanos = windowNanos
        self.minimumRequests = minimumRequests
        self.failureThreshold = failureThreshold
        self.cooldownNanos = cooldownNanos
    }
}

/// How a tier routes: strategy, retries, fallbacks, timeouts and hedging.
public struct TierPolicy: Hashable, Sendable {
    public var strategy: RoutingStrategy
    /// Relative weights for `weighted`, one per candidate (default: equal).
    public var weights: [Double]?
    /// For `latency`: candidates whose latency estimate is within this share of the best are treated as
    /// equally fast and one of them is drawn at random (spreads load, like LiteLLM's latency buffer).
    public var latencyTolerance: Double
    public var retry: RetryPolicy
    /// After retries on a model are exhausted, try the tier's other candidates.
    public var fallbacks: Bool
    /// Models to try, in order, when a model answers that the prompt is too long for it.
    public var contextWindowFallbacks: [EndpointID]
    /// Check context windows before sending (LiteLLM `enable_pre_call_checks`). When off, an oversized
    /// prompt is sent and answered with a context-window error.
    public var preCallChecks: Bool
    /// Longest one attempt may take (to its last token); `nil` means no limit.
    public var attemptTimeoutNanos: Nanoseconds?
    /// Longest the whole request may take from arrival; `nil` means no limit.
    public var deadlineNanos: Nanoseconds?
    /// Send a second attempt to another model when the first has not answered after this long;
    /// `nil` disables hedging. Both attempts are paid for.
    public var hedgeAfterNanos: Nanoseconds?

    public init(
        strategy: RoutingStrategy = .priority, weights: [Double]? = nil, latencyTolerance: Double = 0.1,
        retry: RetryPolicy = RetryPolicy(), fallbacks: Bool = true, contextWindowFallbacks: [EndpointID] = [],
        preCallChecks: Bool = true, attemptTimeoutNanos: Nanoseconds? = nil, deadlineNanos: Nanoseconds? = nil,
        hedgeAfterNanos: Nanoseconds? = nil
    ) {
        self.strategy = strategy
        self.weights = weights
        self.latencyTolerance = latencyTolerance
        self.retry = retry
        self.fallbacks = fallbacks
        self.contextWindowFallbacks = contextWindowFallbacks
        self.preCallChecks = preCallChecks
        self.attemptTimeoutNanos = attemptTimeoutNanos
        self.deadlineNanos = deadlineNanos
        self.hedgeAfterNanos = hedgeAfterNanos
    }
}
