/// What LiteLLM's router remembers about one deployment: the current minute's counters, the cooldown, the
/// legacy failure counter and the latency samples. Constant memory.
///
/// Minutes are whole minutes of the clock passed in (`now / 60 s`), as LiteLLM keys its counters by the
/// UTC minute (`%H-%M`).
public struct LiteLLMDeploymentState: Hashable, Sendable {
    public private(set) var minute: Int64 = .min
    /// Successful and failed calls this minute (`track_deployment_metrics.py`).
    public private(set) var successesThisMinute = 0
    public private(set) var failuresThisMinute = 0
    /// Calls started this minute (usage-based v2 counts rpm before the call).
    public private(set) var startedThisMinute = 0
    /// Total tokens of successful calls this minute (usage-based and latency/cost rpm/tpm checks).
    public private(set) var tokensThisMinute = 0
    /// Cooling down until this time (exclusive); `.min` when not cooling down.
    public private(set) var cooldownUntil: Nanoseconds = .min
    /// The legacy `allowed_fails` counter and when it expires (its TTL is the cooldown time).
    public private(set) var failCount = 0
    public private(set) var failCountExpires: Nanoseconds = .min
    /// Seconds per completion token of recent answers, and time to first token per completion token.
    public private(set) var latencies: [Double] = []
    public private(set) var firstTokenLatencies: [Double] = []

    public init() {}

    public func isCoolingDown(at now: Nanoseconds) -> Bool { now < cooldownUntil }

    private static let minuteNanos: Nanoseconds = 60_000_000_000

    private mutating func roll(to now: Nanoseconds) {
        let m = now >= 0 ? now / Self.minuteNanos : (now - Self.minuteNanos + 1) / Self.minuteNanos
        guard m != minute else { return }
        minute = m
        successesThisMinute = 0
        failuresThisMinute = 0
        startedThisMinute = 0
        tokensThisMinute = 0
    }

    /// The counters as seen at `now` (zero once their minute has passed).
    public func usage(at now: Nanoseconds) -> (started: Int, successes: Int, failures: Int, tokens: Int) {
        var copy = self
        copy.roll(to: now)
        return (copy.startedThisMinute, copy.successesThisMinute, copy.failuresThisMinute, copy.tokensThisMinute)
    }

    public mutating func started(at now: Nanoseconds) {
        roll(to: now)
        startedThisMinute += 1
    }

    /// A successful answer: counts it, adds its tokens and records its latency per completion token. An answer
    /// without completion tokens records no latency (LiteLLM's division by zero skips the update).
    public mutating func succeeded(latencyNanos: Nanoseconds, timeToFirstTokenNanos: Nanoseconds?, outputTokens: Int?,
                            totalTokens: Int, maxSamples: Int, at now: Nanoseconds) {
        roll(to: now)
        successesThisMinute += 1
        tokensThisMinute += max(totalTokens, 0)
        let seconds = Double(latencyNanos) / 1e9
        if let outputTokens {
            guard outputTokens > 0 else { return }
            Self.record(seconds / Double(outputTokens), in: &latencies, maxSamples: maxSamples)
            if let ttft = timeToFirstTokenNanos {
                Self.record(Double(ttft) / 1e9 / Double(outputTokens), in: &firstTokenLatencies, maxSamples: maxSamples)
            }
        } else {
            Self.record(seconds, in: &latencies, maxSamples: maxSamples)
        }
    }

    /// LiteLLM's list update: append while shorter than the limit, otherwise keep the first `max - 1` samples
    /// and replace the last one (`lowest_latency.py` — not a sliding window: older samples stay).
    static func record(_ value: Double, in list: inout [Double], maxSamples: Int) {
        let limit = max(maxSamples, 1)
        if list.count < limit {
            list.append(value)
        } else {
            list.removeLast(list.count - (limit - 1))
            list.append(value)
        }
    }

    /// The latency strategy's score: mean of the samples (first-token samples when streaming and there are
    /// some, divided by the count of latency samples as LiteLLM does); 0 for a deployment never measured.
    public func latencyScore(stream: Bool) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let samples = stream && !firstTokenLatencies.isEmpty ? firstTokenLatencies : latencies
        return samples.reduce(0, +) / Double(latencies.count)
    }

    /// A failed call: counts it and decides, as `_set_cooldown_deployments` does, whether the deployment
    /// cools down. Returns the end of the cooldown it started, if any.
    ///
    /// - Parameters:
    ///   - status: the HTTP status (`nil` for a connection error, which never cools down).
    ///   - errorClass: for `allowed_fails_policy`.
    ///   - retryAfter: the provider's `Retry-After`, the cooldown's length when present and the deployment has no
    ///     `cooldown_time` of its own.
    ///   - isSingleDeploymentGroup: the deployment is its group's only one (429s and failure shares then
    ///     do not cool it down).
    @discardableResult
    public mutating func failed(status: Int?, errorClass: LiteLLMRouterSettings.ErrorClass?, retryAfter: Nanoseconds?,
                         isTimeout: Bool, isSingleDeploymentGroup: Bool, deployment: LiteLLMRouterSettings.Deployment,
                         settings: LiteLLMRouterSettings, at now: Nanoseconds) -> Nanoseconds? {
        roll(to: now)
        failuresThisMinute += 1
        if isTimeout { Self.record(LiteLLMRouterSettings.timeoutLatencyPenalty, in: &latencies, maxSamples: settings.maxLatencyListSize) }
        guard !settings.disableCooldowns, LiteLLMRouterSettings.isCooldownRequired(status: status), let status else { return nil }
        // `deployment_callback_on_failure` (router.py): the deployment's own cooldown_time, else the provider's
        // Retry-After, else the router's cooldown_time.
        let cooldown: Nanoseconds = if let own = deployment.cooldownNanos { own }
            else if let retryAfter, retryAfter >= 0 { retryAfter } else { settings.cooldownNanos }
        guard cooldown > 0 else { return nil }
        let cool: Bool
        if settings.allowedFailsPolicy == nil, settings.allowedFails == nil {
            let total = successesThisMinute + failuresThisMinute
            let share = total > 0 ? Double(failuresThisMinute) / Double(total) : 0
            if status == 429, !isSingleDeploymentGroup {
                cool = true
            } else if share == 1, total >= LiteLLMRouterSettings.singleDeploymentFailureThreshold {
                cool = true
            } else if share > LiteLLMRouterSettings.failureThresholdShare,
                      total >= LiteLLMRouterSettings.failureThresholdMinimumRequests, !isSingleDeploymentGroup {
                cool = true
            } else {
                cool = !LiteLLMRouterSettings.shouldRetry(status: status)
            }
        } else {
            let allowed = errorClass.flatMap { settings.allowedFailsPolicy?[$0] } ?? settings.allowedFails
                ?? LiteLLMRouterSettings.defaultAllowedFails
            let current = now < failCountExpires ? failCount : 0
            if current + 1 > allowed {
                cool = true
            } else {
                failCount = current + 1
                failCountExpires = now + (deployment.cooldownNanos ?? settings.cooldownNanos)
                cool = false
            }
        }
        guard cool else { return nil }
        cooldownUntil = max(cooldownUntil, now + cooldown)
        return cooldownUntil
    }
}
