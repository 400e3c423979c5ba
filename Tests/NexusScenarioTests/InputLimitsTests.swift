import Foundation
import NexusGateway
import NexusScenario
import Testing

/// Numbers enter in range or not at all: each value the issue found trapping the simulator is refused where it
/// is decoded, with its key path, its location and the allowed range.
@Suite struct InputLimitsTests {
    /// The error for `--set path=value` on the minimal scenario.
    func setError(_ path: String, _ value: String, in text: String = Fixture.minimal) throws -> ScenarioError {
        try parseError(text, overrides: [Override(path: path, value: value)])
    }

    @Test func hpaTargetsOutsideKubernetesThousandthsAreRefused() throws {
        let hpa = try replacing("concurrency: 10", with: """
            concurrency: 10
              autoscaling: {policy: hpa, hpa: {metrics: [{type: in_flight, target: 5}]}}
            """)
        #expect(try parse(hpa).gateway.autoscaling != nil)
        for target in ["1e16", "0.0001", "0", "-3"] {
            let e = try parseError(hpa.replacingOccurrences(of: "target: 5", with: "target: \(target)"))
            #expect(e.keyPath == "gateway.autoscaling.hpa.metrics[0].target")
            #expect(e.message.contains("from 0.001 to 1000000"), "\(e.message)")
            #expect(e.location != nil)
        }
    }

    @Test func distributionsThatCanDrawAbsurdValuesAreRefused() throws {
        let cases: [(String, String, String)] = [
            ("{dist: lognormal, mu: 0, sigma: 1000}", "ttft.sigma", "from 1e-09 to 4"),
            ("{dist: gamma, mean: 1s, cv: 1e308}", "ttft.cv", "from 0.0001 to 10"),
            ("{dist: lognormal, mean: 1s, cv: 1e308}", "ttft.cv", "from 1e-09 to 2980"),
            ("{dist: lognormal, median: 1s, p95: 1000s}", "ttft.p95", "at most 720 times the median"),
            ("{dist: gamma, shape: 0.001, scale: 1s}", "ttft.shape", "from 0.01 to 100000000"),
            ("{dist: lognormal, mu: 400, sigma: 1}", "ttft.mu", "from -50 to"),
            ("{dist: exponential, mean: 36526d}", "ttft.mean", "at most 100 years"),
        ]
        for (dist, key, range) in cases {
            let e = try parseError(try replacing("ttft: 800ms", with: "ttft: \(dist)"))
            #expect(e.keyPath == "providers[0].models[0].\(key)", "\(dist): \(e)")
            #expect(e.message.contains(range), "\(dist): \(e.message)")
        }
        // Token counts and speeds: at most 1e9.
        let tokens = try parseError(try replacing("input_tokens: 1000", with: "input_tokens: {dist: gamma, mean: 1e12, cv: 1}"))
        #expect(tokens.keyPath == "traffic.classes[0].input_tokens.mean")
        #expect(tokens.message.contains("at most 1e9"))
        let speed = try parseError(try replacing("ttft: 800ms", with: "ttft: 800ms\n        tokens_per_second: {dist: gamma, mean: 50, cv: 1e308}"))
        #expect(speed.keyPath == "providers[0].models[0].tokens_per_second.cv")
    }

