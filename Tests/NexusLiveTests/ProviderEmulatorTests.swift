import AsyncHTTPClient
import Foundation
import NexusLive
import NexusScenario
import NIOCore
import Testing

@Suite("Provider emulator over loopback HTTP", .serialized)
struct ProviderEmulatorTests {
    typealias H = EmulatorHarness

    @Test("a whole answer carries the hinted tokens; /stats totals and cost equal what was sent, at the scenario's prices")
    func statsMatchWhatWasSent() async throws {
        // $2 per million input tokens, $8 per million output tokens; 10 ms to first token; 1,000 tokens/s.
        let scenario = try H.scenario(models: """
                  - {name: a, price: {input_per_mtok: $2, output_per_mtok: $8}, ttft: 10ms, tokens_per_second: 1000}
                  - {name: b, price: {input_per_mtok: $1, output_per_mtok: $1}, ttft: 1ms}
            """)
        let emulator = try ProviderEmulator(scenario: scenario, speed: 100)
        try await H.with(emulator) { base in
            let sent = [(300, 40), (1200, 7), (50, 0)]
            for (input, output) in sent {
                let reply = try await H.chat(base, inputTokens: input, outputTokens: output)
                #expect(reply.status == 200)
                let usage = reply.json["usage"] as? [String: Any]
                #expect(usage?["prompt_tokens"] as? Int == input)
                #expect(usage?["completion_tokens"] as? Int == output)
                #expect(reply.json["model"] as? String == "a")
                let message = ((reply.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String
                #expect(message?.split(separator: " ").count == output)
            }
            let missing = try await H.chat(base, model: "nope")
            #expect(missing.status == 404)
            #expect((missing.json["error"] as? [String: Any])?["code"] as? String == "model_not_found")
            let stats = try await H.get("\(base)/stats").json
            let provider = (stats["providers"] as? [[String: Any]])?.first
            let models = provider?["models"] as? [[String: Any]] ?? []
            let a = models.first { $0["model"] as? String == "a" }
            #expect(a?["requests"] as? Int == 3)
            #expect((a?["responses"] as? [String: Any])?["200"] as? Int == 3)
            #expect(a?["input_tokens"] as? Int == 1550)
            #expect(a?["output_tokens"] as? Int == 47)
            let expectedCost = 1550 * 2e-6 + 47 * 8e-6
            #expect(abs((a?["cost_usd"] as? Double ?? 0) - expectedCost) < 1e-12)
            #expect(stats["unknown_model_requests"] as? Int == 1)
            let b = models.first { $0["model"] as? String == "b" }
            #expect(b?["requests"] as? Int == 0)
            let metrics = try await H.get("\(base)/metrics").text
            #expect(metrics.contains(#"nexus_emulator_requests_total{provider="p",model="a"} 3"#))
            #expect(metrics.contains(#"nexus_emulator_output_tokens_total{provider="p",model="a"} 47"#))
            #expect(try await H.get("\(base)/health").status == 200)
            let list = try await H.get("\(base)/p/v1/models").json["data"] as? [[String: Any]]
            #expect(list?.compactMap { $0["id"] as? String } == ["a", "b"])
            #expect(try await H.get("\(base)/q/v1/models").status == 404)
        }
    }

    @Test("output length: the hint capped by max_tokens (finish reason length); else the class's distribution")
    func outputLength() async throws {
        let scenario = try H.scenario(models: """
                  - {name: a, price: {input_per_mtok: $1, output_per_mtok: $1}, ttft: 1ms}
            """, output: "123")
        let emulator = try ProviderEmulator(scenario: scenario, speed: 1000)
        try await H.with(emulator) { base in
            let capped = try await H.chat(base, maxTokens: 10, outputTokens: 500)
            #expect((capped.json["usage"] as? [String: Any])?["completion_tokens"] as? Int == 10)
            #expect((capped.json["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String == "length")
            let drawn = try await H.chat(base)
            #expect((drawn.json["usage"] as? [String: Any])?["completion_tokens"] as? Int == 123)
            #expect((drawn.json["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String == "stop")
            // ~4 bytes a token when the request carries no x-nexus-input-tokens: 400 bytes of prompt.
            let estimated = try await H.chat(base, prompt: String(repeating: "abcd", count: 100))
            let prompt = (estimated.json["usage"] as? [String: Any])?["prompt_tokens"] as? Int ?? 0
            #expect((100...110).contains(prompt))
            let bad = try await H.chat(base, outputTokens: -3)
            #expect(bad.status == 400)
        }
    }

    @Test("a stream is paced at the sampled tokens/s: chunk count from ⌈r·K·5 ms⌉, duration at least the schedule's")
    func streamPacing() async throws {
        // 1 s to first token and 100 tokens/s in scenario time, at speed 100: 10 ms, then 10,000 tokens per
        // wall second in chunks of 50. 1001 tokens: the first alone, then 20 chunks; 10.01 s after the first token.
        let scenario = try H.scenario(models: """
                  - {name: a, price: {input_per_mtok: $1, output_per_mtok: $1}, ttft: 1s, tokens_per_second: 100}
            """)
        let emulator = try ProviderEmulator(scenario: scenario, speed: 100)
        try await H.with(emulator) { base in
            let request = H.chatRequest(base, stream: true, outputTokens: 1001)
            let start = ContinuousClock.now
            let response = try await H.client.execute(request, timeout: .seconds(30))
            #expect(response.status.code == 200)
            #expect(response.headers["content-type"].first == "text/event-stream")
            var text = ""
            var firstContentAt: ContinuousClock.Instant?
            for try await buffer in response.body {
                text += String(buffer: buffer)
                if firstContentAt == nil, text.contains("\"content\"") { firstContentAt = .now }
            }
            let elapsed = start.duration(to: .now)
            let events = H.events(text)
            #expect(events.last == "[DONE]")
            let chunks = events.dropLast().compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
            let contents = chunks.compactMap { c -> String? in
                ((c["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String
            }
            #expect(contents.count == 21)
            #expect(contents.first?.split(separator: " ").count == 1)
            #expect(contents.joined().split(separator: " ").count == 1001)
            let usage = chunks.last?["usage"] as? [String: Any]
            #expect(usage?["completion_tokens"] as? Int == 1001)
            // The schedule cannot be beaten: 10 ms + 100.1 ms of wall time at least; and it ends (bounded).
            #expect(elapsed >= .milliseconds(110))
            #expect(elapsed < .seconds(20))
            if let firstContentAt { #expect(start.duration(to: firstContentAt) >= .milliseconds(10)) }
            let stats = try await H.get("\(base)/stats").json
            let totals = stats["totals"] as? [String: Any]
            #expect(totals?["output_tokens"] as? Int == 1001)
            #expect(totals?["open_streams"] as? Int == 0)
        }
    }

    @Test("rate limits answer 429 with Retry-After and x-ratelimit headers from the limiter, in wall time")
    func rateLimitHeaders() async throws {
        let scenario = try H.scenario(models: """
                  - {name: a, price: {input_per_mtok: $1, output_per_mtok: $1}, ttft: 1ms, limits: {requests_per_minute: 2}}
            """)
        // Speed 6: a scenario minute is 10 wall seconds, far longer than the three requests take.
        let emulator = try ProviderEmulator(scenario: scenario, speed: 6)
        try await H.with(emulator) { base in
            #expect(try await H.chat(base, outputTokens: 1).status == 200)
            #expect(try await H.chat(base, outputTokens: 1).status == 200)
            let refused = try await H.chat(base, outputTokens: 1)
            #expect(refused.status == 429)
            #expect((refused.json["error"] as? [String: Any])?["type"] as? String == "rate_limit_error")
            #expect(refused.headers["x-ratelimit-limit-requests"].first == "2")
            #expect(refused.headers["x-ratelimit-remaining-requests"].first == "0")
            // The wait is at most a scenario minute, sent in wall time: 10 s at speed 6.
            let millis = Int(refused.headers["retry-after-ms"].first ?? "") ?? -1
            #expect((1...10_000).contains(millis))
            #expect(refused.headers["retry-after"].first == String((millis + 999) / 1000))
            #expect(refused.headers["x-ratelimit-reset-requests"].first != nil)
            let stats = try await H.get("\(base)/stats").json
            let responses = (stats["totals"] as? [String: Any])?["responses"] as? [String: Any]
            #expect(responses?["200"] as? Int == 2)
            #expect(responses?["429"] as? Int == 1)
        }
    }

    @Test("outages follow the schedule from server start at speed K: down → 503, then served again")
    func outageWindow() async throws {
        // Down for the first 60 scenario seconds: 0.6 s of wall time at speed 100.
        let scenario = try H.scenario(models: """
                  - {name: a, price: {input_per_mtok: $1, output_per_mtok: $1}, ttft: 1ms}
            """, providerExtra: "    outages: [{start: 0s, duration: 60s, mode: down}]")
        let emulator = try ProviderEmulator(scenario: scenario, speed: 100)
        try await H.with(emulator) { base in
            var statuses: [(Int, Int)] = []
            let start = ContinuousClock.now
            while start.duration(to: .now) < .milliseconds(1200) {
                let reply = try await H.chat(base, outputTokens: 1)
                let decidedAt = Int(reply.headers["x-nexus-provider-time-ms"].first ?? "") ?? -1
                statuses.append((decidedAt, reply.status))
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(!statuses.isEmpty)
            for (at, status) in statuses {
                #expect(at >= 0)
                #expect(status == (at < 60_000 ? 503 : 200), "decided at \(at) ms of scenario time")
            }
            #expect(statuses.contains { $0.1 == 503 } && statuses.contains { $0.1 == 200 })
        }
    }

    @Test("context windows answer 400 context_length_exceeded; background errors their status in OpenAI's JSON")
    func contextWindowAndBackgroundErrors() async throws {
        let scenario = try H.scenario(models: """
                  - {name: a, price: {input_per_mtok: $1, output_per_mtok: $1}, ttft: 1ms, context_window: 1000}
                  - {name: b, price: {input_per_mtok: $1, output_per_mtok: $1}, ttft: 1ms, errors: {502: 100%}}
            """)
        let emulator = try ProviderEmulator(scenario: scenario, speed: 100)
        try await H.with(emulator) { base in
            let tooLong = try await H.chat(base, inputTokens: 1001, outputTokens: 5)
            #expect(tooLong.status == 400)
            let error = tooLong.json["error"] as? [String: Any]
            #expect(error?["code"] as? String == "context_length_exceeded")
            #expect(error?["type"] as? String == "invalid_request_error")
            #expect(try await H.chat(base, inputTokens: 1000, outputTokens: 5).status == 200)
            let failing = try await H.chat(base, model: "b", outputTokens: 5)
            #expect(failing.status == 502)
            #expect((failing.json["error"] as? [String: Any])?["type"] as? String == "server_error")
            let stats = try await H.get("\(base)/stats").json
            let totals = stats["totals"] as? [String: Any]
            #expect((totals?["responses"] as? [String: Any])?["400"] as? Int == 1)
            #expect((totals?["responses"] as? [String: Any])?["502"] as? Int == 1)
            // Errors before the first token bill nothing.
            #expect(totals?["output_tokens"] as? Int == 5)
        }
    }

    @Test("same scenario and seed: the same decisions for the same request order; another seed: others")
    func deterministicDecisions() async throws {
        let scenario = try H.scenario(models: """
                  - {name: a, price: {input_per_mtok: $1, output_per_mtok: $1}, ttft: {dist: exponential, mean: 1s}, errors: {500: 30%, 503: 20%}}
            """, output: "{dist: lognormal, median: 200, p95: 900}")
        func decisions(seed: UInt64) async throws -> [String] {
            let emulator = try ProviderEmulator(scenario: scenario, seed: seed, speed: 1e5)
            return try await H.with(emulator) { base in
                var out: [String] = []
                for _ in 0..<40 {
                    let reply = try await H.chat(base)
                    let tokens = (reply.json["usage"] as? [String: Any])?["completion_tokens"] as? Int ?? -1
                    out.append("\(reply.status):\(tokens)")
                }
                return out
            }
        }
        let first = try await decisions(seed: 11)
        #expect(try await decisions(seed: 11) == first)
        #expect(try await decisions(seed: 12) != first)
        #expect(Set(first.map { $0.prefix(3) }) == ["200", "500", "503"])
    }
}
