import Foundation
import NexusGateway
import NexusScenario
import Testing
@testable import NexusLive

/// The gateway's parts that need no network: upstream error reading, audit times, the state file, the queue.
@Suite struct GatewayPartsTests {
    @Test func upstreamStatusesBecomeTheRoutersAttemptErrors() {
        let plain = OpenAIError(status: 500, message: "x")
        #expect(UpstreamAttemptResult.classify(status: 429, retryAfter: 2_000_000_000, error: plain) == .rateLimited(retryAfter: 2_000_000_000))
        #expect(UpstreamAttemptResult.classify(status: 503, retryAfter: nil, error: plain) == .serverError(status: 503))
        #expect(UpstreamAttemptResult.classify(status: 401, retryAfter: nil, error: plain) == .serverError(status: 401))
        let tooLong = OpenAIError(status: 400, message: "too long", code: "context_length_exceeded")
        #expect(UpstreamAttemptResult.classify(status: 400, retryAfter: nil, error: tooLong) == .contextWindowExceeded)
        #expect(UpstreamAttemptResult.retryAfter(milliseconds: "1500", seconds: "9") == 1_500_000_000)
        #expect(UpstreamAttemptResult.retryAfter(milliseconds: nil, seconds: " 0.25 ") == 250_000_000)
        #expect(UpstreamAttemptResult.retryAfter(milliseconds: nil, seconds: "Wed, 21 Oct 2026 07:28:00 GMT") == nil)
        #expect(UpstreamAttemptResult.retryAfter(milliseconds: "-1", seconds: nil) == nil)
        #expect(UpstreamAttemptResult.retryAfter(milliseconds: nil, seconds: "1e400") == nil)
    }

    @Test func auditTimesAreUTCWithMilliseconds() {
        #expect(AuditRecord.iso8601(epochNanos: 0) == "1970-01-01T00:00:00.000Z")
        // 2026-12-02T01:30:05.123Z
        let days = CivilTime.days(year: 2026, month: 12, day: 2)
        let nanos = days * CivilTime.nanosPerDay + ((1 * 3600 + 30 * 60 + 5) * 1000 + 123) * 1_000_000 + 999_999
        #expect(AuditRecord.iso8601(epochNanos: nanos) == "2026-12-02T01:30:05.123Z")
        #expect(AuditRecord.iso8601(epochNanos: -1_000_000) == "1969-12-31T23:59:59.999Z")
    }

    @Test func theStateFileKeepsReservationsAndSettlements() throws {
        let path = LiveFixture.temporaryPath("state.sqlite")
        do {
            let store = try BudgetStateStore(path: path)
            store.reserve(day: 20_000, user: "ann", team: "", amount: USD(0.5))
            store.reserve(day: 20_000, user: "ann", team: "", amount: USD(0.25))
            store.settle(day: 20_000, user: "ann", team: "", reserved: USD(0.5), actual: USD(0.125))
            store.reserve(day: 19_990, user: "", team: "ops", amount: USD(1))
            store.settle(day: 19_990, user: "", team: "ops", reserved: USD(1), actual: USD(1))
        }
        let reopened = try BudgetStateStore(path: path)
        // The outstanding 0.25 of the first process counts as spent.
        let rows = try reopened.resume(fromDay: 19_995)
        #expect(rows == [BudgetStateStore.Row(day: 20_000, user: "ann", team: "", settledUSD: 0.375, reservedUSD: 0)])
        #expect(try reopened.resume(fromDay: 0).count == 2)
        #expect(throws: GatewayConfigurationError.self) { try BudgetStateStore(path: "/nonexistent-dir/state.sqlite") }
    }

    @Test func theQueueAdmitsInOrderAndRefusesWhenFull() async {
        let queue = AdmissionQueue(slots: 1, queueLimit: 1, queueTimeoutNanos: nil)
        #expect(await queue.acquire() == .admitted)
        let waiter = Task { await queue.acquire() }
        while queue.depth == 0 { await Task.yield() }
        #expect(await queue.acquire() == .queueFull)
        queue.release()
        #expect(await waiter.value == .admitted)
        #expect(queue.inFlight == 1 && queue.depth == 0)
        queue.release()
        #expect(queue.inFlight == 0)
        let timed = AdmissionQueue(slots: 1, queueLimit: nil, queueTimeoutNanos: 10_000_000)
        #expect(await timed.acquire() == .admitted)
        #expect(await timed.acquire() == .timedOut)
    }

    @Test func upstreamsFollowTheEmulatorsLayoutOrTheScenario() throws {
        let scenario = try ScenarioLoader.parse(text: LiveFixture.scenario())
        let emulated = try UpstreamDirectory(scenario: scenario, upstreamsBase: "http://127.0.0.1:9000/", environment: [:])
        #expect(emulated.upstreams.map(\.chatCompletionsURL) == [
            "http://127.0.0.1:9000/alpha/v1/chat/completions", "http://127.0.0.1:9000/beta/v1/chat/completions",
        ])
        #expect(emulated.upstreams.map(\.model) == ["a1", "b1"])
        #expect(throws: GatewayConfigurationError("provider 'alpha' has no base_url; set providers[].base_url in the scenario or pass --upstreams BASE")) {
            try UpstreamDirectory(scenario: scenario, upstreamsBase: nil, environment: [:])
        }
        let configured = try ScenarioLoader.parse(text: LiveFixture.scenario()
            .replacingOccurrences(of: "  - name: alpha\n", with: "  - name: alpha\n    base_url: https://alpha.example/v1\n    api_key_env: ALPHA_KEY\n")
            .replacingOccurrences(of: "  - name: beta\n", with: "  - name: beta\n    base_url: https://beta.example/v1\n"))
        #expect(throws: GatewayConfigurationError("provider 'alpha': the environment variable ALPHA_KEY (its api_key_env) is not set")) {
            try UpstreamDirectory(scenario: configured, upstreamsBase: nil, environment: [:])
        }
        let keyed = try UpstreamDirectory(scenario: configured, upstreamsBase: nil, environment: ["ALPHA_KEY": "sk-1"])
        #expect(keyed.upstreams.map(\.apiKey) == ["sk-1", nil])
        #expect(keyed.upstreams[0].chatCompletionsURL == "https://alpha.example/v1/chat/completions")
    }
}
