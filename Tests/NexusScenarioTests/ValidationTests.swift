import Foundation
import NexusGateway
import NexusScenario
import Testing

/// Impossible values are rejected at load time, before anything runs.
@Suite("Validation")
struct ValidationTests {
    @Test("a rate must be positive", arguments: ["-5/s", "0/s", "0/min"])
    func nonPositiveRate(rate: String) throws {
        let error = try parseError(try replacing("rate: 12/s", with: "rate: \(rate)"))
        #expect(error.keyPath == "traffic.arrivals.rate")
        #expect(error.message.contains("expected a positive rate"))
        #expect(error.message.contains(rate))
        #expect(error.location == .file(Fixture.file, line: 18, column: 38))
    }

    @Test("a rate must be finite")
    func infiniteRate() throws {
        let error = try parseError(try replacing("rate: 12/s", with: "rate: 1e308k/s"))
        #expect(error.keyPath == "traffic.arrivals.rate")
    }

    @Test("probabilities outside [0, 1] are rejected", arguments: ["150%", "1.5", "-1%", "-0.1", "100.5%"])
    func errorRateOutOfRange(value: String) throws {
        let error = try parseError(try replacing("ttft: 800ms", with: "ttft: 800ms\n        error_rate: \(value)"))
        #expect(error.keyPath == "providers[0].models[0].error_rate")
        #expect(error.message.contains("from 0% to 100%"))
        #expect(error.message.contains(value))
        #expect(error.location == .file(Fixture.file, line: 14, column: 21))
    }

    @Test("a class's share must be above zero", arguments: ["0", "0%"])
    func zeroShare(share: String) throws {
        let text = try replacing("share: 30%", with: "share: \(share)", in: Fixture.twoClasses.replacingOccurrences(of: "share: 70%", with: "share: 100%"))
        let error = try parseError(text)
        #expect(error.keyPath == "traffic.classes[1].share")
        #expect(error.message.contains("above 0%"))
    }

    @Test("shares must add up to 100%, and the message shows the sum", arguments: [
        ("70%", "20%", "90%"),
        ("70%", "40%", "110%"),
        ("0.5", "0.25", "75%"),
        ("33.3%", "33.3%", "66.6%"),
    ])
    func sharesSum(first: String, second: String, sum: String) throws {
        let text = try variant(("share: 70%", "share: \(first)"), ("share: 30%", "share: \(second)"), of: Fixture.twoClasses)
        let error = try parseError(text)
        #expect(error.keyPath == "traffic.classes")
        #expect(error.message.contains("add up to \(sum);"), "message: \(error.message)")
        #expect(error.message.contains("100%"))
        #expect(error.location == .file(Fixture.file, line: 20, column: 5))
    }

    @Test("shares that add up to 100% within rounding are accepted")
    func sharesRounding() throws {
        let text = try variant(("share: 70%", "share: 0.1"), ("share: 30%", "share: 0.9"), of: Fixture.twoClasses)
        let scenario = try parse(text)
        #expect(scenario.traffic.classes.map(\.share) == [0.1, 0.9])
    }

    @Test("the warm-up must be shorter than the duration", arguments: ["1h", "60m", "2h"])
    func warmupTooLong(warmup: String) throws {
        let error = try parseError(try replacing("duration: 1h", with: "duration: 1h\n  warmup: \(warmup)"))
        #expect(error.keyPath == "simulation.warmup")
        #expect(error.message.contains("must be shorter than the duration (3600.0s)"))
        #expect(error.location == .file(Fixture.file, line: 4, column: 11))
    }

    @Test("a warm-up just under the duration is accepted")
    func warmupShorter() throws {
        let scenario = try parse(try replacing("duration: 1h", with: "duration: 1h\n  warmup: 59m"))
        #expect(scenario.simulation.warmupNanos == 3_540_000_000_000)
    }

    @Test("whole numbers out of range", arguments: [
        ("  instances: 2", "  instances: 0", "gateway.instances", "found 0"),
        ("  instances: 2", "  instances: -3", "gateway.instances", "found -3"),
        ("  instances: 2", "  instances: 2.5", "gateway.instances", "expected a whole number"),
        ("  concurrency: 10", "  concurrency: 0", "gateway.concurrency", "found 0"),
        ("  concurrency: 10", "  concurrency: 10\n  queue_limit: -1", "gateway.queue_limit", "found -1"),
        ("  duration: 1h", "  duration: 1h\n  replications: 0", "simulation.replications", "found 0"),
        ("  duration: 1h", "  duration: 1h\n  seed: -1", "simulation.seed", "found '-1'"),
        ("      output_tokens: 200", "      output_tokens: 200\n      max_output_tokens: 0", "traffic.classes[0].max_output_tokens", "found 0"),
        ("        ttft: 800ms", "        ttft: 800ms\n        context_window: 0", "providers[0].models[0].context_window", "found 0"),
    ])
    func wholeNumbers(old: String, new: String, keyPath: String, message: String) throws {
        let error = try parseError(try replacing(old, with: new))
        #expect(error.keyPath == keyPath)
        #expect(error.message.contains(message), "message: \(error.message)")
    }

