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
        #expect(answer.holds.isEmpty && answer.cachedInputTokens == 0 && answer.outputTokens == 100)
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
        #expect(first.holds.provider && second.holds.provider && !first.holds.model)
        let third = p.answer(endpoint: 0, request: Self.request, at: 0)
        #expect(third.error == .rateLimited(retryAfter: nil) && third.isRefusal && third.holds.isEmpty)
        p.ended(endpoint: 0, holds: first.holds, producedTokens: 100, at: first.endsAfter)
        #expect(p.answer(endpoint: 0, request: Self.request, at: first.endsAfter).holds.provider)
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

    @Test("prefill: TTFT = drawn ttft + uncached prompt tokens / rate; cached blocks are not prefilled again")
    func prefill() throws {
        var p = try Self.providers(model: "ttft: 200ms, tokens_per_second: 50, prefill_tokens_per_second: 10k",
                                   provider: "prompt_cache: {block_tokens: 512}")
        let request = ProviderRequest(inputTokens: 1000, maxOutputTokens: 400, outputTokens: 100, prefixBlocks: [7, 8])
        let cold = p.answer(endpoint: 0, request: request, at: 0)
        #expect(cold.firstTokenAfter == 300 * ms && cold.cachedInputTokens == 0)
        let warm = p.answer(endpoint: 0, request: request, at: second)
        #expect(warm.cachedInputTokens == 1000 && warm.firstTokenAfter == 200 * ms)
        var longer = try Self.providers(model: "ttft: 200ms, prefill_tokens_per_second: 10k")
        #expect(longer.answer(endpoint: 0, request: ProviderRequest(inputTokens: 8000, maxOutputTokens: 1, outputTokens: 1), at: 0)
            .firstTokenAfter == 1000 * ms)
    }

    @Test("load slowdown: beyond the concurrency, TTFT × and speed ÷ n / concurrency, freed when calls end")
    func loadSlowdown() throws {
        var p = try Self.providers(model: "ttft: 100ms, tokens_per_second: 100", provider: "load_slowdown: {concurrency: 2}")
        let a = p.answer(endpoint: 0, request: Self.request, at: 0)
        let b = p.answer(endpoint: 0, request: Self.request, at: 0)
        #expect(a.firstTokenAfter == 100 * ms && b.firstTokenAfter == 100 * ms && b.tokensPerSecond == 100)
        let c = p.answer(endpoint: 0, request: Self.request, at: 0)  // 3 in flight: factor 1.5
        #expect(c.firstTokenAfter == 150 * ms && c.tokensPerSecond == 100 / 1.5 && c.holds.load)
        let d = p.answer(endpoint: 0, request: Self.request, at: 0)  // 4: factor 2
        #expect(d.firstTokenAfter == 200 * ms && d.endsAfter == 200 * ms + 2 * second)
        #expect(p.inFlight(provider: 0) == 4)
        for x in [a, b, c] { p.ended(endpoint: 0, holds: x.holds, producedTokens: 100, at: second) }
        #expect(p.inFlight(provider: 0) == 1)
        #expect(p.answer(endpoint: 0, request: Self.request, at: second).firstTokenAfter == 100 * ms)
        var squared = try Self.providers(model: "ttft: 100ms", provider: "load_slowdown: {concurrency: 1, exponent: 2}")
        _ = squared.answer(endpoint: 0, request: Self.request, at: 0)
        #expect(squared.answer(endpoint: 0, request: Self.request, at: 0).firstTokenAfter == 400 * ms)  // (2/1)^2
    }

    @Test("mid-stream errors: k of N tokens streamed, k uniform in 0..<N, the end exactly when the k-th arrives")
    func midStreamErrors() throws {
        var p = try Self.providers(model: "ttft: 200ms, tokens_per_second: 40, mid_stream_error_rate: 100%")
        var sum = 0
        let n = 4000
        for i in 0..<n {
            let answer = p.answer(endpoint: 0, request: Self.request, at: Nanoseconds(i) * second)
            #expect(answer.error == .serverError(status: 500) && !answer.isRefusal && answer.firstTokenAfter == 200 * ms)
            #expect((0..<100).contains(answer.outputTokens))
            var record = AttemptRecord()
            record.firstTokenAt = answer.firstTokenAfter
            record.endsAt = answer.endsAfter
            record.error = answer.error
            record.tokensPerSecond = answer.tokensPerSecond
            // What the simulator bills: the tokens streamed by the end.
            #expect(record.tokensProduced(by: answer.endsAfter, outputTokens: 100) == answer.outputTokens)
            sum += answer.outputTokens
        }
        // Mean of a uniform on 0...99: 49.5, standard error 28.9 / sqrt(4000) = 0.46.
        #expect(abs(Double(sum) / Double(n) - 49.5) < 2)
        var none = try Self.providers(model: "ttft: 200ms, tokens_per_second: 40, mid_stream_error_rate: 0%")
        #expect(none.answer(endpoint: 0, request: Self.request, at: 0).error == nil)
    }

    @Test("output-token limits get back the unused part of max_tokens when the call ends; readings report both scopes")
    func outputLimitAndReadings() throws {
        var p = try Self.providers(model: "ttft: 100ms, tokens_per_second: 100, limits: {requests_per_minute: 10}",
                                   provider: "limits: {output_tokens_per_minute: 1000}")
        let first = p.answer(endpoint: 0, request: Self.request, at: 0)  // reserves 400
        #expect(first.holds.provider && first.holds.model && first.holds.reservedOutputTokens == 400)
        _ = p.answer(endpoint: 1, request: Self.request, at: 0)  // 200 left
        let refused = p.answer(endpoint: 0, request: Self.request, at: 0)
        #expect(refused.error == .rateLimited(retryAfter: 200 * 60 * ms) && refused.isRefusal)
        p.ended(endpoint: 0, holds: first.holds, producedTokens: 100, at: 0)  // 300 back
        let readings = p.rateLimitReadings(endpoint: 0, at: 0)
        #expect(readings.provider == [RateLimitReading(kind: .outputTokens, limit: 1000, remaining: 500, resetAfter: 30 * second)])
        #expect(readings.model == [RateLimitReading(kind: .requests, limit: 10, remaining: 9, resetAfter: 6 * second)])
        #expect(p.answer(endpoint: 0, request: Self.request, at: 0).error == nil)
    }
}
