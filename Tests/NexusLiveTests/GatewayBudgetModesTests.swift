import NexusGateway
import Testing

/// The live gateway runs the lifecycle's budget reservation modes and semantic cache: `clamp` sends the lowered
/// `max_tokens` upstream, `none` sends the client's and reserves nothing, and a wrong semantic match counted as
/// a failure is answered 502 `wrong_cached_answer`.
@Suite struct GatewayBudgetModesTests {
    @Test func clampSendsTheLoweredMaxTokensUpstream() async throws {
        // $0.001 at $2 per million output tokens covers under 500 output tokens: max_tokens 1000 does not fit,
        // so the worst case would be refused (see GatewayRoutingTests); clamped, it is sent with what fits.
        let harness = try await GatewayHarness.start(LiveFixture.scenario(budget: "budget: {monthly: $0.001, action: block, reservation: clamp}"))
        defer { Task { await harness.stop() } }
        let reply = try await harness.chat(extra: #", "max_tokens": 1000"#)
        #expect(reply.status == 200)
        let sent = try #require(harness.upstream.calls(to: "alpha").first?.maxTokens)
        #expect(sent < 500 && sent > 400)
    }

    @Test func noneSendsTheClientsMaxTokens() async throws {
        let harness = try await GatewayHarness.start(LiveFixture.scenario(budget: "budget: {monthly: $0.001, action: block, reservation: none}"))
        defer { Task { await harness.stop() } }
        let reply = try await harness.chat(extra: #", "max_tokens": 1000"#)
        #expect(reply.status == 200)
        #expect(harness.upstream.calls(to: "alpha").first?.maxTokens == 1000)
    }

    @Test func aWrongSemanticMatchCountedAsAFailureIsA502() async throws {
        let scenario = LiveFixture.scenario().replacingOccurrences(
            of: "  hit_latency: 0ms",
            with: "  hit_latency: 0ms\n  semantic: {hit_probability: 0%, false_hit_probability: 100%, lookup_latency: 0ms, false_hits: fail}")
        let harness = try await GatewayHarness.start(scenario)
        defer { Task { await harness.stop() } }
        // A class with a cache TTL (without one the cache is bypassed). Nothing is stored yet: the first question
        // reaches the model and its answer is stored.
        let cacheable = ["x-nexus-class": "chat"]
        #expect(try await harness.chat(prompt: "first question", headers: cacheable).status == 200)
        // Another question: the semantic match returns the first's answer, which is wrong.
        let wrong = try await harness.chat(prompt: "another question", headers: cacheable)
        #expect(wrong.status == 502)
        #expect(wrong.errorCode == "wrong_cached_answer")
        #expect(harness.upstream.calls(to: "alpha").count == 1)
    }
}
