import Foundation
import NexusGateway
import NexusScenario
import NexusSim

/// The scenario's providers as the emulator drives them: the simulator's ``SimulatedProviders`` (outages, limits,
/// context windows, background errors, latency), asked in scenario time read from an ``EmulatorClock``, plus the
/// output length of requests that do not say how long their answer is.
///
/// Decisions are made one at a time under a lock, in the order requests reach it, so the same scenario and seed
/// give the same sequence of decisions for the same order of requests, whatever the event loop that serves them.
final class EmulatedProviders: @unchecked Sendable {
    /// What the provider does with one request.
    struct Decision: Sendable {
        /// The simulator's answer, delays in scenario nanoseconds from `receivedAt`.
        var answer: ProviderAnswer
        /// Scenario time at which the request was decided.
        var receivedAt: Nanoseconds
        /// Prompt tokens, as billed.
        var inputTokens: Int
        /// Tokens the answer carries when it is not cut short.
        var outputTokens: Int
        /// Whether the output was capped by `max_tokens` (finish reason `length`).
        var truncated: Bool
    }

    private let lock = NSLock()
    private var providers: SimulatedProviders
    /// Per endpoint, the output-length distribution of the traffic classes that may reach it, and the stream
    /// it draws from.
    private let outputMixtures: [OutputMixture]
    private let outputStreams: [RandomStream]

    init(plan: SimulationPlan, seed: UInt64) {
        let settings = plan.scenario.simulation
        providers = SimulatedProviders(plan: plan, runSeed: seed, runEnd: settings.durationNanos + settings.drainNanos)
        outputMixtures = plan.endpoints.indices.map { OutputMixture(plan: plan, endpoint: $0) }
        outputStreams = plan.endpoints.map { RandomStream(runSeed: seed, name: "emulator.\($0.name).output") }
    }

    /// Decides a request to `endpoint` received at scenario time `now`: `inputTokens` of prompt, `maxTokens` as
    /// the request's `max_tokens`, `outputHint` from `x-nexus-output-tokens`.
    func decide(endpoint: Int, inputTokens: Int, maxTokens: Int?, outputHint: Int?, at now: Nanoseconds) -> Decision {
        lock.withLock {
            let wanted: Int
            let cap: Int
            if let outputHint {
                wanted = outputHint
                cap = maxTokens ?? Int.max
            } else {
                let (draw, classCap) = outputMixtures[endpoint].sample(outputStreams[endpoint].source)
                wanted = draw
                cap = maxTokens ?? classCap
            }
            let output = min(wanted, cap)
            let request = ProviderRequest(inputTokens: inputTokens, maxOutputTokens: maxTokens ?? output, outputTokens: output)
            let answer = providers.answer(endpoint: endpoint, request: request, at: now)
            return Decision(answer: answer, receivedAt: now, inputTokens: inputTokens, outputTokens: output, truncated: wanted > cap)
        }
    }

    /// The attempt decided by `decision` ended at scenario time `now` after producing `producedTokens`: the limits it
    /// held are released.
    func ended(endpoint: Int, decision: Decision, producedTokens: Int, at now: Nanoseconds) {
        guard !decision.answer.holds.isEmpty else { return }
        lock.withLock {
            providers.ended(endpoint: endpoint, holds: decision.answer.holds, producedTokens: producedTokens, at: now)
        }
    }
}

/// The output length of a request that carries no `x-nexus-output-tokens` hint: a draw from the output
/// distributions of the traffic classes whose tier may send it to this model, chosen by class share (all the
/// scenario's classes when none names the model), capped by the class's `max_output_tokens`.
struct OutputMixture: Sendable {
    var samplers: [Sampler]
    var caps: [Int]
    /// Cumulative shares, the last one 1.
    var cumulative: [Double]

    init(plan: SimulationPlan, endpoint: Int) {
        let name = plan.endpoints[endpoint].name
        let reaching = plan.scenario.traffic.classes.indices.filter { c in
            let tier = plan.classes[c].tier
            return plan.scenario.tiers[tier].models.contains(name)
                || plan.tierPolicies[tier].contextWindowFallbacks.contains(endpoint)
        }
        let chosen = reaching.isEmpty ? Array(plan.classes.indices) : reaching
        samplers = chosen.map { plan.classes[$0].outputTokens }
        caps = chosen.map { plan.classes[$0].maxOutputTokens }
        let shares = chosen.map { plan.classShares[$0] }
        let total = shares.reduce(0, +)
        var running = 0.0
        cumulative = shares.map { share in
            running += total > 0 ? share / total : 1 / Double(shares.count)
            return running
        }
        if !cumulative.isEmpty { cumulative[cumulative.count - 1] = 1 }
    }

    /// One output length and the cap of the class it was drawn for; `(0, 0)` for a scenario without classes.
    func sample(_ source: RandomSource) -> (tokens: Int, cap: Int) {
        guard !samplers.isEmpty else { return (0, 0) }
        var i = 0
        if samplers.count > 1 {
            let u = source.uniform()
            i = cumulative.firstIndex { u < $0 } ?? samplers.count - 1
        }
        let x = samplers[i].sample(source)
        // A draw lies in 0...Sampler.largestDraw, so the conversion cannot trap.
        return (Int(x.rounded()), caps[i])
    }
}
