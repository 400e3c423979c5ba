import Foundation
import NexusGateway

/// Routing policy, rate limits, outages and background errors.
extension ScenarioDecoder {
    /// Keys that set a tier's routing policy, allowed in a tier and (as defaults) under `routing:`.
    static let tierPolicyKeys = [
        "strategy", "latency_tolerance", "retries", "fallbacks", "context_window_fallbacks", "pre_call_checks",
        "attempt_timeout", "deadline", "hedge_after",
    ]

    func routingSettings(_ f: Field) throws -> RoutingSpec {
        let m = try f.mapping(allowed: Self.tierPolicyKeys + ["circuit_breaker", "latency_ewma_weight", "mode", "litellm"])
        var breaker: CircuitBreakerPolicy?
        if let b = m.optional("circuit_breaker"), try !isNone(b) {
            let bm = try b.mapping(allowed: ["window", "min_requests", "failure_threshold", "cooldown"])
            let defaults = CircuitBreakerPolicy()
            let thresholdField = bm.optional("failure_threshold")
            let threshold = try thresholdField?.fraction() ?? defaults.failureThreshold
            if let thresholdField, threshold == 0 { throw thresholdField.error("a failure threshold of 0% would open the breaker on success alone") }
            breaker = CircuitBreakerPolicy(
                windowNanos: try bm.optional("window")?.durationNanos(positive: true) ?? defaults.windowNanos,
                minimumRequests: try bm.optional("min_requests")?.int(in: 1...1_000_000) ?? defaults.minimumRequests,
                failureThreshold: threshold,
                cooldownNanos: try bm.optional("cooldown")?.durationNanos(positive: true) ?? defaults.cooldownNanos)
        }
        let weightField = m.optional("latency_ewma_weight")
        let weight = try weightField?.fraction() ?? 0.2
        if let weightField, weight == 0 { throw weightField.error("the EWMA weight must be above 0") }
        return RoutingSpec(circuitBreaker: breaker, latencyEWMAWeight: weight)
    }

    /// The policy keys present in `f` applied over `base`. `tierModels` is the tier's model list (for
    /// `weights`), `nil` under `routing:`.
    func tierPolicy(_ f: Field, base: TierPolicy, qualifiedModels: [String], tierModels: [String]?, gatewayWide: Bool) throws -> TierPolicy {
        guard case .mapping(let entries, _) = f.node else { throw f.expected("a mapping") }
        let m = Field.Mapping(field: f, entries: entries)
        var policy = base
        if let s = m.optional("strategy") { policy.strategy = try s.choice(RoutingStrategy.self) }
        if let t = m.optional("latency_tolerance") { policy.latencyTolerance = try t.fraction() }
        if let r = m.optional("retries") { policy.retry = try retryPolicy(r) }
        if let fb = m.optional("fallbacks") { policy.fallbacks = try fb.bool() }
        if let p = m.optional("pre_call_checks") { policy.preCallChecks = try p.bool() }
        if let t = m.optional("attempt_timeout") { policy.attemptTimeoutNanos = try t.optionalDurationNanos() }
        if let d = m.optional("deadline") { policy.deadlineNanos = try d.optionalDurationNanos() }
        if let h = m.optional("hedge_after") { policy.hedgeAfterNanos = try h.optionalDurationNanos() }
        if let c = m.optional("context_window_fallbacks") {
            let names = try c.list().map { try resolveModel($0, qualifiedModels: qualifiedModels) }
            policy.contextWindowFallbacks = names.map { qualifiedModels.firstIndex(of: $0)! }
        }
        if let tierModels {
            if let w = m.optional("weights") {
                let items = try w.list()
                guard items.count == tierModels.count else {
                    throw w.error("expected one weight per model of the tier (\(tierModels.count)), found \(items.count)")
                }
                let weights = try items.map { item in
                    let v = try item.double()
                    guard v >= 0 else { throw item.error("a weight must be >= 0, found \(v)") }
                    return v
                }
                guard weights.contains(where: { $0 > 0 }) else { throw w.error("at least one weight must be above 0") }
                policy.weights = weights
            } else if policy.strategy == .weighted {
                throw f.error("strategy 'weighted' needs 'weights', one per model")
            }
        }
        return policy
    }

