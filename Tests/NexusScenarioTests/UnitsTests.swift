import Foundation
import NexusGateway
import NexusScenario
import Testing

/// Units are internal to the module, so each form is checked through the loader, in a key that takes it.
@Suite("Units")
struct UnitsTests {
    /// The run loop's rounding must be `(seconds * 1e9).rounded()` exactly, at the halves, just below them
    /// (where adding 0.5 first would round up), for negatives, and above 2^52 (where every double is whole
    /// and adding 0.5 would move an odd value to the next even one).
    @Test("Nanoseconds(roundingSeconds:) rounds exactly as rounded() does", arguments: [
        0.0, 0.5e-9, 1.5e-9, 2.5e-9, -0.5e-9, -2.5e-9, 0.49999999999999994e-9, -0.49999999999999994e-9,
        1.2345678905, 0.0123456789, 86_400.0000000005, 4_503_599.627370497, 9_007_199.254740991, -3_000.0000000015,
    ])
    func roundingSecondsMatchesRounded(seconds: Double) {
        #expect(Nanoseconds(roundingSeconds: seconds) == Int64((seconds * 1e9).rounded()), "\(seconds) s")
    }

    @Test func roundingSecondsMatchesRoundedOnManyValues() {
        var state: UInt64 = 42
        for _ in 0..<100_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            // Mantissa-rich values from a nanosecond to about a year, both signs.
            let magnitude = Double(state >> 11) / Double(1 << 53) * pow(10, Double(state % 17) - 9)
            let seconds = state & 1 == 0 ? magnitude : -magnitude
            #expect(Nanoseconds(roundingSeconds: seconds) == Int64((seconds * 1e9).rounded()), "\(seconds) s")
        }
    }

    @Test("durations convert to exact nanoseconds", arguments: [
        ("250ms", Int64(250_000_000)),
        ("1.5s", 1_500_000_000),
        ("5m", 300_000_000_000),
        ("2min", 120_000_000_000),
        ("24h", 86_400_000_000_000),
        ("7d", 604_800_000_000_000),
        ("1day", 86_400_000_000_000),
        ("2days", 172_800_000_000_000),
        ("500us", 500_000),
        ("500µs", 500_000),
        ("10ns", 10),
        ("1_000s", 1_000_000_000_000),
        ("3 s", 3_000_000_000),
    ])
    func duration(text: String, nanos: Int64) throws {
        let scenario = try parse(try replacing("duration: 1h", with: "duration: \(text)"))
        #expect(scenario.simulation.durationNanos == nanos)
    }

    @Test("a bare 0 is a duration, other bare numbers are not")
    func bareNumbers() throws {
        let zero = try parse(try replacing("concurrency: 10", with: "concurrency: 10\n  overhead: 0"))
        #expect(zero.gateway.overheadNanos == 0)

        let error = try parseError(try replacing("concurrency: 10", with: "concurrency: 10\n  overhead: 5"))
        #expect(error.keyPath == "gateway.overhead")
        #expect(error.message.contains("expected a duration"))
        #expect(error.message.contains("'5'"))
    }

    @Test("a duration in unknown units names what was expected and what was found")
    func unknownDurationUnit() throws {
        let error = try parseError(try replacing("duration: 1h", with: "duration: 5 parsecs"))
        #expect(error.location == .file(Fixture.file, line: 3, column: 13))
        #expect(error.keyPath == "simulation.duration")
        #expect(error.message.contains("expected a duration"))
        #expect(error.message.contains("5 parsecs"))
    }

    static let rates: [(String, Double)] = [
        ("12/s", 12),
        ("600/min", 10),
        ("1M/day", 1e6 / 86_400),
        ("5/h", 5.0 / 3600),
        ("4k/min", 4000.0 / 60),
        ("90/second", 90),
        ("0.5/s", 0.5),
    ]

    @Test("rates convert to events per second", arguments: rates)
    func rate(text: String, perSecond: Double) throws {
        let scenario = try parse(try replacing("rate: 12/s", with: "rate: \(text)"))
        #expect(abs(scenario.arrivalRate - perSecond) < 1e-12)
    }

    @Test("malformed rates are rejected with the expected form", arguments: ["12", "12/fortnight", "fast/s", "12/s/s"])
    func malformedRate(text: String) throws {
        let error = try parseError(try replacing("rate: 12/s", with: "rate: \"\(text)\""))
        #expect(error.keyPath == "traffic.arrivals.rate")
        #expect(error.message.contains("expected a rate"))
        #expect(error.message.contains(text))
    }

    @Test("prices per million tokens become prices per token", arguments: [
        ("$50", 50.0),
        ("$0.01", 0.01),
        ("$2.50", 2.5),
        ("\"$1,000\"", 1000.0),
        ("$0", 0.0),
    ])
    func money(text: String, perMillion: Double) throws {
        let scenario = try parse(try replacing("input_per_mtok: $2.50", with: "input_per_mtok: \(text)"))
        let perToken = scenario.firstModel.price.inputPerToken.dollars
        #expect(perToken == perMillion / 1e6)
        #expect(close(perToken * 1e6, perMillion))
        // The other price is untouched: $10 per Mtok.
        #expect(scenario.firstModel.price.outputPerToken.dollars == 10 / 1e6)
        #expect(scenario.firstModel.price.cachedInputPerToken == nil)
    }

    @Test("money without a dollar sign, or negative, is rejected", arguments: [
        ("50", "expected an amount of money"),
        ("-$5", "expected an amount of money"),
        ("$-5", "non-negative"),
        ("$abc", "expected an amount of money"),
    ])
    func badMoney(text: String, expected: String) throws {
        let error = try parseError(try replacing("input_per_mtok: $2.50", with: "input_per_mtok: \"\(text)\""))
        #expect(error.keyPath == "providers[0].models[0].price.input_per_mtok")
        #expect(error.message.contains(expected))
        #expect(error.message.contains(text))
    }

    @Test("percentages and fractions", arguments: [
        ("70%", 0.7),
        ("0.7", 0.7),
        ("2.5%", 0.025),
        ("0", 0.0),
        ("0%", 0.0),
        ("100%", 1.0),
        ("1", 1.0),
    ])
    func fraction(text: String, value: Double) throws {
        let scenario = try parse(try replacing("ttft: 800ms", with: "ttft: 800ms\n        error_rate: \(text)"))
        #expect(abs(scenario.firstModel.errorRate - value) < 1e-12)
    }

    @Test("counts accept metric suffixes", arguments: [
        ("4k", 4000),
        ("4K", 4000),
        ("1.5k", 1500),
        ("2M", 2_000_000),
        ("16_384", 16_384),
        ("512", 512),
    ])
    func count(text: String, value: Int) throws {
        let scenario = try parse(try replacing(
            "output_tokens: 200", with: "output_tokens: 200\n      max_output_tokens: \(text)"))
        #expect(scenario.firstClass.maxOutputTokens == value)
    }

    @Test("token amounts in distributions accept metric suffixes")
    func countInDistribution() throws {
        let scenario = try parse(try replacing("input_tokens: 1000", with: "input_tokens: 4k"))
        #expect(scenario.firstClass.inputTokens == .constant(4000))
    }

    @Test("a count that is not whole is rejected")
    func fractionalCount() throws {
        let error = try parseError(try replacing(
            "output_tokens: 200", with: "output_tokens: 200\n      max_output_tokens: 1.5"))
        #expect(error.keyPath == "traffic.classes[0].max_output_tokens")
        #expect(error.message.contains("expected a whole number"))
        #expect(error.message.contains("1.5"))
    }

    @Test("the minimal scenario's values in base units")
    func minimalValues() throws {
        let scenario = try parse(Fixture.minimal)
        #expect(scenario.name == "minimal")
        #expect(scenario.description == "")
        #expect(scenario.sourcePath == Fixture.file)
        #expect(scenario.sourceText == Fixture.minimal)
        #expect(scenario.simulation.durationNanos == 3_600_000_000_000)
        #expect(scenario.simulation.warmupNanos == 0)
        #expect(scenario.simulation.drainNanos == 600_000_000_000)
        #expect(scenario.simulation.seed == 1)
        #expect(scenario.simulation.replications == 1)
        #expect(scenario.simulation.seriesWindowNanos == 60_000_000_000)
        #expect(scenario.gateway.instances == 2)
        #expect(scenario.gateway.concurrencyPerInstance == 10)
        #expect(scenario.gateway.overheadNanos == 0)
        #expect(scenario.gateway.queueLimit == nil)
        #expect(scenario.gateway.queueTimeoutNanos == nil)
        #expect(scenario.providers.map(\.name) == ["sim"])
        #expect(scenario.providers[0].allowedClassifications == [.public, .internal])
        #expect(scenario.firstModel.name == "server")
        #expect(scenario.firstModel.contextWindowTokens == nil)
        #expect(scenario.firstModel.timeToFirstToken == .constant(0.8))
        #expect(scenario.firstModel.tokensPerSecond == nil)
        #expect(scenario.firstModel.errorRate == 0)
        #expect(scenario.firstModel.price.inputPerToken.dollars == 2.5 / 1e6)
        #expect(scenario.tiers.map(\.name) == ["standard"])
        #expect(scenario.tiers[0].strategy == .priority)
        #expect(scenario.tiers[0].models == ["sim/server"])
        #expect(scenario.arrivalRate == 12)
        #expect(scenario.firstClass.name == "chat")
        #expect(scenario.firstClass.share == 1)
        #expect(scenario.firstClass.tier == "standard")
        #expect(scenario.firstClass.classification == .public)
        #expect(scenario.firstClass.inputTokens == .constant(1000))
        #expect(scenario.firstClass.outputTokens == .constant(200))
        #expect(scenario.firstClass.maxOutputTokens == 4096)
        #expect(scenario.parameters.isEmpty)
        #expect(scenario.overrides.isEmpty)
        #expect(scenario.qualifiedModels.map(\.name) == ["sim/server"])
    }

    @Test("optional settings in base units")
    func optionalSettings() throws {
        let text = try variant(
            ("duration: 1h", "duration: 1h\n  warmup: 5m\n  drain: 30s\n  seed: 18_446_744_073_709_551_615\n  replications: 20\n  series_window: 10s"),
            ("concurrency: 10", "concurrency: 10\n  overhead: 2ms\n  queue_limit: 1k\n  queue_timeout: 45s"),
            ("ttft: 800ms", "ttft: 800ms\n        context_window: 128k\n        tokens_per_second: 60"),
            ("tier: standard", "tier: standard\n      classification: confidential"))
        let scenario = try parse(text)
        #expect(scenario.simulation.warmupNanos == 300_000_000_000)
        #expect(scenario.simulation.drainNanos == 30_000_000_000)
        #expect(scenario.simulation.seed == UInt64.max)
        #expect(scenario.simulation.replications == 20)
        #expect(scenario.simulation.seriesWindowNanos == 10_000_000_000)
        #expect(scenario.gateway.overheadNanos == 2_000_000)
        #expect(scenario.gateway.queueLimit == 1000)
        #expect(scenario.gateway.queueTimeoutNanos == 45_000_000_000)
        #expect(scenario.firstModel.contextWindowTokens == 128_000)
        #expect(scenario.firstModel.tokensPerSecond == .constant(60))
        #expect(scenario.firstClass.classification == .confidential)
    }

    @Test("'none' means no limit for the queue", arguments: ["none", "unbounded"])
    func unboundedQueue(word: String) throws {
        let scenario = try parse(try replacing(
            "concurrency: 10", with: "concurrency: 10\n  queue_limit: \(word)\n  queue_timeout: none"))
        #expect(scenario.gateway.queueLimit == nil)
        #expect(scenario.gateway.queueTimeoutNanos == nil)
    }
}
