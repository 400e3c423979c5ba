import NexusGateway
import NexusScenario

/// Attempts at the simulated providers.
extension Simulation {
    /// Asks the simulated provider for its answer, then cuts it at the gateway's `timeout` (the attempt timeout,
    /// or the request's deadline if sooner).
    mutating func decideOutcome(of a: Int32, for slot: Int32, endpoint: EndpointID, start: Nanoseconds, timeout: Nanoseconds?) {
        let blocks = Int(slot) < prefixBlocks.count ? prefixBlocks[Int(slot)] : nil
        // The lifecycle may have lowered max_tokens (budget reservation `clamp`): the answer stops there.
        let maxTokens = min(requests[slot].maxOutputTokens, attempts[a].maxTokens)
        let request = ProviderRequest(inputTokens: Int(requests[slot].inputTokens),
                                      maxOutputTokens: Int(maxTokens),
                                      outputTokens: Int(min(requests[slot].outputTokens, maxTokens)), prefixBlocks: blocks)
        let answer = providers.answer(endpoint: endpoint, request: request, at: start)
        attempts[a].holds = answer.holds
        attempts[a].cachedInputTokens = answer.cachedInputTokens
        attempts[a].tokensPerSecond = answer.tokensPerSecond
        if answer.firstTokenAfter >= 0 { attempts[a].firstTokenAt = start + answer.firstTokenAfter }
        var endsAt = start + answer.endsAfter
        var error = answer.error
        // A refusal comes back at the provider's fast-failure latency and is not cut short; an attempt the
        // provider processes can run into the limit.
        if !answer.isRefusal, let timeout, endsAt > start + timeout {
            endsAt = start + timeout
            error = .timeout
        }
        attempts[a].endsAt = endsAt
        attempts[a].error = error
    }
}
