import Foundation
import NexusGateway
import NexusScenario
import Testing

/// Providers `p` (models `small`, `big`) and `q` (model `free`); tier `first` over all three, tier
/// `second` over `p/big`. Each argument is a list of lines inserted, indented, in its place:
/// `routing` under a top-level `routing:`, `first`/`second` into the tiers, `provider` into `p`,
/// `model` into `p/small`.
private func routingScenario(
    routing: [String]? = nil, first: [String] = [], second: [String] = [], provider: [String] = [], model: [String] = []
) -> String {
    func block(_ lines: [String], indent: Int) -> String {
        lines.map { String(repeating: " ", count: indent) + $0 + "\n" }.joined()
    }
    return """
        name: routing
        simulation:
          duration: 1h
        gateway:
          instances: 2
          concurrency: 10
        providers:
          - name: p
            classifications: [public, internal]
        \(block(provider, indent: 4))    models:
              - name: small
                price: {input_per_mtok: $1, output_per_mtok: $2}
                ttft: 500ms
                context_window: 8000
        \(block(model, indent: 8))      - name: big
                price: {input_per_mtok: $3, output_per_mtok: $6}
                ttft: 1s
                context_window: 200000
          - name: q
            classifications: [public]
            models:
              - name: free
                price: {input_per_mtok: $0, output_per_mtok: $0}
                ttft: 2s
        \(routing.map { "routing:\n" + block($0, indent: 2) } ?? "")tiers:
          - name: first
            models: [p/small, p/big, q/free]
        \(block(first, indent: 4))  - name: second
            models: [p/big]
        \(block(second, indent: 4))traffic:
          arrivals: {process: poisson, rate: 1/s}
          classes:
            - {name: chat, share: 100%, tier: first, input_tokens: 100, output_tokens: 10}
        """
}

private func load(
    routing: [String]? = nil, first: [String] = [], second: [String] = [], provider: [String] = [], model: [String] = []
) throws -> Scenario {
    try parse(routingScenario(routing: routing, first: first, second: second, provider: provider, model: model))
}

private func loadError(
    routing: [String]? = nil, first: [String] = [], second: [String] = [], provider: [String] = [], model: [String] = [],
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) throws -> ScenarioError {
    try parseError(routingScenario(routing: routing, first: first, second: second, provider: provider, model: model),
                   sourceLocation: sourceLocation)
}

private let ms: Nanoseconds = 1_000_000
private let sec: Nanoseconds = 1_000_000_000

@Suite("Routing decoding")
struct RoutingDecodingTests {
    @Test("the fixture loads with default routing")
    func defaults() throws {
        let scenario = try load()
        #expect(scenario.qualifiedModels.map(\.name) == ["p/small", "p/big", "q/free"])
        #expect(scenario.tiers.map(\.policy) == [TierPolicy(), TierPolicy()])
        #expect(scenario.routing.circuitBreaker == nil)
        #expect(scenario.routing.latencyEWMAWeight == 0.2)
        let p = scenario.providers[0]
        #expect(p.limits == RateLimitSpec())
        #expect(p.outages.isEmpty && p.randomOutages == nil)
        #expect(p.fastFailureSeconds == 0.05)
        #expect(p.models[0].errorRates.isEmpty)
        #expect(p.models[0].limits == RateLimitSpec())
        #expect(p.models[0].retryAfterSeconds == 1)
    }

    // MARK: Retries

    @Test("retries {max, backoff, max_backoff, on} map to the exact RetryPolicy")
    func retriesMapping() throws {
        let scenario = try load(first: ["retries: {max: 3, backoff: 100ms, max_backoff: 2s, on: [429, 5xx, timeout]}"])
        let expected = RetryPolicy(maxRetries: 3, baseBackoffNanos: 100 * ms, maxBackoffNanos: 2 * sec,
                                   retryableStatuses: Set([429]).union(500...599), retryTimeouts: true,
                                   retryConnectionErrors: false, honorRetryAfter: true)
        #expect(scenario.tiers[0].policy.retry == expected)
        #expect(scenario.tiers[1].policy.retry == RetryPolicy())
    }

