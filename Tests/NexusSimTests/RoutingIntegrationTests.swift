import Foundation
import NexusGateway
import NexusScenario
import NexusSim
import Testing

/// The router and the simulated providers together: every number here follows from the scenario's
/// constants (constant latencies, certain errors), so the expectations are exact.
@Suite struct RoutingIntegrationTests {
    /// A two-model scenario: `a/fast` and `b/backup` in one priority tier, constant latencies, 1 request/s.
    static func scenario(
        routing: String = "retries: none", modelA: String = "ttft: 100ms", modelB: String = "ttft: 200ms",
        providerA: String = "", duration: String = "10m", rate: String = "1/s", tokens: String = "input_tokens: 1000, output_tokens: 100"
    ) throws -> Scenario {
        try ScenarioLoader.parse(text: """
            name: routing-test
            simulation: {duration: \(duration), warmup: 0s, drain: 10m}
            gateway: {instances: 1, concurrency: 1000}
            routing: {\(routing)}
            providers:
              - name: a
                classifications: [public]
                \(providerA)
                models:
                  - {name: fast, price: {input_per_mtok: $1, output_per_mtok: $10}, \(modelA)}
              - name: b
                classifications: [public]
                models:
                  - {name: backup, price: {input_per_mtok: $2, output_per_mtok: $20}, \(modelB)}
            tiers: [{name: t, models: [a/fast, b/backup]}]
            traffic:
              arrivals: {process: poisson, rate: \(rate)}
              classes: [{name: c, share: 100%, tier: t, \(tokens)}]
            """)
    }

    static func run(_ scenario: Scenario, seed: UInt64 = 1) -> RunSummary {
        Simulation(plan: SimulationPlan(scenario), baseSeed: seed).run()
    }

    @Test func retriesThenFallbackWithBackoffWithinJitterBounds() throws {
        // a/fast always fails with 503 after 100 ms; 2 retries (backoff 0–250 ms, then 0–500 ms), then b/backup.
        let s = Self.run(try Self.scenario(
            routing: "retries: {max: 2, backoff: 250ms, max_backoff: 8s}",
            modelA: "ttft: 100ms, errors: {503: 100%}"))
        let a = s.byModel[0], b = s.byModel[1]
        #expect(s.requests > 500)
        #expect(s.succeeded == s.requests)
        #expect(a.attempts == 3 * s.requests)
        #expect(a.requests == s.requests)
        #expect(a.failures(.serverError) == a.attempts)
        #expect(b.attempts == s.requests && b.successes == s.requests)
        // Latency = 3 × 100 ms + backoffs (jitter in [0, 250 ms] and [0, 500 ms]) + 200 ms.
        let minimum = 500.0, maximum = 500.0 + 250 + 500
        #expect(s.latency.histogram.min >= UInt64(minimum * 1000 * 0.999))
        #expect(Double(s.latency.histogram.max) <= maximum * 1000 * 1.001)
        // Full jitter averages half of each ceiling: 125 + 250 ms.
        let mean = s.latency.meanMillis!
        #expect(abs(mean - (minimum + 375)) < 15, "mean \(mean)")
    }

    @Test func withoutFallbacksTheLastErrorDecides() throws {
        let s = Self.run(try Self.scenario(routing: "retries: 1, fallbacks: false", modelA: "ttft: 100ms, errors: {503: 100%}"))
        #expect(s.succeeded == 0)
        #expect(s.count(.providerError) == s.requests)
        #expect(s.byModel[0].attempts == 2 * s.requests)
        #expect(s.byModel[1].attempts == 0)
    }

    @Test func rateLimitedAttemptsAreAnswered429AndOverflowToTheFallback() throws {
        // a/fast admits 10 requests per calendar minute; at 1 request/s the rest overflow to b/backup.
        let s = Self.run(try Self.scenario(
            routing: "retries: 2, circuit_breaker: none",
            modelA: "ttft: 100ms, limits: {requests_per_minute: 10, algorithm: fixed_window}"))
        let a = s.byModel[0]
        let minutes = 10
        // Requests refused in the last seconds of a minute get a Retry-After below the backoff cap and wait
        // for the next minute, so up to one extra minute's quota (served during the drain) can succeed.
        #expect(a.successes <= 10 * (minutes + 1) && a.successes >= 10 * (minutes - 1))
        #expect(a.failures(.rateLimited) > 0)
        #expect(s.succeeded == s.requests)
        // Retry-After (to the next minute) exceeds the 8 s backoff cap, so a refused request falls back at once.
        #expect(s.byModel[1].successes == s.requests - a.successes)
        #expect(a.attempts == a.successes + a.failures(.rateLimited))
    }

    @Test func aTokenBucketAdmitsItsBurstThenOneRefillAtATime() throws {
        // A 10/min bucket (burst: the whole minute) holds 10 and refills one every 6 s: over the 600 s of
        // arrivals at 1/s it admits 10 + 600 / 6 = 110, give or take the wait for the last refills.
        let s = Self.run(try Self.scenario(
            routing: "retries: 2, circuit_breaker: none",
            modelA: "ttft: 100ms, limits: {requests_per_minute: 10}"))
        let a = s.byModel[0]
        #expect(a.successes >= 108 && a.successes <= 112, "\(a.successes)")
        #expect(a.failures(.rateLimited) > 0)
        #expect(s.succeeded == s.requests)
        #expect(s.byModel[1].successes == s.requests - a.successes)
        #expect(a.attempts == a.successes + a.failures(.rateLimited))
    }

