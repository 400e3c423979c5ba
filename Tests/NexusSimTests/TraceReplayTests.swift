import Foundation
import NexusScenario
import NexusSim
import Testing

/// Replaying a recorded trace gives exactly the trace's requests and tokens, in every format.
@Suite struct TraceReplayTests {
    struct Case: Sendable, CustomStringConvertible {
        var file: String
        var format: String
        var columns: String = ""
        /// Column positions (CSV) or keys (JSON) of input and output tokens, to total them independently.
        var input: String
        var output: String
        var description: String { "\(format): \(file)" }
    }

    static let cases: [Case] = [
        Case(file: "azure.csv", format: "azure", input: "1", output: "2"),
        Case(file: "mooncake.jsonl", format: "mooncake", input: "input_length", output: "output_length"),
        Case(file: "burstgpt.csv", format: "burstgpt", input: "2", output: "3"),
        Case(file: "litellm.csv", format: "litellm", input: "4", output: "5"),
        Case(file: "litellm.jsonl", format: "litellm", input: "prompt_tokens", output: "completion_tokens"),
        Case(file: "generic.csv", format: "csv",
             columns: "columns: {timestamp: ts_ms, timestamp_unit: ms, input_tokens: tokens_in, output_tokens: tokens_out, user: team}",
             input: "1", output: "2"),
        Case(file: "generic.jsonl", format: "jsonl",
             columns: "columns: {timestamp: when, timestamp_unit: s, input_tokens: in, output_tokens: out, user: who}",
             input: "in", output: "out"),
    ]

    /// Rows, input and output totals computed from the file by plain splitting (independently of the readers).
    static func expectedTotals(_ c: Case) throws -> (rows: Int, input: Int, output: Int) {
        let json = c.file.hasSuffix(".jsonl")
        let lines = try TrafficFixtures.dataLines(c.file, header: !json)
        var input = 0, output = 0
        for line in lines {
            if json {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                input += (object[c.input] as! NSNumber).intValue
                output += (object[c.output] as! NSNumber).intValue
            } else {
                // The fixtures quote only the user column, which holds no commas.
                let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                input += Int(fields[Int(c.input)!])!
                output += Int(fields[Int(c.output)!])!
            }
        }
        return (lines.count, input, output)
    }

    static func scenario(_ c: Case, extra: String = "", duration: String = "1h") throws -> Scenario {
        try TrafficFixtures.scenario(duration: duration, traffic: """
              trace: {file: \(TrafficFixtures.path(c.file)), format: \(c.format)\(c.columns.isEmpty ? "" : ", " + c.columns)\(extra)}
              classes:
                - {name: x, share: 50%, tier: a, input_tokens: 1, output_tokens: 1, max_output_tokens: 16}
                - {name: y, share: 50%, tier: b, input_tokens: 1, output_tokens: 1, max_output_tokens: 16}
            """)
    }

    @Test(arguments: cases)
    func replayGivesExactlyTheTracesRequestsAndTokens(_ c: Case) throws {
        let expected = try Self.expectedTotals(c)
        #expect(expected.rows >= 20)
        let s = TrafficFixtures.run(try Self.scenario(c))
        #expect(s.requestsSimulated == expected.rows)
        #expect(s.requests == expected.rows)
        #expect(s.succeeded == expected.rows)
        #expect(s.traffic.inputTokens == expected.input)
        #expect(s.traffic.outputTokens == expected.output)
        // Every request answered once by a model with no errors: the models saw exactly the trace's tokens,
        // output included (max_output_tokens 16 does not cut the trace's answers).
        #expect(s.byModel.reduce(0) { $0 + $1.inputTokens } == expected.input)
        #expect(s.byModel.reduce(0) { $0 + $1.outputTokens } == expected.output)
        #expect(s.traffic.skippedRows == 0)
    }

    @Test func azureTimestampsAreReplayedToTheNanosecond() throws {
        let c = Self.cases[0]
        let arrivals = TrafficFixtures.arrivals(try Self.scenario(c))
        // 18:15:46.6805900 → 18:15:50.9951690 → 18:15:51.2224670 (second, third and fourth line).
        #expect(arrivals[0].time == 0)
        #expect(arrivals[1].time == 4_314_579_000)
        #expect(arrivals[2].time == 4_541_877_000)
        let last = try TrafficFixtures.dataLines(c.file, header: true).last!
        let lastTime = TimestampParser.iso8601Nanos(Array(last.split(separator: ",")[0].utf8))!
        let firstTime = TimestampParser.iso8601Nanos(Array("2023-11-16 18:15:46.6805900".utf8))!
        #expect(arrivals.last!.time == lastTime - firstTime)
    }