    @Test("instances 0 names the range and the location")
    func zeroInstances() throws {
        let error = try parseError(try replacing("instances: 2", with: "instances: 0"))
        #expect(error.location == .file(Fixture.file, line: 5, column: 14))
        #expect(error.message == "expected a whole number from 1 to 100000, found 0")
    }

    @Test("durations must be positive where zero makes no sense", arguments: [
        ("  duration: 1h", "  duration: 0", "simulation.duration"),
        ("  duration: 1h", "  duration: -1h", "simulation.duration"),
        ("  duration: 1h", "  duration: 1h\n  series_window: 0s", "simulation.series_window"),
        ("  concurrency: 10", "  concurrency: 10\n  queue_timeout: 0s", "gateway.queue_timeout"),
        ("  concurrency: 10", "  concurrency: 10\n  overhead: -1ms", "gateway.overhead"),
    ])
    func nonPositiveDurations(old: String, new: String, keyPath: String) throws {
        let error = try parseError(try replacing(old, with: new))
        #expect(error.keyPath == keyPath)
        #expect(error.message.contains("duration"))
    }

    @Test("a duration too long for 64-bit nanoseconds is an error, not a crash", arguments: ["300000d", "1000000000h"])
    func durationOverflow(text: String) throws {
        let error = try parseError(try replacing("duration: 1h", with: "duration: \(text)"))
        #expect(error.keyPath == "simulation.duration")
        #expect(error.message.contains(text))
    }

    @Test("duplicate names", arguments: [
        ("providers", "duplicate provider name 'sim'", "providers[1]"),
        ("models", "duplicate model name 'server'", "providers[0].models[1]"),
        ("tiers", "duplicate tier name 'standard'", "tiers[1]"),
        ("classes", "duplicate request class name 'chat'", "traffic.classes[1]"),
    ])
    func duplicateNames(section: String, message: String, keyPath: String) throws {
        let text: String
        switch section {
        case "providers":
            text = try replacing("tiers:", with: """
                  - name: sim
                    classifications: [public]
                    models:
                      - name: other
                        price: {input_per_mtok: $1, output_per_mtok: $1}
                        ttft: 1s
                tiers:
                """)
        case "models":
            text = try replacing("        ttft: 800ms", with: """
                        ttft: 800ms
                      - name: server
                        price: {input_per_mtok: $1, output_per_mtok: $1}
                        ttft: 1s
                """)
        case "tiers":
            text = try replacing("traffic:", with: "  - name: standard\n    models: [sim/server]\ntraffic:")
        default:
            text = try variant(("share: 30%", "share: 30%"), ("- name: batch", "- name: chat"), of: Fixture.twoClasses)
        }
        let error = try parseError(text)
        #expect(error.keyPath == keyPath)
        #expect(error.message == message)
    }

    @Test("a tier needs at least one model")
    func emptyTier() throws {
        let error = try parseError(try replacing("models: [sim/server]", with: "models: []"))
        #expect(error.keyPath == "tiers[0].models")
        #expect(error.message.contains("at least one model"))
        #expect(error.location == .file(Fixture.file, line: 16, column: 13))
    }

    @Test("traffic needs at least one class")
    func noClasses() throws {
        let text = try replacing("""
              classes:
                - name: chat
                  share: 100%
                  tier: standard
                  input_tokens: 1000
                  output_tokens: 200
            """, with: "  classes: []")
        let error = try parseError(text)
        #expect(error.keyPath == "traffic.classes")
        #expect(error.message.contains("at least one request class"))
    }

    @Test("only Poisson arrivals exist")
    func arrivalProcess() throws {
        let error = try parseError(try replacing("process: poisson", with: "process: bursty"))
        #expect(error.keyPath == "traffic.arrivals.process")
        #expect(error.message.contains("'bursty'"))
        #expect(error.suggestion == nil)
    }

    @Test("names must be identifiers", arguments: [
        ("name: minimal", "name: my scenario", "name"),
        ("  - name: sim", "  - name: \"sim/x\"", "providers[0].name"),
        ("      - name: server", "      - name: a b", "providers[0].models[0].name"),
    ])
    func badNames(old: String, new: String, keyPath: String) throws {
        let error = try parseError(try replacing(old, with: new))
        #expect(error.keyPath == keyPath)
        #expect(error.message.contains("expected a name"))
    }

    @Test("a provider must list classifications from the known set")
    func classifications() throws {
        let error = try parseError(try replacing("[public, internal]", with: "[public, secret]"))
        #expect(error.keyPath == "providers[0].classifications[1]")
        #expect(error.message.contains("public, internal, confidential, restricted"))
        #expect(error.message.contains("'secret'"))
    }
}