    @Test("retries: a count, none or off", arguments: [
        ("none", RetryPolicy.none), ("off", .none), ("0", RetryPolicy(maxRetries: 0)), ("4", RetryPolicy(maxRetries: 4)),
    ])
    func retriesScalar(value: String, expected: RetryPolicy) throws {
        #expect(try load(first: ["retries: \(value)"]).tiers[0].policy.retry == expected)
    }

    @Test("retries: on lists statuses and error kinds; honor_retry_after; partial keys keep the defaults")
    func retriesOn() throws {
        let policy = try load(first: ["retries: {on: [connection_error, 503], honor_retry_after: false}"]).tiers[0].policy.retry
        #expect(policy == RetryPolicy(retryableStatuses: [503], retryTimeouts: false, retryConnectionErrors: true,
                                      honorRetryAfter: false))
        let onlyMax = try load(first: ["retries: {max: 5}"]).tiers[0].policy.retry
        #expect(onlyMax == RetryPolicy(maxRetries: 5))
    }

    @Test("retries: a misspelt error kind gets a suggestion")
    func retriesOnSuggestion() throws {
        let error = try loadError(first: ["retries: {on: [429, timout]}"])
        #expect(error.keyPath == "tiers[0].retries.on[1]")
        #expect(error.suggestion == "timeout")
        #expect(error.message.contains("timout"))
    }

    @Test("retries: a status outside 400–599 is rejected", arguments: ["200", "600", "5xy"])
    func retriesBadStatus(status: String) throws {
        let error = try loadError(first: ["retries: {on: [\(status)]}"])
        #expect(error.keyPath == "tiers[0].retries.on[0]")
        #expect(error.message.contains("400 to 599"))
    }

    @Test("retries: max_backoff below backoff is rejected")
    func retriesBackoffOrder() throws {
        let error = try loadError(first: ["retries: {backoff: 2s, max_backoff: 1s}"])
        #expect(error.keyPath == "tiers[0].retries.max_backoff")
        #expect(error.message.contains("at least backoff"))
    }

    @Test("retries: an unknown key is rejected with a suggestion")
    func retriesUnknownKey() throws {
        let error = try loadError(first: ["retries: {max: 1, max_backof: 1s}"])
        #expect(error.keyPath == "tiers[0].retries.max_backof")
        #expect(error.suggestion == "max_backoff")
    }

    // MARK: Routing defaults and tier overrides

    @Test("routing: sets every tier's defaults; a tier overrides them key by key")
    func tierOverridesDefaults() throws {
        let scenario = try load(
            routing: ["strategy: least_busy", "retries: 1", "fallbacks: false", "pre_call_checks: false",
                      "attempt_timeout: 30s", "deadline: 2m", "hedge_after: 5s", "latency_tolerance: 20%",
                      "context_window_fallbacks: [p/big, free]"],
            first: ["strategy: cost", "retries: none", "deadline: none", "hedge_after: off", "fallbacks: true"])
        let defaults = TierPolicy(
            strategy: .leastBusy, latencyTolerance: 0.2, retry: RetryPolicy(maxRetries: 1), fallbacks: false,
            contextWindowFallbacks: [1, 2], preCallChecks: false, attemptTimeoutNanos: 30 * sec,
            deadlineNanos: 120 * sec, hedgeAfterNanos: 5 * sec)
        var overridden = defaults
        overridden.strategy = .cost
        overridden.retry = .none
        overridden.deadlineNanos = nil
        overridden.hedgeAfterNanos = nil
        overridden.fallbacks = true
        #expect(scenario.tiers[0].policy == overridden)
        #expect(scenario.tiers[1].policy == defaults)
        #expect(scenario.tiers[0].strategy == .cost)
    }

    @Test("every strategy name decodes", arguments: RoutingStrategy.allCases)
    func strategies(strategy: RoutingStrategy) throws {
        let weights = strategy == .weighted ? ["weights: [1, 1, 1]"] : []
        #expect(try load(first: ["strategy: \(strategy.rawValue)"] + weights).tiers[0].strategy == strategy)
    }

    @Test("a misspelt strategy gets a suggestion")
    func strategySuggestion() throws {
        let error = try loadError(first: ["strategy: least-busy"])
        #expect(error.keyPath == "tiers[0].strategy")
        #expect(error.suggestion == "least_busy")
    }

    @Test("context-window fallbacks resolve to endpoint indices; an unknown model is an error")
    func contextWindowFallbacks() throws {
        #expect(try load(first: ["context_window_fallbacks: [q/free, big]"]).tiers[0].policy.contextWindowFallbacks == [2, 1])
        let error = try loadError(first: ["context_window_fallbacks: [p/bigg]"])
        #expect(error.keyPath == "tiers[0].context_window_fallbacks[0]")
        #expect(error.suggestion == "p/big")
    }

    // MARK: Weights

    @Test("weights decode in tier order")
    func weights() throws {
        let policy = try load(first: ["strategy: weighted", "weights: [3, 1, 0]"]).tiers[0].policy
        #expect(policy.strategy == .weighted)
        #expect(policy.weights == [3, 1, 0])
        #expect(try load(first: ["strategy: weighted", "weights: [0.5, 2.5, 1]"]).tiers[0].policy.weights == [0.5, 2.5, 1])
    }

    @Test("weights: one per model of the tier", arguments: [["1", "2"], ["1", "2", "3", "4"], []])
    func weightsCount(weights: [String]) throws {
        let error = try loadError(first: ["strategy: weighted", "weights: [\(weights.joined(separator: ", "))]"])
        #expect(error.keyPath == "tiers[0].weights")
        #expect(error.message.contains("one weight per model of the tier (3), found \(weights.count)"), "\(error.message)")
    }

    @Test("weighted without weights is an error, also when the strategy comes from routing:")
    func weightedWithoutWeights() throws {
        let error = try loadError(first: ["strategy: weighted"])
        #expect(error.keyPath == "tiers[0]")
        #expect(error.message.contains("needs 'weights'"))
        let inherited = try loadError(routing: ["strategy: weighted"], first: ["weights: [1, 1, 1]"])
        #expect(inherited.keyPath == "tiers[1]")
        #expect(inherited.message.contains("needs 'weights'"))
    }

    @Test("weights must be non-negative and not all zero")
    func weightValues() throws {
        let negative = try loadError(first: ["strategy: weighted", "weights: [1, -1, 1]"])
        #expect(negative.keyPath == "tiers[0].weights[1]")
        #expect(negative.message.contains(">= 0"))
        let zeros = try loadError(first: ["strategy: weighted", "weights: [0, 0, 0]"])
        #expect(zeros.keyPath == "tiers[0].weights")
        #expect(zeros.message.contains("above 0"))
    }

    @Test("weights are not a gateway-wide key")
    func weightsNotInRouting() throws {
        let error = try loadError(routing: ["weights: [1, 1, 1]"])
        #expect(error.keyPath == "routing.weights")
        #expect(error.message.contains("unknown key"))
    }

    // MARK: Circuit breaker and latency averaging

    @Test("circuit_breaker decodes to the exact policy; missing keys take the defaults")
    func circuitBreaker() throws {
        let full = try load(routing: ["circuit_breaker: {window: 30s, min_requests: 10, failure_threshold: 40%, cooldown: 15s}",
                                      "latency_ewma_weight: 0.3"])
        #expect(full.routing.circuitBreaker == CircuitBreakerPolicy(windowNanos: 30 * sec, minimumRequests: 10,
                                                                    failureThreshold: 0.4, cooldownNanos: 15 * sec))
        #expect(full.routing.latencyEWMAWeight == 0.3)
        let partial = try load(routing: ["circuit_breaker: {cooldown: 2m}"])
        #expect(partial.routing.circuitBreaker == CircuitBreakerPolicy(cooldownNanos: 120 * sec))
        #expect(try load(routing: ["circuit_breaker: none"]).routing.circuitBreaker == nil)
        #expect(try load(routing: ["circuit_breaker: {}"]).routing.circuitBreaker == CircuitBreakerPolicy())
    }

    @Test("circuit breaker and EWMA values out of range are rejected", arguments: [
        ("circuit_breaker: {failure_threshold: 0%}", "routing.circuit_breaker.failure_threshold"),
        ("circuit_breaker: {failure_threshold: 120%}", "routing.circuit_breaker.failure_threshold"),
        ("circuit_breaker: {min_requests: 0}", "routing.circuit_breaker.min_requests"),
        ("circuit_breaker: {window: 0s}", "routing.circuit_breaker.window"),
        ("circuit_breaker: {cooldwn: 1s}", "routing.circuit_breaker.cooldwn"),
        ("latency_ewma_weight: 0", "routing.latency_ewma_weight"),
        ("latency_ewma_weight: 1.5", "routing.latency_ewma_weight"),
    ])
    func breakerErrors(line: String, keyPath: String) throws {
        #expect(try loadError(routing: [line]).keyPath == keyPath)
    }

    // MARK: Limits, errors, outages

    @Test("provider and model limits")
    func limits() throws {
        let scenario = try load(
            provider: ["limits: {requests_per_minute: 20, tokens_per_minute: 40k, requests_per_day: 200, concurrency: 8}"],
            model: ["limits: {concurrency: 4}"])
        #expect(scenario.providers[0].limits == RateLimitSpec(requestsPerMinute: 20, tokensPerMinute: 40_000,
                                                              requestsPerDay: 200, concurrency: 8))
        #expect(scenario.providers[0].models[0].limits == RateLimitSpec(concurrency: 4))
        #expect(scenario.providers[0].models[1].limits == RateLimitSpec())
        let error = try loadError(provider: ["limits: {request_per_minute: 20}"])
        #expect(error.suggestion == "requests_per_minute")
        #expect(try loadError(provider: ["limits: {concurrency: 0}"]).keyPath == "providers[0].limits.concurrency")
    }

    @Test("background errors by status, error_rate shorthand, retry_after, fast_failure_latency")
    func modelErrors() throws {
        let scenario = try load(provider: ["fast_failure_latency: 20ms"],
                                model: ["errors: {500: 1%, 429: 2%, 503: 0.5%}", "retry_after: 2s"])
        let model = scenario.providers[0].models[0]
        #expect(model.errorRates == [500: 0.01, 429: 0.02, 503: 0.005])
        #expect(abs(model.errorRate - 0.035) < 1e-15)
        #expect(model.retryAfterSeconds == 2)
        #expect(scenario.providers[0].fastFailureSeconds == 0.02)
        let both = try load(model: ["error_rate: 1%", "errors: {500: 2%, 502: 1%}"]).providers[0].models[0]
        #expect(both.errorRates == [500: 0.03, 502: 0.01])
    }

    @Test("error shares over 100% are rejected", arguments: [
        ["errors: {500: 60%, 503: 50%}"],
        ["error_rate: 50%", "errors: {500: 60%}"],
        ["errors: {429: 100%, 500: 0.1%}"],
    ])
    func errorSharesOver100(lines: [String]) throws {
        let error = try loadError(model: lines)
        #expect(error.keyPath == "providers[0].models[0].errors")
        #expect(error.message.contains("error shares add up to"))
        #expect(error.message.contains("at most 100%"))
    }

    @Test("error shares of exactly 100% are accepted")
    func errorSharesAt100() throws {
        #expect(try load(model: ["errors: {500: 50%, 429: 50%}"]).providers[0].models[0].errorRate == 1)
    }

    @Test("an error status other than 429 or 5xx is rejected", arguments: ["404", "400", "600", "abc"])
    func errorStatus(status: String) throws {
        let error = try loadError(model: ["errors: {\(status): 1%}"])
        #expect(error.keyPath == "providers[0].models[0].errors.\(status)")
        #expect(error.message.contains("429 or 5xx"))
    }

    @Test("scheduled outages decode to exact values")
    func outages() throws {
        let provider = try load(provider: [
            "outages:",
            "  - {start: 10m, duration: 5m, mode: degraded, latency_factor: 2.5, error_rate: 30%, retry_after: 45s, models: [small]}",
            "  - {start: 0, duration: 90s, mode: down}",
        ]).providers[0]
        #expect(provider.outages.count == 2)
        let degraded = provider.outages[0]
        #expect(degraded.startNanos == 600 * sec && degraded.durationNanos == 300 * sec)
        #expect(degraded.effect.mode == .degraded && degraded.effect.latencyFactor == 2.5)
        #expect(degraded.effect.errorRate == 0.3 && degraded.effect.retryAfterSeconds == 45)
        #expect(degraded.models == ["small"])
        let down = provider.outages[1]
        #expect(down.startNanos == 0 && down.durationNanos == 90 * sec && down.models == nil)
    }

    @Test("an outage's effect defaults depend on its mode", arguments: [
        (OutageMode.down, 1.0, 1.0), (.degraded, 3, 0.2), (.throttled, 1, 1),
    ])
    func outageDefaults(mode: OutageMode, latencyFactor: Double, errorRate: Double) throws {
        let effect = try load(provider: ["outages: [{start: 1m, duration: 1m, mode: \(mode.rawValue)}]"]).providers[0].outages[0].effect
        #expect(effect.mode == mode)
        #expect(effect.latencyFactor == latencyFactor)
        #expect(effect.errorRate == errorRate)
        #expect(effect.retryAfterSeconds == 30)
    }

    @Test("random outages decode to exact values")
    func randomOutages() throws {
        let random = try #require(try load(provider: ["random_outages: {mtbf: 2h, mttr: 5m, mode: throttled, error_rate: 50%, retry_after: 10s}"])
            .providers[0].randomOutages)
        #expect(random.meanTimeBetweenFailuresNanos == 7200 * sec)
        #expect(random.meanTimeToRepairNanos == 300 * sec)
        #expect(random.effect.mode == .throttled && random.effect.errorRate == 0.5 && random.effect.retryAfterSeconds == 10)
        #expect(try loadError(provider: ["random_outages: {mtbf: 2h, mode: down}"]).message.contains("missing required key 'mttr'"))
        #expect(try loadError(provider: ["random_outages: {mtbf: 0s, mttr: 1m, mode: down}"]).keyPath == "providers[0].random_outages.mtbf")
    }

    @Test("an unknown outage mode gets a suggestion", arguments: [("dwon", "down"), ("degrade", "degraded"), ("throttle", "throttled")])
    func outageModeSuggestion(mode: String, suggestion: String) throws {
        let error = try loadError(provider: ["outages: [{start: 1m, duration: 1m, mode: \(mode)}]"])
        #expect(error.keyPath == "providers[0].outages[0].mode")
        #expect(error.suggestion == suggestion)
        #expect(error.message.contains("down, degraded, throttled"))
        let random = try loadError(provider: ["random_outages: {mtbf: 1h, mttr: 1m, mode: \(mode)}"])
        #expect(random.keyPath == "providers[0].random_outages.mode")
        #expect(random.suggestion == suggestion)
    }

    @Test("an outage naming a model the provider does not have gets a suggestion")
    func outageUnknownModel() throws {
        let error = try loadError(provider: ["outages: [{start: 1m, duration: 1m, mode: down, models: [big, smal]}]"])
        #expect(error.keyPath == "providers[0].outages[0].models[1]")
        #expect(error.suggestion == "small")
        #expect(error.message.contains("small, big"))
        // Another provider's model is not this provider's.
        let other = try loadError(provider: ["outages: [{start: 1m, duration: 1m, mode: down, models: [free]}]"])
        #expect(other.keyPath == "providers[0].outages[0].models[0]")
    }

    @Test("outage values out of range are rejected", arguments: [
        ("{start: 1m, duration: 0s, mode: down}", "providers[0].outages[0].duration"),
        ("{start: -1m, duration: 1m, mode: down}", "providers[0].outages[0].start"),
        ("{start: 1m, duration: 1m, mode: degraded, latency_factor: 0.5}", "providers[0].outages[0].latency_factor"),
        ("{start: 1m, duration: 1m, mode: degraded, error_rate: 150%}", "providers[0].outages[0].error_rate"),
        ("{start: 1m, mode: down}", "providers[0].outages[0]"),
        ("{start: 1m, duration: 1m, mode: down, model: [small]}", "providers[0].outages[0].model"),
    ])
    func outageErrors(outage: String, keyPath: String) throws {
        #expect(try loadError(provider: ["outages: [\(outage)]"]).keyPath == keyPath)
    }
}