    @Test func mooncakePrefixBlocksAreKeptAndSamePromptsShareAnID() throws {
        let arrivals = TrafficFixtures.arrivals(try Self.scenario(Self.cases[1]))
        #expect(arrivals[0].prefixBlocks == Array(0...13))
        #expect(TrafficFixtures.arrivals(try Self.scenario(Self.cases[0]))[0].prefixBlocks == nil)
        #expect(arrivals[1].time == 0 && arrivals.contains { $0.time > 0 })
        let ids = Set(arrivals.map(\.promptID))
        #expect(ids.count == arrivals.count)  // the excerpt's block lists are all different
    }

    @Test func litellmUsersAreTheTracesDistinctUsers() throws {
        for file in ["litellm.csv", "litellm.jsonl"] {
            let c = Self.cases.first { $0.file == file }!
            let s = TrafficFixtures.run(try Self.scenario(c))
            let users = try String(contentsOfFile: TrafficFixtures.path(file), encoding: .utf8)
            let distinct = ["alice@example.com", "bob@example.com", "carol@example.com", "svc-batch"].filter { users.contains($0) }
            #expect(s.traffic.users.population == distinct.count)
            #expect(s.traffic.users.active == distinct.count)
            #expect(abs(s.traffic.users.costs.reduce(0, +) - s.totalCost.dollars) < 1e-9)
        }
    }

    // MARK: Rules

    @Test func rulesAssignClassesByModelTokenSizeAndShare() throws {
        // BurstGPT: GPT-4 rows → class y (tier b); ChatGPT rows with > 1000 prompt tokens → y; the rest → x.
        let lines = try TrafficFixtures.dataLines("burstgpt.csv", header: true).map { $0.split(separator: ",") }
        let toB = lines.filter { $0[1] == "GPT-4" || Int($0[2])! >= 1001 }.count
        let s = TrafficFixtures.run(try Self.scenario(Self.cases[2], extra: """
            , rules: [{model: "GPT-*", class: y}, {min_input_tokens: 1001, class: y}, {class: x}]
            """))
        #expect(s.byModel[1].requests == toB)
        #expect(s.byModel[0].requests == lines.count - toB)
        #expect(toB > 0 && toB < lines.count)
    }

    @Test func aShareRuleTakesItsShareOfTheRows() throws {
        // 2000 Azure rows; a 30 % rule to y, the rest to x by rule: binomial(2000, 0.3), sd 20.5.
        let path = TrafficFixtures.scenarios.appendingPathComponent("traces/azure-conv-2023-excerpt.csv").path
        let scenario = try TrafficFixtures.scenario(duration: "10m", traffic: """
              trace: {file: \(path), format: azure, rules: [{share: 30%, class: y}, {class: x}]}
              classes:
                - {name: x, share: 50%, tier: a, input_tokens: 1, output_tokens: 1}
                - {name: y, share: 50%, tier: b, input_tokens: 1, output_tokens: 1}
            """)
        let s = TrafficFixtures.run(scenario)
        #expect(s.requests == 2000)
        #expect(abs(Double(s.byModel[1].requests) - 600) < 4 * 20.5)
    }

    // MARK: Scaling and looping

    static let azureExcerpt = TrafficFixtures.scenarios.appendingPathComponent("traces/azure-conv-2023-excerpt.csv").path

    static func azure(_ extra: String, duration: String = "30m") throws -> Scenario {
        try TrafficFixtures.scenario(duration: duration, traffic: """
              trace: {file: \(azureExcerpt), format: azure\(extra)}
              classes: [{name: x, share: 100%, tier: a, input_tokens: 1, output_tokens: 1}]
            """)
    }

    @Test func integerRateScaleSuperposesExactCopies() throws {
        let s = TrafficFixtures.run(try Self.azure(", rate_scale: 3, copy_shift: 1m"))
        #expect(s.requestsSimulated == 3 * 2000)
        #expect(s.traffic.inputTokens == 3 * 2_209_565)
        #expect(s.traffic.outputTokens == 3 * 529_807)
    }

    @Test(arguments: [0.5, 2.5])
    func fractionalRateScaleGivesKTimesTheRequestsWithinSamplingError(_ k: Double) throws {
        // k < 1 thins every row; k = 2.5 adds two full copies and one thinned to 50 %: binomial error.
        let s = TrafficFixtures.run(try Self.azure(", rate_scale: \(k)"))
        let p = k - k.rounded(.down)
        let sd = (2000 * p * (1 - p)).squareRoot()
        #expect(abs(Double(s.requestsSimulated) - k * 2000) < 4 * sd, "\(s.requestsSimulated) for k = \(k)")
    }

    @Test func timeScaleCompressesTheGaps() throws {
        let normal = TrafficFixtures.arrivals(try Self.azure(""))
        let fast = TrafficFixtures.arrivals(try Self.azure(", time_scale: 4"))
        #expect(fast.count == 2000)
        for i in [1, 500, 1999] {
            #expect(abs(Double(fast[i].time) - Double(normal[i].time) / 4) <= 1)
        }
    }

