import NexusGateway
import NexusScenario
import NexusSim
import Testing

private let ms: Nanoseconds = 1_000_000
private let second: Nanoseconds = 1_000_000_000

/// The simulated providers driven directly, as the simulator and an HTTP emulator drive them: every answer
/// follows from the scenario's constants, so the expectations are exact.
@Suite("SimulatedProviders")
struct SimulatedProvidersTests {
    static func providers(model: String = "ttft: 200ms, tokens_per_second: 50", provider: String = "", seed: UInt64 = 1) throws -> SimulatedProviders {
        let scenario = try ScenarioLoader.parse(text: """
            name: providers-test
            simulation: {duration: 1h, warmup: 0s}
            gateway: {instances: 1, concurrency: 100}
            providers:
              - name: p
                fast_failure_latency: 30ms
                \(provider)
                models:
                  - {name: m, context_window: 8000, price: {input_per_mtok: $1, output_per_mtok: $10}, \(model)}
                  - {name: other, price: {input_per_mtok: $1, output_per_mtok: $10}, ttft: {dist: exponential, mean: 1s}}
            tiers: [{name: t, models: [p/m, p/other]}]
            traffic:
              arrivals: {process: poisson, rate: 1/s}
              classes: [{name: c, share: 100%, tier: t, input_tokens: 1000, output_tokens: 100}]
            """)
        return SimulatedProviders(plan: SimulationPlan(scenario), runSeed: seed, runEnd: 3600 * second)
    }

    static let request = ProviderRequest(inputTokens: 1000, maxOutputTokens: 400, outputTokens: 100)

    @Test("an answer: first token after the TTFT, the last after output / tokens per second more")
    func streamedAnswer() throws {
        var p = try Self.providers()
        let answer = p.answer(endpoint: 0, request: Self.request, at: 5 * second)
        #expect(answer.error == nil && !answer.isRefusal)
        #expect(answer.firstTokenAfter == 200 * ms)
        #expect(answer.tokensPerSecond == 50)
        #expect(answer.endsAfter == 200 * ms + 2 * second)  // 100 tokens at 50/s
        #expect(answer.holds.isEmpty && answer.cachedInputTokens == 0)
    }

    @Test("no generation speed: the output arrives with the first token")
    func wholeAnswer() throws {
        var p = try Self.providers(model: "ttft: 150ms")
        let answer = p.answer(endpoint: 0, request: Self.request, at: 0)
        #expect(answer.firstTokenAfter == 150 * ms && answer.endsAfter == 150 * ms)
        #expect(answer.tokensPerSecond == .infinity)
    }

    @Test("a prompt beyond the context window is refused at the fast-failure latency")
    func contextWindow() throws {
        var p = try Self.providers()
        let answer = p.answer(endpoint: 0, request: ProviderRequest(inputTokens: 8001, maxOutputTokens: 10, outputTokens: 10), at: 0)
        #expect(answer.error == .contextWindowExceeded && answer.isRefusal)
        #expect(answer.endsAfter == 30 * ms && answer.firstTokenAfter == -1)
        let fits = p.answer(endpoint: 0, request: ProviderRequest(inputTokens: 8000, maxOutputTokens: 10, outputTokens: 10), at: 0)
        #expect(fits.error == nil)
    }

    @Test("a background error comes after the TTFT, with no token, and is not a refusal")
    func backgroundError() throws {
        var p = try Self.providers(model: "ttft: 200ms, errors: {500: 100%}")
        let answer = p.answer(endpoint: 0, request: Self.request, at: 0)
        #expect(answer.error == .serverError(status: 500) && !answer.isRefusal)
        #expect(answer.endsAfter == 200 * ms && answer.firstTokenAfter == -1 && answer.tokensPerSecond == 0)
    }

    @Test("limits are held until the attempt ends: concurrency 2 refuses the third, admits again after ended")
    func heldUntilEnded() throws {
        var p = try Self.providers(provider: "limits: {concurrency: 2}")
        let first = p.answer(endpoint: 0, request: Self.request, at: 0)
        let second = p.answer(endpoint: 1, request: Self.request, at: 0)
        #expect(first.holds == [.provider] && second.holds == [.provider])
        let third = p.answer(endpoint: 0, request: Self.request, at: 0)
        #expect(third.error == .rateLimited(retryAfter: nil) && third.isRefusal && third.holds.isEmpty)
        p.ended(endpoint: 0, holds: first.holds, producedTokens: 100, at: first.endsAfter)
        #expect(p.answer(endpoint: 0, request: Self.request, at: first.endsAfter).holds == [.provider])
    }

    @Test("a model's draws do not depend on attempts at the provider's other models")
    func independentStreams() throws {
        var alone = try Self.providers(model: "ttft: {dist: exponential, mean: 300ms}, tokens_per_second: {dist: normal, mean: 60, sd: 10}")
        var mixed = try Self.providers(model: "ttft: {dist: exponential, mean: 300ms}, tokens_per_second: {dist: normal, mean: 60, sd: 10}")
        for i in 0..<50 {
            let t = Nanoseconds(i) * second
            _ = mixed.answer(endpoint: 1, request: Self.request, at: t)
            #expect(alone.answer(endpoint: 0, request: Self.request, at: t) == mixed.answer(endpoint: 0, request: Self.request, at: t))
        }
    }
}