    /// `retries: 2`, `retries: none`, or `{max, backoff, max_backoff, on: [429, 500, timeout, connection_error], honor_retry_after}`.
    func retryPolicy(_ f: Field) throws -> RetryPolicy {
        if try isNone(f) { return .none }
        if case .scalar = f.node { return RetryPolicy(maxRetries: try f.int(in: 0...100)) }
        let m = try f.mapping(allowed: ["max", "backoff", "max_backoff", "on", "honor_retry_after"])
        var policy = RetryPolicy()
        if let v = m.optional("max") { policy.maxRetries = try v.int(in: 0...100) }
        if let v = m.optional("backoff") { policy.baseBackoffNanos = try v.durationNanos() }
        if let v = m.optional("max_backoff") {
            policy.maxBackoffNanos = try v.durationNanos()
        } else {
            // Without an explicit cap, a base backoff above the default cap raises the cap with it.
            policy.maxBackoffNanos = max(policy.maxBackoffNanos, policy.baseBackoffNanos)
        }
        if policy.maxBackoffNanos < policy.baseBackoffNanos, let v = m.optional("max_backoff") {
            throw v.error("max_backoff must be at least backoff")
        }
        if let v = m.optional("honor_retry_after") { policy.honorRetryAfter = try v.bool() }
        if let on = m.optional("on") {
            policy.retryableStatuses = []
            policy.retryTimeouts = false
            policy.retryConnectionErrors = false
            for item in try on.list() {
                let text = try item.text()
                switch text {
                case "timeout": policy.retryTimeouts = true
                case "connection_error": policy.retryConnectionErrors = true
                case "5xx": policy.retryableStatuses.formUnion(500...599)
                default:
                    guard let status = Int(text), (400...599).contains(status) else {
                        throw item.error("expected an HTTP status from 400 to 599, 5xx, timeout or connection_error, found '\(text)'",
                                         suggestion: nearest(to: text, in: ["timeout", "connection_error", "5xx"]))
                    }
                    policy.retryableStatuses.insert(status)
                }
            }
        }
        return policy
    }

    func rateLimits(_ f: Field) throws -> RateLimitSpec {
        let m = try f.mapping(allowed: ["requests_per_minute", "tokens_per_minute", "input_tokens_per_minute", "output_tokens_per_minute",
                                        "requests_per_day", "concurrency", "algorithm", "burst"])
        let algorithm = try m.optional("algorithm")?.choice(RateLimitAlgorithm.self) ?? .tokenBucket
        let burstField = m.optional("burst")
        if let burstField, algorithm == .fixedWindow {
            throw burstField.error("'burst' sizes a token bucket; a fixed window has none (remove it, or use algorithm: token_bucket)")
        }
        return RateLimitSpec(
            requestsPerMinute: try m.optional("requests_per_minute")?.int(in: 1...Int(Int32.max)),
            tokensPerMinute: try m.optional("tokens_per_minute")?.int(in: 1...Int.max / 2),
            inputTokensPerMinute: try m.optional("input_tokens_per_minute")?.int(in: 1...Int.max / 2),
            outputTokensPerMinute: try m.optional("output_tokens_per_minute")?.int(in: 1...Int.max / 2),
            requestsPerDay: try m.optional("requests_per_day")?.int(in: 1...Int(Int32.max)),
            concurrency: try m.optional("concurrency")?.int(in: 1...Int(Int32.max)),
            algorithm: algorithm,
            // From a millisecond (a bucket that admits one request at a time) to a day.
            burstNanos: try burstField?.durationNanos(in: 1_000_000...86_400_000_000_000) ?? RateLimitSpec.defaultBurstNanos)
    }