@Suite("Provider limit and latency keys")
struct ProviderKeysDecodingTests {
    @Test("limits: token buckets by default, every limit, algorithm and burst decode to exact values")
    func limitKeys() throws {
        let s = try load(
            provider: ["limits: {requests_per_minute: 50, input_tokens_per_minute: 30k, output_tokens_per_minute: 8k, burst: 10s}"],
            model: ["limits: {requests_per_minute: 60, requests_per_day: 50, algorithm: fixed_window}"])
        #expect(s.providers[0].limits == RateLimitSpec(requestsPerMinute: 50, inputTokensPerMinute: 30_000, outputTokensPerMinute: 8_000,
                                                       burstNanos: 10 * sec))
        #expect(s.providers[0].limits.algorithm == .tokenBucket)
        #expect(s.providers[0].models[0].limits == RateLimitSpec(requestsPerMinute: 60, requestsPerDay: 50, algorithm: .fixedWindow))
        #expect(RateLimitSpec().burstNanos == 60 * sec)
        #expect(!RateLimitSpec(outputTokensPerMinute: 1).isUnlimited && !RateLimitSpec(inputTokensPerMinute: 1).isUnlimited)
    }

    @Test("bad limit keys: the key path, the range and the nearest name")
    func limitErrors() throws {
        let algorithm = try loadError(provider: ["limits: {requests_per_minute: 5, algorithm: token_buckt}"])
        #expect(algorithm.keyPath == "providers[0].limits.algorithm" && algorithm.suggestion == "token_bucket")
        let burst = try loadError(provider: ["limits: {requests_per_minute: 5, burst: 2d}"])
        #expect(burst.keyPath == "providers[0].limits.burst" && burst.message.contains("1ms to 1d"))
        let fixed = try loadError(provider: ["limits: {requests_per_minute: 5, algorithm: fixed_window, burst: 1s}"])
        #expect(fixed.keyPath == "providers[0].limits.burst" && fixed.message.contains("fixed window"))
        #expect(try loadError(provider: ["limits: {input_tokens_per_minute: 0}"]).keyPath == "providers[0].limits.input_tokens_per_minute")
        #expect(try loadError(provider: ["limits: {output_token_per_minute: 5}"]).suggestion == "output_tokens_per_minute")
    }

    @Test("latency keys: prefill rate, mid-stream errors and the load slowdown")
    func latencyKeys() throws {
        let s = try load(provider: ["load_slowdown: {concurrency: 64}"],
                         model: ["prefill_tokens_per_second: 20k", "mid_stream_error_rate: 0.5%"])
        #expect(s.providers[0].loadSlowdown == LoadSlowdownSpec(concurrency: 64, exponent: 1))
        #expect(s.providers[0].models[0].prefillTokensPerSecond == 20_000)
        #expect(s.providers[0].models[0].midStreamErrorRate == 0.005)
        #expect(s.providers[0].models[1].prefillTokensPerSecond == nil && s.providers[0].models[1].midStreamErrorRate == 0)
        #expect(try load(provider: ["load_slowdown: {concurrency: 8, exponent: 2}"]).providers[0].loadSlowdown?.exponent == 2)
        #expect(try loadError(provider: ["load_slowdown: {exponent: 2}"]).message.contains("missing required key 'concurrency'"))
        #expect(try loadError(provider: ["load_slowdown: {concurrency: 8, exponent: 0}"]).keyPath == "providers[0].load_slowdown.exponent")
        #expect(try loadError(model: ["prefill_tokens_per_second: 0"]).keyPath == "providers[0].models[0].prefill_tokens_per_second")
        #expect(try loadError(model: ["mid_stream_error_rate: 120%"]).keyPath == "providers[0].models[0].mid_stream_error_rate")
        #expect(try loadError(model: ["prefill_token_per_second: 5"]).suggestion == "prefill_tokens_per_second")
    }
}
