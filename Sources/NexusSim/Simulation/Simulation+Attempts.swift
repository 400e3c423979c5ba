import NexusGateway
import NexusScenario

/// The simulated providers: what an attempt at a provider returns.
extension Simulation {
    /// The simulated provider's answer: outage, limits, context window, background errors, latency,
    /// and the gateway's `timeout` that may cut it short.
    mutating func decideOutcome(of a: Int32, for slot: Int32, endpoint: EndpointID, start: Nanoseconds, timeout: Nanoseconds?) {
        // Fields are read in place: copying an endpoint or a tier policy out of its array would
        // reference-count its strings, arrays and sets on every attempt.
        let provider = plan.endpoints[endpoint].provider
        let fast = start + plan.providers[provider].fastFailureNanos
        let errors = errorStreams[endpoint]
        let effect = outages[provider].effect(at: start, model: plan.endpoints[endpoint].modelIndex)
        if let effect {
            switch effect.mode {
            case .down where errors.bernoulli(effect.errorRate):
                return fail(a, with: .connectionError, at: fast)
            case .throttled where errors.bernoulli(effect.errorRate):
                return fail(a, with: .rateLimited(retryAfter: Nanoseconds(effect.retryAfterSeconds * 1e9)), at: fast)
            default: break
            }
        }
        let input = Int(requests[slot].inputTokens)
        if input > plan.endpoints[endpoint].contextWindowTokens { return fail(a, with: .contextWindowExceeded, at: fast) }
        let tokens = input + Int(requests[slot].maxOutputTokens)
        // Both the account's and the model's limits must admit the request; a refused one counts against neither.
        // Unlimited ones are skipped: they would admit everything, and they are the common case.
        let providerLimited = limitedProviders[provider], modelLimited = limitedModels[endpoint]
        if providerLimited, case .refused(let after) = providerLimits[provider].check(tokens: tokens, now: start) {
            return fail(a, with: .rateLimited(retryAfter: after), at: fast)
        }
        if modelLimited, case .refused(let after) = modelLimits[endpoint].check(tokens: tokens, now: start) {
            return fail(a, with: .rateLimited(retryAfter: after), at: fast)
        }
        if providerLimited {
            providerLimits[provider].commit(tokens: tokens)
            attempts[a].holdsProviderLimit = true
        }
        if modelLimited {
            modelLimits[endpoint].commit(tokens: tokens)
            attempts[a].holdsModelLimit = true
        }

        let latency = latencyStreams[endpoint]
        let factor = effect?.mode == .degraded ? effect!.latencyFactor : 1
        // Draws and the latency factor are bounded where they enter; the products are capped at the largest draw
        // so that an attempt's end always fits the clock.
        let ttft = Nanoseconds(roundingSeconds: min(plan.endpoints[endpoint].timeToFirstToken.sample(latency) * factor, Sampler.largestDraw))
        var endsAt = start + ttft
        var error: AttemptError?
        // No draw for a model without background errors: its error stream is its own, so skipping it
        // changes no other draw.
        let errorRate = plan.endpoints[endpoint].errorRateTotal
        let draw = errorRate > 0 ? errors.uniform() : 1
        if draw < errorRate {
            let i = plan.endpoints[endpoint].errorCumulative.firstIndex { draw < $0 } ?? 0
            let status = plan.endpoints[endpoint].errorStatuses[i]
            error = status == 429 ? .rateLimited(retryAfter: plan.endpoints[endpoint].retryAfterNanos) : .serverError(status: status)
        } else if let effect, effect.mode == .degraded, errors.bernoulli(effect.errorRate) {
            error = .serverError(status: 503)
        }
        if error == nil {
            attempts[a].firstTokenAt = endsAt
            if prefixCaches[provider] != nil, Int(slot) < prefixBlocks.count, let blocks = prefixBlocks[Int(slot)] {
                attempts[a].cachedInputTokens = prefixCaches[provider]!.serve(
                    blocks: blocks.lazy.map { UInt64(bitPattern: $0) }, inputTokens: input, now: start)
            }
            let output = Int(requests[slot].outputTokens)
            if output > 0, let speed = plan.endpoints[endpoint].tokensPerSecond?.sample(latency) {
                let tokensPerSecond = max(speed, 1e-3) / factor
                attempts[a].tokensPerSecond = tokensPerSecond
                endsAt += Nanoseconds(roundingSeconds: min(Double(output) / tokensPerSecond, Sampler.largestDraw))
            } else {
                attempts[a].tokensPerSecond = .infinity
            }
        }
        // The gateway cuts the attempt at its timeout (the attempt timeout, or the request's deadline if sooner).
        if let timeout, endsAt > start + timeout {
            endsAt = start + timeout
            error = .timeout
        }
        attempts[a].endsAt = endsAt
        attempts[a].error = error
    }

    private mutating func fail(_ a: Int32, with error: AttemptError, at time: Nanoseconds) {
        attempts[a].error = error
        attempts[a].endsAt = time
    }
}