    @Test func timeScaleAndDatesOutsideTheClockAreRefused() throws {
        let e = try setError("simulation.start", "2300-01-01")
        #expect(e.keyPath == "simulation.start")
        #expect(e.message.contains("from 1678-01-01 to 2261-12-31"))
        #expect(try setError("simulation.start", "1600-06-01").message.contains("from 1678-01-01"))
        // A start in range whose run would pass 2262.
        let late = try setError("simulation.start", "2261-12-31T23:30:00Z")
        #expect(late.message.contains("after 2262-01-01"), "\(late.message)")
        #expect(try parse(Fixture.minimal, overrides: [Override(path: "simulation.start", value: "1678-01-01")]).simulation.startEpochNanos
            == CivilTime.days(year: 1678, month: 1, day: 1) * CivilTime.nanosPerDay)
        // Trace timestamps: a date in 2300 is not a timestamp the replay can represent.
        #expect(TimestampParser.iso8601Nanos(Array("2300-01-01 00:00:00".utf8)) == nil)
        #expect(TimestampParser.iso8601Nanos(Array("2261-12-31 23:59:59".utf8)) != nil)
    }

    @Test func seriesWindowsAreBoundedByCount() throws {
        let e = try setError("simulation.series_window", "1ns")
        #expect(e.keyPath == "simulation.series_window")
        // 1 h + the default 10 m drain = 4200 s in at most 1,000,000 windows: at least 4.2 ms.
        #expect(e.message.contains("at most 1000000 are kept: make series_window at least 0.0042s"), "\(e.message)")
        #expect(try parse(Fixture.minimal, overrides: [Override(path: "simulation.series_window", value: "4.2ms")]).simulation.seriesWindowNanos == 4_200_000)
        #expect(try setError("simulation.series_window", "0.0000000001s").message.contains("at least 1ns"))
    }

    @Test func ratesAreBoundedSoThatTheClockAdvances() throws {
        let e = try setError("traffic.arrivals.rate", "1e12/s")
        #expect(e.keyPath == "traffic.arrivals.rate")
        #expect(e.message.contains("at most 1M/s"))
        #expect(try parse(Fixture.minimal, overrides: [Override(path: "traffic.arrivals.rate", value: "1M/s")]).traffic.arrivals.meanRatePerSecond == 1e6)
        // So slow that one gap outlasts any run (and, drawn, would overflow the clock's nanoseconds).
        #expect(try setError("traffic.arrivals.rate", "1e-300/s").message.contains("at least 1 per 100 years"))
        #expect(try parse(Fixture.minimal, overrides: [Override(path: "traffic.arrivals.rate", value: "1/day")]).traffic.arrivals.meanRatePerSecond == 1.0 / 86_400)
        // In range alone, but a spike takes the peak over the limit.
        let spiked = try replacing("arrivals: {process: poisson, rate: 12/s}", with: """
            arrivals: {process: poisson, rate: 500k/s, spikes: [{start: 10m, duration: 1m, multiplier: 3}]}
            """)
        let peak = try parseError(spiked)
        #expect(peak.keyPath == "traffic.arrivals")
        #expect(peak.message.contains("peaks at 1500000/s"), "\(peak.message)")
    }

    @Test func durationsAndMoneyHaveCeilings() throws {
        #expect(try setError("simulation.duration", "36526d").message.contains("at most 100 years"))
        #expect(try setError("simulation.duration", "36525d").message.contains("duration plus drain may be at most 100 years"))
        let money = try setError("providers.sim.models.server.price.input_per_mtok", "$1e12")
        #expect(money.message.contains("at most $1,000,000,000"), "\(money)")
        #expect(try setError("traffic.trace", "{file: x.csv, format: azure, time_scale: 1e-12}").message.contains("from 0.001 to 1000"))
        let slots = try setError("gateway.concurrency", "10000000")
        #expect(slots.message.contains("20000000 request slots; at most 10000000"), "\(slots.message)")
        #expect(try setError("simulation.replications", "1000000000").message.contains("from 1 to 10000"))
    }
}

/// YAML is parsed within bounds: size, depth, and the expansion of aliases, each checked before anything is expanded.
@Suite struct BoundedParsingTests {
    @Test func anAliasBombIsRefusedWhereTheFirstAliasIsUsed() throws {
        // The billion laughs: 9 levels of 9 aliases, 9^9 ≈ 387 million values from under 400 bytes.
        var bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for level in 1..<9 {
            let name = Character(UnicodeScalar(97 + level)!), previous = Character(UnicodeScalar(96 + level)!)
            bomb += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
        }
        #expect(bomb.utf8.count < 400)
        let e = try parseError(bomb)
        guard case .file(_, let line, _)? = e.location else { Issue.record("no location: \(e)"); return }
        #expect(line == 2)  // b's list, whose first item is the first alias
        #expect(e.message.contains("more than 100000 values"), "\(e.message)")
        #expect(e.message.contains("the anchor at line 1"), "\(e.message)")
    }

    @Test func aliasesWithinTheLimitAreExpanded() throws {
        let text = try replacing("instances: 2\n  concurrency: 10", with: "instances: &two 2\n  concurrency: *two")
        #expect(try parse(text).gateway.concurrencyPerInstance == 2)
        // 4 levels of 9 aliases: 9^4 = 6561 values, well within 100,000; the scenario then fails on its keys.
        var moderate = "a: &a [1,1,1,1,1,1,1,1,1]\n"
        for level in 1..<4 {
            let name = Character(UnicodeScalar(97 + level)!), previous = Character(UnicodeScalar(96 + level)!)
            moderate += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
        }
        #expect(try parseError(moderate).message.contains("unknown key 'a'"))
    }

    @Test func deepNestingIsRefusedBeforeParsing() throws {
        let flow = "name: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let e = try parseError(flow)
        #expect(e.message.contains("more than 64 levels"))
        #expect(e.location == .file(Fixture.file, line: 1, column: 70))
        let block = (0..<200).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n")
        #expect(try parseError(block).message.contains("more than 64 levels"))
        // 60 levels are fine for the parser (the scenario then fails on its keys, not on its depth).
        let fine = "name: " + String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect(!(try parseError(fine).message.contains("levels")))
    }

    @Test func largeFilesAreRefusedBeforeTheyAreRead() throws {
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent("big.yaml").path
        FileManager.default.createFile(atPath: path, contents: Data((Fixture.minimal + "\n#" + String(repeating: "x", count: 1 << 20)).utf8))
        do {
            _ = try ScenarioLoader.load(path: path)
            Issue.record("a 1 MiB scenario loaded")
        } catch let e as ScenarioError {
            #expect(e.message.contains("at most 1048576 bytes"))
            #expect(e.location == .file(path, line: 1, column: 1))
        }
        #expect(try parseError(Fixture.minimal + "\n#" + String(repeating: "x", count: 1 << 20)).message.contains("at most 1048576 bytes"))
    }
}
