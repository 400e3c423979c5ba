import Foundation
import Testing
@testable import NexusLive

/// The live gateway in front of a scripted upstream on loopback: the lifecycle's decisions observed over HTTP.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct GatewayRoutingTests {
    @Test func answersWithTheEndpointAttemptsCacheAndCostHeaders() async throws {
        let harness = try await GatewayHarness.start(LiveFixture.scenario()) { upstream in
            upstream.script("alpha", [.answer(text: "Hi there", promptTokens: 10, completionTokens: 5)])
        }
        defer { Task { await harness.stop() } }
        let reply = try await harness.chat(extra: #", "max_tokens": 50"#)
        #expect(reply.status == 200)
        #expect(reply.headers["x-nexus-endpoint"] == "alpha/a1")
        #expect(reply.headers["x-nexus-attempts"] == "1")
        #expect(reply.headers["x-nexus-cache"] == "bypass")
        // 10 prompt tokens at $1/M + 5 completion tokens at $2/M.
        #expect(reply.headers["x-nexus-cost-usd"] == "0.00002000")
        let message = reply.json?.objectValue?["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue
        #expect(message?["content"] == .string("Hi there"))
        let call = try #require(harness.upstream.calls(to: "alpha").first)
        #expect(call.model == "a1")
        #expect(call.maxTokens == 50)
        #expect(harness.upstream.calls(to: "beta").isEmpty)
    }

    @Test func retriesA503ThenFallsBackToTheNextModel() async throws {
        let harness = try await GatewayHarness.start(LiveFixture.scenario()) { upstream in
            upstream.script("alpha", [.fail(status: 503, retryAfter: nil), .fail(status: 503, retryAfter: nil)])
            upstream.script("beta", [.answer(text: "from beta", promptTokens: 10, completionTokens: 5)])
        }
        defer { Task { await harness.stop() } }
        let reply = try await harness.chat()
        #expect(reply.status == 200)
        // One try and one retry at alpha (retries.max 1), then the fallback to beta.
        #expect(harness.upstream.calls(to: "alpha").count == 2)
        #expect(harness.upstream.calls(to: "beta").count == 1)
        #expect(reply.headers["x-nexus-attempts"] == "3")
        #expect(reply.headers["x-nexus-endpoint"] == "beta/b1")
        // Only the answer produced tokens: 10 × $3/M + 5 × $4/M.
        #expect(reply.headers["x-nexus-cost-usd"] == "0.00005000")
    }

    @Test func waitsForRetryAfterOnA429() async throws {
        // 30 ms: longer than the 10 ms backoff, within the 50 ms backoff cap, so the router waits for it.
        let harness = try await GatewayHarness.start(LiveFixture.scenario()) { upstream in
            upstream.script("alpha", [.fail(status: 429, retryAfter: "0.03"), .answer(text: "later", promptTokens: 10, completionTokens: 5)])
        }
        defer { Task { await harness.stop() } }
        let reply = try await harness.chat()
        #expect(reply.status == 200)
        let calls = harness.upstream.calls(to: "alpha")
        #expect(calls.count == 2)
        #expect(reply.headers["x-nexus-endpoint"] == "alpha/a1")
        // The retry honours Retry-After (30 ms) rather than the 10 ms backoff.
        if calls.count == 2 { #expect(calls[1].at.timeIntervalSince(calls[0].at) >= 0.029) }
        #expect(harness.upstream.calls(to: "beta").isEmpty)
    }

    @Test func aRetryAfterBeyondTheBackoffCapGoesToTheFallback() async throws {
        // 0.3 s exceeds the 50 ms backoff cap while another model can take the request now: the router falls back.
        let harness = try await GatewayHarness.start(LiveFixture.scenario()) { upstream in
            upstream.script("alpha", [.fail(status: 429, retryAfter: "0.3")])
            upstream.script("beta", [.answer(text: "from beta", promptTokens: 10, completionTokens: 5)])
        }
        defer { Task { await harness.stop() } }
        let reply = try await harness.chat()
        #expect(reply.status == 200)
        #expect(harness.upstream.calls(to: "alpha").count == 1)
        #expect(harness.upstream.calls(to: "beta").count == 1)
        #expect(reply.headers["x-nexus-endpoint"] == "beta/b1")
    }

    @Test func failsWithTheUpstreamsStatusWhenEverythingFails() async throws {
        let harness = try await GatewayHarness.start(LiveFixture.scenario()) { upstream in
            upstream.script("alpha", [], then: .fail(status: 503, retryAfter: nil))
            upstream.script("beta", [], then: .fail(status: 503, retryAfter: nil))
        }
        defer { Task { await harness.stop() } }
        let reply = try await harness.chat()
        #expect(reply.status == 503)
        #expect(reply.errorCode == "provider_error")
        #expect(reply.headers["x-nexus-attempts"] == "4")
    }

    @Test func theBreakerOpensAndStopsCallingTheFailingModel() async throws {
        let breaker = "circuit_breaker: {window: 60s, min_requests: 2, failure_threshold: 50%, cooldown: 60s}"
        let harness = try await GatewayHarness.start(LiveFixture.scenario(breaker: breaker)) { upstream in
            upstream.script("alpha", [], then: .fail(status: 500, retryAfter: nil))
        }
        defer { Task { await harness.stop() } }
        for _ in 0..<3 {
            let reply = try await harness.chat()
            #expect(reply.status == 200)
            #expect(reply.headers["x-nexus-endpoint"] == "beta/b1")
        }
        // The first request's two failures (try and retry) open alpha's breaker; later requests go to beta directly.
        #expect(harness.upstream.calls(to: "alpha").count == 2)
        #expect(harness.upstream.calls(to: "beta").count == 3)
        let metrics = try await harness.send("GET", "/metrics")
        #expect(metrics.body.contains(#"nexus_gateway_circuit_breaker_state{endpoint="alpha/a1"} 1"#))
        #expect(metrics.body.contains(#"nexus_gateway_circuit_breaker_state{endpoint="beta/b1"} 0"#))
    }

    @Test func aRepeatedPromptIsAnsweredFromTheCache() async throws {
        let harness = try await GatewayHarness.start(LiveFixture.scenario()) { upstream in
            upstream.script("alpha", [.answer(text: "cached text", promptTokens: 10, completionTokens: 5)])
        }
        defer { Task { await harness.stop() } }
        let first = try await harness.chat(prompt: "what is 2+2", headers: ["x-nexus-class": "chat"])
        let second = try await harness.chat(prompt: "what is 2+2", headers: ["x-nexus-class": "chat"])
        let other = try await harness.chat(prompt: "what is 3+3", headers: ["x-nexus-class": "chat"])
        #expect(first.headers["x-nexus-cache"] == "miss")
        #expect(second.headers["x-nexus-cache"] == "hit")
        #expect(second.headers["x-nexus-cost-usd"] == "0.00000000")
        #expect(second.headers["x-nexus-attempts"] == "0")
        #expect(other.headers["x-nexus-cache"] == "miss")
        let content = second.json?.objectValue?["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue?["content"]
        #expect(content == .string("cached text"))
        #expect(harness.upstream.calls(to: "alpha").count == 2)
        let metrics = try await harness.metrics(containing: "nexus_gateway_cache_hits_total 1")
        #expect(metrics.contains("nexus_gateway_cache_hits_total 1"))
        #expect(metrics.contains("nexus_gateway_cache_misses_total 2"))
    }

    @Test func theBudgetRefusesARequestItCannotCover() async throws {
        // Worst case of a request: its estimated prompt plus max_tokens 1000 at $2/M — over $0.001.
        let harness = try await GatewayHarness.start(LiveFixture.scenario(budget: "budget: {monthly: $0.001, action: block}"))
        defer { Task { await harness.stop() } }
        let reply = try await harness.chat(extra: #", "max_tokens": 1000"#)
        #expect(reply.status == 429)
        #expect(reply.errorCode == "budget_exceeded")
        #expect(reply.json?.objectValue?["error"]?.objectValue?["type"] == .string("insufficient_quota"))
        #expect(harness.upstream.calls.isEmpty)
        let small = try await harness.chat(extra: #", "max_tokens": 10"#)
        #expect(small.status == 200)
    }

    @Test func relaysAStreamChunkByChunkWithUsage() async throws {
        let harness = try await GatewayHarness.start(LiveFixture.scenario()) { upstream in
            upstream.script("alpha", [.stream(pieces: ["Hel", "lo", " world"], delayMilliseconds: 20, promptTokens: 7)])
        }
        defer { Task { await harness.stop() } }
        let reply = try await harness.chat(extra: #", "stream": true, "stream_options": {"include_usage": true}"#)
        #expect(reply.status == 200)
        #expect(reply.headers["content-type"] == "text/event-stream")
        #expect(reply.headers["x-nexus-endpoint"] == "alpha/a1")
        var parser = ServerSentEventParser()
        let events = try parser.feed(Array(reply.body.utf8))
        #expect(events.last?.isDone == true)
        var text = ""
        var usage: Usage?
        for event in events where !event.isDone {
            guard case .chunk(let chunk) = try ChatCompletionStreamEvent(event: event) else { continue }
            text += chunk.choices.compactMap(\.content).joined()
            if let value = chunk.usage { usage = value }
        }
        #expect(text == "Hello world")
        #expect(usage == Usage(promptTokens: 7, completionTokens: 3))
        #expect(harness.upstream.calls(to: "alpha").first?.stream == true)
        // The cost comes as an SSE comment before [DONE]: 7 × $1/M + 3 × $2/M.
        #expect(reply.body.contains(": x-nexus-cost-usd 0.00001300\n"))
    }

    @Test func aStreamWithoutUsageRequestedCarriesNoUsageChunk() async throws {
        let harness = try await GatewayHarness.start(LiveFixture.scenario()) { upstream in
            upstream.script("alpha", [.stream(pieces: ["a", "b"], delayMilliseconds: 0, promptTokens: 7)])
        }
        defer { Task { await harness.stop() } }
        let reply = try await harness.chat(extra: #", "stream": true"#)
        #expect(reply.status == 200)
        #expect(!reply.body.contains("prompt_tokens"))
        #expect(reply.body.hasSuffix("data: [DONE]\n\n"))
    }

    @Test func badInputGetsOpenAIErrors() async throws {
        let harness = try await GatewayHarness.start(LiveFixture.scenario())
        defer { Task { await harness.stop() } }
        let malformed = try await harness.chat(rawBody: #"{"model": "standard", "messages": ["#)
        #expect(malformed.status == 400)
        #expect(malformed.errorCode == "invalid_json")
        let missing = try await harness.chat(rawBody: #"{"model": "standard"}"#)
        #expect(missing.status == 400)
        #expect(missing.json?.objectValue?["error"]?.objectValue?["param"] == .string("messages"))
        let unknownTier = try await harness.chat(model: "gpt-5")
        #expect(unknownTier.status == 404)
        #expect(unknownTier.errorCode == "model_not_found")
        let unknownClass = try await harness.chat(headers: ["x-nexus-class": "nope"])
        #expect(unknownClass.status == 400)
        let badClassification = try await harness.chat(headers: ["x-nexus-classification": "secret"])
        #expect(badClassification.status == 400)
        let huge = try await harness.chat(prompt: String(repeating: "x", count: 1_100_000))
        #expect(huge.status == 413)
        // Restricted data: no model of the tier may receive it.
        let restricted = try await harness.chat(headers: ["x-nexus-classification": "restricted"])
        #expect(restricted.status == 403)
        #expect(restricted.errorCode == "no_compliant_route")
        #expect(harness.upstream.calls.isEmpty)
        let models = try await harness.send("GET", "/v1/models")
        let ids = models.json?.objectValue?["data"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue }
        #expect(ids == ["standard", "secure"])
        let health = try await harness.send("GET", "/health")
        #expect(health.status == 200)
    }

    @Test func confidentialDataOnlyGoesWhereItMay() async throws {
        let harness = try await GatewayHarness.start(LiveFixture.scenario())
        defer { Task { await harness.stop() } }
        let reply = try await harness.chat(headers: ["x-nexus-classification": "confidential"])
        #expect(reply.status == 200)
        // alpha may not receive confidential data: the router skips it.
        #expect(reply.headers["x-nexus-endpoint"] == "beta/b1")
        #expect(harness.upstream.calls(to: "alpha").isEmpty)
    }
}