    @Test func loopingFillsTheDurationWithWholePasses() throws {
        let stats = try TraceStats.scan(TraceSpec(path: Self.azureExcerpt, format: .azure))
        #expect(stats.rows == 2000)
        // Exactly three periods: three whole passes, the first row of the fourth falls on the end (excluded).
        let seconds = Double(stats.loopPeriodNanos) * 3 / 1e9
        let s = TrafficFixtures.run(try Self.azure(", loop: true", duration: "\(seconds)s"))
        #expect(s.requestsSimulated == 3 * 2000)
        // Looped and rate-scaled: each copy starts a period early, so every copy covers the whole run.
        let both = TrafficFixtures.run(try Self.azure(", loop: true, rate_scale: 2, copy_shift: 90s", duration: "\(seconds)s"))
        #expect(both.requestsSimulated == 6 * 2000)
    }

    // MARK: Bad rows

    @Test func aMalformedRowIsReportedWithFileAndLine() throws {
        let spec = TraceSpec(path: TrafficFixtures.path("bad-azure.csv"), format: .azure)
        #expect {
            try TraceStats.scan(spec)
        } throws: { error in
            let e = error as! TraceError
            return e.line == 4 && e.description.hasPrefix("\(spec.path):4: error: ")
                && e.message == "input tokens (column 2): expected a whole number of tokens from 0 to 1e9, found '87x9'"
        }
        let json = TraceSpec(path: TrafficFixtures.path("bad-mooncake.jsonl"), format: .mooncake)
        #expect {
            try TraceStats.scan(json)
        } throws: { error in
            let e = error as! TraceError
            return e.line == 3 && e.message.hasPrefix("malformed JSON at column 40: expected ',' or '}'")
        }
    }

    @Test func skipPolicyLeavesBadRowsOutAndCountsThem() throws {
        let stats = try TraceStats.scan(TraceSpec(path: TrafficFixtures.path("bad-azure.csv"), format: .azure, onBadRow: .skip))
        #expect(stats.rows == 4 && stats.skippedRows == 2)
        let scenario = try TrafficFixtures.scenario(traffic: """
              trace: {file: \(TrafficFixtures.path("bad-azure.csv")), format: azure, on_bad_row: skip}
              classes: [{name: x, share: 100%, tier: a, input_tokens: 1, output_tokens: 1}]
            """)
        let s = TrafficFixtures.run(scenario)
        #expect(s.requests == 4 && s.traffic.skippedRows == 2)
        #expect(s.traffic.inputTokens == 374 + 396 + 91 + 10)
    }

    @Test func missingColumnsAndUnknownClassesAreNamed() throws {
        let spec = TraceSpec(path: TrafficFixtures.path("generic.csv"), format: .csv,
                             columns: TraceColumns(timestamp: "ts_ms", timestampUnit: .ms, inputTokens: "token_in", outputTokens: "tokens_out"))
        #expect {
            try TraceStats.scan(spec)
        } throws: { error in
            (error as! TraceError).description.hasSuffix(
                ":1: error: the header has no column 'token_in'; columns: ts_ms, tokens_in, tokens_out, team, kind (did you mean 'tokens_in'?)")
        }
        var classes = spec
        classes.columns = TraceColumns(timestamp: "ts_ms", timestampUnit: .ms, inputTokens: "tokens_in", outputTokens: "tokens_out",
                                       requestClass: "kind")
        #expect {
            try TraceStats.scan(classes, classNames: ["chat", "batc"])
        } throws: { error in
            (error as! TraceError).message.hasPrefix("class 'batch' is not a request class of the scenario")
        }
        #expect(try TraceStats.scan(classes, classNames: ["chat", "batch"]).rows == 20)
    }

    @Test func readerMemoryDoesNotGrowWithTheTrace() throws {
        // A trace 10× longer than the excerpt (looped with shifted timestamps) keeps the same line buffer.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nexus-trace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let long = dir.appendingPathComponent("long.jsonl").path
        var text = ""
        for pass in 0..<10 {
            for i in 0..<2000 {
                text += "{\"timestamp\": \(pass * 3_600_000 + i * 100), \"input_length\": \(i), \"output_length\": 1}\n"
            }
        }
        try text.write(toFile: long, atomically: true, encoding: .utf8)
        let stats = try TraceStats.scan(TraceSpec(path: long, format: .mooncake))
        #expect(stats.rows == 20_000)
        #expect(stats.inputTokens == 10 * (1999 * 2000 / 2))
        let s = TrafficFixtures.run(try TrafficFixtures.scenario(duration: "11h", traffic: """
              trace: {file: \(long), format: mooncake}
              classes: [{name: x, share: 100%, tier: a, input_tokens: 1, output_tokens: 1}]
            """))
        #expect(s.requestsSimulated == 20_000)
        // Requests in flight, not requests replayed, bound the slab.
        #expect(s.peakRequestsInFlight < 100)
    }
}