    /// `load_slowdown: {concurrency: 64, exponent: 1}`.
    func loadSlowdown(_ f: Field) throws -> LoadSlowdownSpec {
        let m = try f.mapping(allowed: ["concurrency", "exponent"])
        return LoadSlowdownSpec(
            concurrency: try m.required("concurrency").int(in: 1...Int(Int32.max)),
            exponent: try m.optional("exponent")?.double(in: 0.1...10, what: "an exponent") ?? 1)
    }

    /// `errors: {500: 0.5%, 503: 0.2%, 429: 0.1%}` and/or the shorthand `error_rate: 0.5%` (status 500).
    func errorRates(_ m: Field.Mapping) throws -> [Int: Double] {
        var rates: [Int: Double] = [:]
        if let e = m.optional("error_rate") { rates[500] = try e.fraction() }
        if let errors = m.optional("errors") {
            guard case .mapping(let entries, _) = errors.node else { throw errors.expected("a mapping of HTTP status to share, e.g. {500: 0.5%, 429: 1%}") }
            for entry in entries {
                let field = Field(node: entry.value, path: "\(errors.path).\(entry.key)", parameters: errors.parameters)
                guard let status = Int(entry.key), status == 429 || (500...599).contains(status) else {
                    throw ScenarioError(location: entry.keyLocation, keyPath: field.path,
                                        message: "expected an HTTP status 429 or 5xx, found '\(entry.key)'")
                }
                rates[status, default: 0] += try field.fraction()
            }
        }
        // Summed in status order with a rounding tolerance, so that shares written to add up to exactly
        // 100 % are accepted whatever the dictionary order.
        let total = rates.keys.sorted().reduce(0) { $0 + rates[$1]! }
        if total > 1 + 1e-9, let field = m.optional("errors") ?? m.optional("error_rate") {
            throw field.error("error shares add up to \(String(format: "%.4g", total * 100))%; at most 100%")
        }
        return rates
    }

    func outageEffect(_ m: Field.Mapping, modeField: Field) throws -> OutageEffect {
        let mode = try modeField.choice(OutageMode.self)
        let factorField = m.optional("latency_factor")
        let factor = try factorField?.double(in: 1...1000, what: "a latency factor") ?? (mode == .degraded ? 3 : 1)
        let defaultRate: Double = switch mode {
        case .down: 1
        case .degraded: 0.2
        case .throttled: 1
        }
        return OutageEffect(
            mode: mode, latencyFactor: factor,
            errorRate: try m.optional("error_rate")?.fraction() ?? defaultRate,
            retryAfterSeconds: try m.optional("retry_after")?.durationSeconds() ?? 30)
    }

    func outage(_ f: Field, modelNames: [String]) throws -> OutageSpec {
        let m = try f.mapping(allowed: ["start", "duration", "mode", "latency_factor", "error_rate", "retry_after", "models"])
        let models = try m.optional("models")?.list().map { item in
            let name = try item.text()
            guard modelNames.contains(name) else {
                throw item.error("the provider has no model '\(name)'; its models: \(modelNames.joined(separator: ", "))",
                                 suggestion: nearest(to: name, in: modelNames))
            }
            return name
        }
        return OutageSpec(
            startNanos: try m.required("start").durationNanos(),
            durationNanos: try m.required("duration").durationNanos(positive: true),
            effect: try outageEffect(m, modeField: try m.required("mode")),
            models: models)
    }

    func randomOutages(_ f: Field) throws -> RandomOutageSpec {
        let m = try f.mapping(allowed: ["mtbf", "mttr", "mode", "latency_factor", "error_rate", "retry_after"])
        return RandomOutageSpec(
            meanTimeBetweenFailuresNanos: try m.required("mtbf").durationNanos(positive: true),
            meanTimeToRepairNanos: try m.required("mttr").durationNanos(positive: true),
            effect: try outageEffect(m, modeField: try m.required("mode")))
    }

    private func isNone(_ f: Field) throws -> Bool {
        if case .scalar = f.node { return ["none", "off"].contains(try f.text()) }
        return false
    }
}
