import NexusGateway
import NexusScenario

/// The scenario's providers as one component: outages, rate limits, context windows, background errors,
/// latency and prompt-prefix caches, with the random streams they draw from.
///
/// A driver owns time. It asks ``answer(endpoint:request:at:)`` what the provider answers to an attempt sent
/// at a given time, waits (simulated or wall time) for the answer's delays, and calls
/// ``ended(endpoint:holds:producedTokens:at:)`` when the attempt ends, is cut short or is abandoned, so that
/// the limits it holds are released. The simulator drives it in simulated time; an HTTP provider emulator can
/// drive the same component in wall time. Deadlines and attempt timeouts are the gateway's, not the
/// provider's: a driver applies them to the answer.
///
/// Draws come from one stream per model and source (`provider.<model>.latency`, `provider.<model>.errors`) and
/// one per provider for its random outages (`provider.<name>.outages`), seeded from the run seed and the
/// stream's name, so a model's draws do not depend on traffic to other models.
public struct SimulatedProviders {
    let endpoints: [SimulationPlan.Endpoint]
    let providers: [SimulationPlan.Provider]
    var providerLimits: [RateLimiter]
    var modelLimits: [RateLimiter]
    /// Whether each provider's and each model's limiter limits anything (most do not).
    let limitedProviders: [Bool]
    let limitedModels: [Bool]
    /// Each provider's outage schedule, drawn for the whole run when the component is made.
    public let outages: [OutageSchedule]
    /// Each provider's prompt-prefix cache (nil for providers without one).
    var prefixCaches: [PromptPrefixCache?]
    // The streams own the generators; draws go through their plain handles (no reference counting per draw).
    let ownedStreams: [RandomStream]
    let latencyStreams: [RandomSource]
    let errorStreams: [RandomSource]

    /// Builds the providers of `plan` for a run seeded with `runSeed`, whose random outages are drawn up to
    /// `runEnd`.
    public init(plan: SimulationPlan, runSeed seed: UInt64, runEnd: Nanoseconds) {
        endpoints = plan.endpoints
        providers = plan.providers
        let latency = plan.endpoints.map { RandomStream(runSeed: seed, name: "provider.\($0.name).latency") }
        let errors = plan.endpoints.map { RandomStream(runSeed: seed, name: "provider.\($0.name).errors") }
        ownedStreams = latency + errors
        latencyStreams = latency.map(\.source)
        errorStreams = errors.map(\.source)
        providerLimits = plan.providers.map { RateLimiter($0.limits) }
        modelLimits = plan.endpoints.map { RateLimiter($0.limits) }
        limitedProviders = plan.providers.map { !$0.limits.isUnlimited }
        limitedModels = plan.endpoints.map { !$0.limits.isUnlimited }
        prefixCaches = plan.providers.map { p in
            p.spec.promptCache.map { PromptPrefixCache(blockTokens: $0.blockTokens, ttlNanos: $0.ttlNanos) }
        }
        outages = plan.providers.map { provider in
            OutageSchedule(provider: provider.spec, runEnd: runEnd,
                           stream: RandomStream(runSeed: seed, name: "provider.\(provider.name).outages"))
        }
    }

    /// Whether provider `provider` caches prompt prefixes (its answers may bill cached input tokens).
    public func hasPromptCache(provider: Int) -> Bool { prefixCaches[provider] != nil }