    @Test func attemptTimeoutCutsTheStreamAndBillsWhatWasProduced() throws {
        // First token after 10 ms, then 10 tokens/s for 100 tokens (10 s); the 1 s timeout cuts it after
        // 990 ms of streaming: 9 tokens. Fallback b answers in full.
        let s = Self.run(try Self.scenario(
            routing: "retries: none, attempt_timeout: 1s",
            modelA: "ttft: 10ms, tokens_per_second: 10"))
        let a = s.byModel[0], b = s.byModel[1]
        #expect(a.failures(.timeout) == s.requests)
        #expect(a.outputTokens == 9 * s.requests)
        #expect(a.inputTokens == 1000 * s.requests)
        let expectedA = Double(s.requests) * (1000 * 1e-6 + 9 * 10e-6)
        #expect(abs(a.cost.dollars - expectedA) < 1e-9 * Double(s.requests))
        #expect(b.successes == s.requests)
        #expect(s.latency.histogram.min >= 1_199_000)  // 1 s timeout + 200 ms fallback
    }

    @Test func deadlineEndsTheRequest() throws {
        let s = Self.run(try Self.scenario(routing: "retries: 3, deadline: 500ms", modelA: "ttft: 1s"))
        #expect(s.count(.deadlineExceeded) == s.requests)
        #expect(s.byModel[1].attempts == 0)
    }

    @Test func hedgedAttemptWinsAndTheLoserIsCancelledAndPaidForItsTokens() throws {
        // a: first token at 50 ms, then 10 tokens/s (10 s for 100 tokens). Hedge after 200 ms to b, which
        // answers in 10 ms + 100 tokens / 1000 tokens/s = 110 ms, i.e. at 310 ms. a has streamed
        // (310 − 50) ms × 10/s = 2 tokens by then.
        let s = Self.run(try Self.scenario(
            routing: "retries: none, hedge_after: 200ms",
            modelA: "ttft: 50ms, tokens_per_second: 10",
            modelB: "ttft: 10ms, tokens_per_second: 1000"))
        let a = s.byModel[0], b = s.byModel[1]
        #expect(s.succeeded == s.requests)
        #expect(b.successes == s.requests)
        #expect(a.failures(.cancelled) == s.requests)
        #expect(a.outputTokens == 2 * s.requests)
        #expect(abs(s.latency.meanMillis! - 310) < 0.5)
        // Both attempts are paid for.
        let expected = Double(s.requests) * ((1000 * 1e-6 + 2 * 10e-6) + (1000 * 2e-6 + 100 * 20e-6))
        #expect(abs(s.modelCost.dollars - expected) < 1e-9 * Double(s.requests))
    }

    @Test func circuitBreakerStopsSendingToAFailingModel() throws {
        // a always fails; after 5 failures in the window its breaker opens for 30 s, then one probe.
        let s = Self.run(try Self.scenario(
            routing: "retries: none, circuit_breaker: {window: 60s, min_requests: 5, failure_threshold: 50%, cooldown: 30s}",
            modelA: "ttft: 100ms, errors: {500: 100%}"))
        let a = s.byModel[0]
        // 10 minutes: 5 failures to open, then one failed probe per 30 s cooldown ≈ 5 + 20.
        #expect(a.attempts >= 20 && a.attempts <= 30, "attempts at a: \(a.attempts)")
        #expect(s.succeeded == s.requests)
    }

    @Test func scheduledOutageFailsFastAndFailsOver() throws {
        // a is down from minute 2 to minute 4: its attempts fail with connection errors, b takes over.
        let s = Self.run(try Self.scenario(
            routing: "retries: none, circuit_breaker: none",
            providerA: "outages: [{start: 2m, duration: 2m, mode: down}]\n    fast_failure_latency: 20ms"))
        let a = s.byModel[0]
        let outage = s.series.providerOutage[0]
        #expect(outage[1] == 0 && outage[2] == 1 && outage[3] == 1 && outage[4] == 0)
        #expect(a.failures(.connectionError) > 90 && a.failures(.connectionError) < 160)
        #expect(s.succeeded == s.requests)
        let failuresByMinute = s.series.providerFailures.map { $0[0] }
        #expect(failuresByMinute[0] == 0 && failuresByMinute[1] == 0 && failuresByMinute[2] > 40 && failuresByMinute[5] == 0)
    }

    @Test func degradedOutageMultipliesLatency() throws {
        let s = Self.run(try Self.scenario(
            routing: "retries: none",
            providerA: "outages: [{start: 0s, duration: 1h, mode: degraded, latency_factor: 4, error_rate: 0%}]"))
        #expect(abs(s.latency.meanMillis! - 400) < 0.5)
    }

    @Test func totalModelCostIsTheSumOfAttemptTokensTimesPrices() throws {
        // Random errors, timeouts and retries: every attempt's tokens priced must add up to the total.
        let s = Self.run(try Self.scenario(
            routing: "retries: 2, attempt_timeout: 2s",
            modelA: "ttft: {dist: exponential, mean: 300ms}, tokens_per_second: {dist: gamma, mean: 80, cv: 0.5}, errors: {500: 5%, 429: 5%}",
            modelB: "ttft: 200ms, tokens_per_second: 100",
            tokens: "input_tokens: {dist: lognormal, median: 800, p95: 3000}, output_tokens: {dist: lognormal, median: 150, p95: 600}"))
        let prices: [(input: Double, output: Double)] = [(1e-6, 10e-6), (2e-6, 20e-6)]
        var fromTokens = 0.0
        for (stats, price) in zip(s.byModel, prices) {
            fromTokens += Double(stats.inputTokens) * price.input + Double(stats.outputTokens) * price.output
        }
        #expect(abs(s.modelCost.dollars - fromTokens) < 1e-9 * fromTokens)
        #expect(s.byModel[0].failures(.timeout) > 0)
        #expect(s.complianceViolations == 0)
    }
}
