import Foundation
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
    /// Each provider's slowdown under load, and its calls in flight (counted only when it has one).
    let slowdowns: [LoadSlowdownSpec?]
    var providerInFlight: [Int]
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
        let epoch = plan.scenario.simulation.startEpochNanos
        providerLimits = plan.providers.map { RateLimiter($0.limits, startEpochNanos: epoch) }
        modelLimits = plan.endpoints.map { RateLimiter($0.limits, startEpochNanos: epoch) }
        slowdowns = plan.providers.map(\.spec.loadSlowdown)
        providerInFlight = Array(repeating: 0, count: plan.providers.count)
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
    /// with the delays from `start`. An admitted attempt holds what the answer's `holds` names until
    /// ``ended(endpoint:holds:producedTokens:at:)``.
    ///
    /// In order: an outage (down or throttled), the context window, the account's then the model's limits,
    /// the time to first token (drawn, plus prefill, times the outage's and the load's factors), a background
    /// error (or a degraded outage's error), the prompt-prefix cache, the generation speed and a mid-stream
    /// error.
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
        let input = request.inputTokens, maxOutput = request.maxOutputTokens
        if input > endpoints[endpoint].contextWindowTokens { return ProviderAnswer(failing: .contextWindowExceeded, after: fast) }
        // Both the account's and the model's limits must admit the request; a refused one counts against neither.
        // Unlimited ones are skipped: they would admit everything, and they are the common case.
        let providerLimited = limitedProviders[provider], modelLimited = limitedModels[endpoint]
        if providerLimited,
           case .refused(let after) = providerLimits[provider].check(inputTokens: input, maxOutputTokens: maxOutput, now: start) {
            return ProviderAnswer(failing: .rateLimited(retryAfter: after), after: fast)
        }
        if modelLimited,
           case .refused(let after) = modelLimits[endpoint].check(inputTokens: input, maxOutputTokens: maxOutput, now: start) {
            return ProviderAnswer(failing: .rateLimited(retryAfter: after), after: fast)
        }
        var answer = ProviderAnswer()
        if providerLimited {
            providerLimits[provider].commit(inputTokens: input, maxOutputTokens: maxOutput)
            answer.holds.provider = true
        }
        if modelLimited {
            modelLimits[endpoint].commit(inputTokens: input, maxOutputTokens: maxOutput)
            answer.holds.model = true
        }
        if providerLimited || modelLimited { answer.holds.reservedOutputTokens = maxOutput }
        // Processor sharing evaluated at dispatch: beyond `concurrency` calls in flight, each gets
        // `concurrency / n` of a full-speed server.
        var load = 1.0
        if let slowdown = slowdowns[provider] {
            providerInFlight[provider] += 1
            answer.holds.load = true
            let n = providerInFlight[provider]
            if n > slowdown.concurrency { load = pow(Double(n) / Double(slowdown.concurrency), slowdown.exponent) }
        }

        let latency = latencyStreams[endpoint]
        let factor = effect?.mode == .degraded ? effect!.latencyFactor : 1
        let drawn = endpoints[endpoint].timeToFirstToken.sample(latency)
        let prefill = endpoints[endpoint].prefillTokensPerSecond
        // Draws and the factors are bounded where they enter; the products are capped at the largest draw
        // so that an attempt's end always fits the clock.
        func firstToken(uncachedInputTokens: Int) -> Nanoseconds {
            var seconds = drawn
            if let prefill { seconds += Double(uncachedInputTokens) / prefill }
            return Nanoseconds(roundingSeconds: min(seconds * factor * load, Sampler.largestDraw))
        }
        // No draw for a model without background errors: its error stream is its own, so skipping it
        // changes no other draw.
        let errorRate = endpoints[endpoint].errorRateTotal
        let draw = errorRate > 0 ? errors.uniform() : 1
        if draw < errorRate {
            let i = endpoints[endpoint].errorCumulative.firstIndex { draw < $0 } ?? 0
            let status = endpoints[endpoint].errorStatuses[i]
            answer.error = status == 429 ? .rateLimited(retryAfter: endpoints[endpoint].retryAfterNanos) : .serverError(status: status)
            answer.endsAfter = firstToken(uncachedInputTokens: input)
            return answer
        } else if let effect, effect.mode == .degraded, errors.bernoulli(effect.errorRate) {
            answer.error = .serverError(status: 503)
            answer.endsAfter = firstToken(uncachedInputTokens: input)
            return answer
        }
        if prefixCaches[provider] != nil, let blocks = request.prefixBlocks {
            let cached = prefixCaches[provider]!.serve(blocks: blocks.lazy.map { UInt64(bitPattern: $0) }, inputTokens: input, now: start)
            answer.cachedInputTokens = cached
            if cached > 0 {
                if providerLimited { providerLimits[provider].servedFromCache(cached, now: start) }
                if modelLimited { modelLimits[endpoint].servedFromCache(cached, now: start) }
            }
        }
        let ttft = firstToken(uncachedInputTokens: input - answer.cachedInputTokens)
        answer.firstTokenAfter = ttft
        answer.endsAfter = ttft
        let output = request.outputTokens
        answer.outputTokens = output
        if output > 0, let speed = endpoints[endpoint].tokensPerSecond?.sample(latency) {
            let tokensPerSecond = max(speed, 1e-3) / factor / load
            answer.tokensPerSecond = tokensPerSecond
            let midStream = endpoints[endpoint].midStreamErrorRate
            if midStream > 0, errors.bernoulli(midStream) {
                // The stream breaks after k of its tokens, k uniform in 0..<output; the end is rounded up so
                // that exactly k tokens have streamed by then.
                let k = min(output - 1, Int(errors.uniform() * Double(output)))
                answer.outputTokens = k
                answer.error = .serverError(status: 500)
                answer.endsAfter += Nanoseconds((min(Double(k) / tokensPerSecond, Sampler.largestDraw) * 1e9).rounded(.up))
            } else {
                answer.endsAfter += Nanoseconds(roundingSeconds: min(Double(output) / tokensPerSecond, Sampler.largestDraw))
            }
        } else {
            answer.tokensPerSecond = .infinity
        }
        return answer
    }

    /// An attempt at `endpoint` that holds `holds` ended at `time` (answered, failed, cut short or
    /// abandoned) after producing `producedTokens` output tokens: its concurrency slots and its place in the
    /// provider's load are freed, and output-token limits get back the part of `max_tokens` it did not use.
    public mutating func ended(endpoint: EndpointID, holds: ProviderLimitHolds, producedTokens: Int, at time: Nanoseconds) {
        let provider = endpoints[endpoint].provider
        let unused = max(0, holds.reservedOutputTokens - producedTokens)
        if holds.provider { providerLimits[provider].release(unusedOutputTokens: unused, now: time) }
        if holds.model { modelLimits[endpoint].release(unusedOutputTokens: unused, now: time) }
        if holds.load { providerInFlight[provider] -= 1 }
    }

    /// The state of the account's and the model's limits for calls to `endpoint` at `time`: the values of a
    /// provider's `x-ratelimit-limit-*`, `-remaining-*` and `-reset-*` headers.
    public mutating func rateLimitReadings(endpoint: EndpointID, at time: Nanoseconds) -> (provider: [RateLimitReading], model: [RateLimitReading]) {
        let provider = endpoints[endpoint].provider
        return (providerLimits[provider].readings(at: time), modelLimits[endpoint].readings(at: time))
    }

    /// Calls in flight at provider `provider`, counted when it has a `load_slowdown` (else 0).
    public func inFlight(provider: Int) -> Int { providerInFlight[provider] }
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

/// What an admitted attempt holds until it ends; the driver hands it back to
/// ``SimulatedProviders/ended(endpoint:holds:producedTokens:at:)``.
public struct ProviderLimitHolds: Hashable, Sendable {
    /// A place in the provider's account-wide limits.
    public var provider = false
    /// A place in the model's own limits.
    public var model = false
    /// A place in the provider's load (for `load_slowdown`).
    public var load = false
    /// Output tokens counted against output-token limits when admitted (the attempt's `max_tokens`).
    public var reservedOutputTokens = 0

    public init() {}

    /// Whether the attempt holds nothing.
    public var isEmpty: Bool { !provider && !model && !load }
}

/// A provider's answer to one attempt, as delays from the moment it was sent: an error without tokens
/// (`firstTokenAfter == -1`), a whole answer, or an answer that breaks off after `outputTokens` (an error
/// with `firstTokenAfter >= 0`: the tokens streamed are billed).
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
    /// Output tokens the answer streams: all of them, or those before a mid-stream error.
    public var outputTokens = 0
    /// What the attempt holds until it ends.
    public var holds = ProviderLimitHolds()
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