    /// The provider's answer to an attempt at `endpoint` sent at `start`: an error or a stream of tokens,
    /// with the delays from `start`. An admitted attempt holds the limits named in the answer's `holds`
    /// until ``ended(endpoint:holds:producedTokens:at:)``.
    ///
    /// In order: an outage (down or throttled), the context window, the account's then the model's limits,
    /// then the time to first token, a background error (or a degraded outage's error), the prompt-prefix
    /// cache and the generation speed.
    public mutating func answer(endpoint: EndpointID, request: ProviderRequest, at start: Nanoseconds) -> ProviderAnswer {
        // Fields are read in place: copying an endpoint out of its array would reference-count its
        // strings, arrays and sets on every attempt.
        let provider = endpoints[endpoint].provider
        let fast = providers[provider].fastFailureNanos
        let errors = errorStreams[endpoint]
        let effect = outages[provider].effect(at: start, model: endpoints[endpoint].modelIndex)
        if let effect {
            switch effect.mode {
            case .down where errors.bernoulli(effect.errorRate):
                return ProviderAnswer(failing: .connectionError, after: fast)
            case .throttled where errors.bernoulli(effect.errorRate):
                return ProviderAnswer(failing: .rateLimited(retryAfter: Nanoseconds(effect.retryAfterSeconds * 1e9)), after: fast)
            default: break
            }
        }
        let input = request.inputTokens
        if input > endpoints[endpoint].contextWindowTokens { return ProviderAnswer(failing: .contextWindowExceeded, after: fast) }
        let tokens = input + request.maxOutputTokens
        // Both the account's and the model's limits must admit the request; a refused one counts against neither.
        // Unlimited ones are skipped: they would admit everything, and they are the common case.
        let providerLimited = limitedProviders[provider], modelLimited = limitedModels[endpoint]
        if providerLimited, case .refused(let after) = providerLimits[provider].check(tokens: tokens, now: start) {
            return ProviderAnswer(failing: .rateLimited(retryAfter: after), after: fast)
        }
        if modelLimited, case .refused(let after) = modelLimits[endpoint].check(tokens: tokens, now: start) {
            return ProviderAnswer(failing: .rateLimited(retryAfter: after), after: fast)
        }
        var answer = ProviderAnswer()
        if providerLimited {
            providerLimits[provider].commit(tokens: tokens)
            answer.holds.insert(.provider)
        }
        if modelLimited {
            modelLimits[endpoint].commit(tokens: tokens)
            answer.holds.insert(.model)
        }

        let latency = latencyStreams[endpoint]
        let factor = effect?.mode == .degraded ? effect!.latencyFactor : 1
        // Draws and the latency factor are bounded where they enter; the products are capped at the largest draw
        // so that an attempt's end always fits the clock.
        let ttft = Nanoseconds(roundingSeconds: min(endpoints[endpoint].timeToFirstToken.sample(latency) * factor, Sampler.largestDraw))
        answer.endsAfter = ttft
        // No draw for a model without background errors: its error stream is its own, so skipping it
        // changes no other draw.
        let errorRate = endpoints[endpoint].errorRateTotal
        let draw = errorRate > 0 ? errors.uniform() : 1
        if draw < errorRate {
            let i = endpoints[endpoint].errorCumulative.firstIndex { draw < $0 } ?? 0
            let status = endpoints[endpoint].errorStatuses[i]
            answer.error = status == 429 ? .rateLimited(retryAfter: endpoints[endpoint].retryAfterNanos) : .serverError(status: status)
            return answer
        } else if let effect, effect.mode == .degraded, errors.bernoulli(effect.errorRate) {
            answer.error = .serverError(status: 503)
            return answer
        }
        answer.firstTokenAfter = ttft
        if prefixCaches[provider] != nil, let blocks = request.prefixBlocks {
            answer.cachedInputTokens = prefixCaches[provider]!.serve(
                blocks: blocks.lazy.map { UInt64(bitPattern: $0) }, inputTokens: input, now: start)
        }
        let output = request.outputTokens
        if output > 0, let speed = endpoints[endpoint].tokensPerSecond?.sample(latency) {
            let tokensPerSecond = max(speed, 1e-3) / factor
            answer.tokensPerSecond = tokensPerSecond
            answer.endsAfter += Nanoseconds(roundingSeconds: min(Double(output) / tokensPerSecond, Sampler.largestDraw))
        } else {
            answer.tokensPerSecond = .infinity
        }
        return answer
    }

    /// An attempt at `endpoint` that holds `holds` ended at `time` (answered, failed, cut short or
    /// abandoned) after producing `producedTokens` output tokens: its limits are released.
    public mutating func ended(endpoint: EndpointID, holds: ProviderLimitHolds, producedTokens: Int, at time: Nanoseconds) {
        if holds.contains(.provider) { providerLimits[endpoints[endpoint].provider].release() }
        if holds.contains(.model) { modelLimits[endpoint].release() }
    }
}

/// What an attempt asks of a provider, in tokens.
public struct ProviderRequest: Sendable {
    /// Prompt tokens.
    public var inputTokens: Int
    /// The attempt's `max_tokens`: what rate limits count before the answer is known.
    public var maxOutputTokens: Int
    /// Tokens the model produces when not interrupted.
    public var outputTokens: Int
    /// The prompt's prefix block ids (traces with `hash_ids`), for the provider's prompt-prefix cache.
    public var prefixBlocks: [Int64]?

    public init(inputTokens: Int, maxOutputTokens: Int, outputTokens: Int, prefixBlocks: [Int64]? = nil) {
        self.inputTokens = inputTokens
        self.maxOutputTokens = maxOutputTokens
        self.outputTokens = outputTokens
        self.prefixBlocks = prefixBlocks
    }
}

/// The limits an admitted attempt holds until it ends.
public struct ProviderLimitHolds: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// The provider's account-wide limits.
    public static let provider = ProviderLimitHolds(rawValue: 1)
    /// The model's own limits.
    public static let model = ProviderLimitHolds(rawValue: 2)
}

/// A provider's answer to one attempt, as delays from the moment it was sent.
public struct ProviderAnswer: Sendable, Equatable {
    /// `nil`: the attempt answers in full, its last token at `endsAfter`.
    public var error: AttemptError?
    /// When the attempt ends (its error, or its last token), nanoseconds after it was sent.
    public var endsAfter: Nanoseconds = 0
    /// Its first token, nanoseconds after it was sent; `-1` when none comes.
    public var firstTokenAfter: Nanoseconds = -1
    /// Generation speed after the first token, tokens per second (`.infinity`: the output arrives with the
    /// first token; `0` when no token comes).
    public var tokensPerSecond: Double = 0
    /// Prompt tokens served from the provider's prefix cache (billed at the cached-input price).
    public var cachedInputTokens = 0
    /// Limits the attempt holds until it ends.
    public var holds: ProviderLimitHolds = []
    /// Whether the provider refused the attempt without processing it (an outage that is down or
    /// throttled, the context window, a rate limit): the error comes back after the provider's fast-failure
    /// latency.
    public var isRefusal = false

    public init() {}

    init(failing error: AttemptError, after delay: Nanoseconds) {
        self.error = error
        self.endsAfter = delay
        self.isRefusal = true
    }
}
