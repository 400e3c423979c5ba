import NexusGateway
import NexusScenario
import NexusSim
import Testing

private let second: Nanoseconds = 1_000_000_000

private func record(first: Nanoseconds, ends: Nanoseconds, speed: Double, error: AttemptError? = nil) -> AttemptRecord {
    var r = AttemptRecord()
    r.startedAt = 0
    r.firstTokenAt = first
    r.endsAt = ends
    r.tokensPerSecond = speed
    r.error = error
    return r
}

@Suite("AttemptRecord")
struct AttemptRecordTests {
    /// (time in milliseconds, tokens produced by then)
    static let timeline: [(Int64, Int)] = [
        (0, 0), (500, 0), (1000, 0), (1010, 0), (1020, 1), (2000, 50), (2500, 75), (2999, 99), (3000, 100), (10_000, 100),
    ]

    @Test("a streamed answer: nothing before the first token, then speed × time, all of it at the end", arguments: timeline)
    func streamed(milliseconds: Int64, tokens: Int) {
        let time = milliseconds * 1_000_000
        // First token at 1 s, 50 tokens/s, 100 tokens: the last arrives at 3 s.
        #expect(record(first: second, ends: 3 * second, speed: 50).tokensProduced(by: time, outputTokens: 100) == tokens)
    }

    @Test("no first token: nothing produced")
    func noFirstToken() {
        for error: AttemptError? in [nil, .timeout, .serverError(status: 500)] {
            let r = record(first: -1, ends: 2 * second, speed: 50, error: error)
            #expect(r.tokensProduced(by: 10 * second, outputTokens: 100) == 0)
        }
        #expect(AttemptRecord().tokensProduced(by: second, outputTokens: 100) == 0)
    }

    @Test("an attempt cut short produces what streamed until then, never more than the output")
    func cutShort() {
        let timedOut = record(first: second, ends: 2 * second, speed: 50, error: .timeout)
        #expect(timedOut.tokensProduced(by: 2 * second, outputTokens: 100) == 50)
        #expect(timedOut.tokensProduced(by: 2 * second, outputTokens: 30) == 30)
        #expect(timedOut.tokensProduced(by: second, outputTokens: 100) == 0)
    }

    @Test("output that arrives with the first token (no generation speed) is produced in full at the end")
    func instantOutput() {
        // The simulator's record when a model has no tokens_per_second: endsAt == firstTokenAt, speed ∞.
        let r = record(first: 2 * second, ends: 2 * second, speed: .infinity)
        #expect(r.tokensProduced(by: 2 * second, outputTokens: 200) == 200)
        #expect(r.tokensProduced(by: 3 * second, outputTokens: 200) == 200)
        #expect(r.tokensProduced(by: 2 * second - 1, outputTokens: 200) == 0)
        #expect(r.tokensProduced(by: 2 * second, outputTokens: 0) == 0)
        // Cancelled after its first token with an infinite speed: everything, without trapping.
        let cut = record(first: second, ends: 2 * second, speed: .infinity, error: .timeout)
        #expect(cut.tokensProduced(by: 2 * second, outputTokens: 200) == 200)
    }

    @Test("a run whose model has no generation speed bills the output tokens")
    func billingWithoutSpeed() throws {
        let text = """
            name: billing
            simulation:
              duration: 60s
              drain: 1h
            gateway:
              instances: 4
              concurrency: 10
            providers:
              - name: sim
                classifications: [public]
                models:
                  - name: server
                    price: {input_per_mtok: $1, output_per_mtok: $2}
                    ttft: 500ms
            tiers:
              - name: standard
                models: [sim/server]
            traffic:
              arrivals: {process: poisson, rate: 2/s}
              classes:
                - {name: chat, share: 100%, tier: standard, input_tokens: 1000, output_tokens: 200}
            """
        let summary = Simulation(plan: SimulationPlan(try ScenarioLoader.parse(text: text)), baseSeed: 1).run()
        let model = summary.byModel[0]
        #expect(model.successes > 50)
        #expect(model.inputTokens == model.successes * 1000)
        #expect(model.outputTokens == model.successes * 200)
        #expect(abs(model.cost.dollars - Double(model.successes) * (1000e-6 + 400e-6)) < 1e-9)
    }
}
