import Foundation
import Testing

/// `--trace FILE --trace-format FMT`, the shipped replay scenario, and bad traces as bad input.
@Suite struct TraceCommandTests {
    static func json(_ r: CLI.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    @Test func replayAzureCountsEveryRequestAndTokenOfTheExcerpt() throws {
        let r = try CLI.run(["run", "Scenarios/replay-azure.yaml", "--json", "--no-store"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try Self.json(r)
        #expect(object["requests"] as? Int == 2000)
        let traffic = try #require(object["traffic"] as? [String: Any])
        #expect(traffic["source"] as? String == "trace:azure")
        #expect(traffic["arrivals"] as? Int == 2000)
        #expect(traffic["input_tokens"] as? Int == 2_209_565)
        #expect(traffic["output_tokens"] as? Int == 529_807)
        #expect(traffic["skipped_rows"] as? Int == 0)
        // Same seed, same bytes.
        let again = try CLI.run(["run", "Scenarios/replay-azure.yaml", "--json", "--no-store"])
        #expect(again.stdout == r.stdout)
    }

    @Test func rateScaleParameterMultipliesTheRequests() throws {
        let r = try CLI.run(["run", "Scenarios/replay-azure.yaml", "--json", "--no-store", "--param", "rate_scale=3",
                             "--set", "simulation.duration=10m"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.json(r)["requests"] as? Int == 6000)
    }

    @Test(arguments: [("Tests/Fixtures/traces/mooncake.jsonl", "mooncake", 40), ("Tests/Fixtures/traces/litellm.csv", "litellm", 25),
                      ("Tests/Fixtures/traces/burstgpt.csv", "burstgpt", 30)])
    func traceFlagReplacesAnyScenariosArrivals(file: String, format: String, rows: Int) throws {
        let r = try CLI.run(["run", "Scenarios/baseline.yaml", "--trace", file, "--trace-format", format, "--json", "--no-store",
                             "--set", "simulation.warmup=0s", "--set", "simulation.duration=2h"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try Self.json(r)
        #expect(object["requests"] as? Int == rows)
        #expect((object["traffic"] as? [String: Any])?["source"] as? String == "trace:\(format)")
    }

    @Test func aMalformedTraceIsBadInputWithFileAndLine() throws {
        let r = try CLI.run(["run", "Scenarios/replay-azure.yaml", "--trace", "Tests/Fixtures/traces/bad-azure.csv", "--trace-format", "azure",
                             "--json", "--no-store"])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("Tests/Fixtures/traces/bad-azure.csv:4: error: input tokens (column 2): expected a whole number of tokens"))
    }

    @Test func skipPolicyCountsSkippedRowsInTheJSON() throws {
        let r = try CLI.run(["run", "Scenarios/replay-azure.yaml", "--trace", "Tests/Fixtures/traces/bad-azure.csv", "--trace-format", "azure",
                             "--set", "traffic.trace.on_bad_row=skip", "--json", "--no-store"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try Self.json(r)
        #expect(object["requests"] as? Int == 4)
        #expect((object["traffic"] as? [String: Any])?["skipped_rows"] as? Int == 2)
    }

    @Test func traceFormatNeedsTraceAndAKnownFormat() throws {
        let a = try CLI.run(["validate", "Scenarios/baseline.yaml", "--trace-format", "azure"])
        #expect(a.status == 64 && a.stderr.contains("--trace-format needs --trace FILE"))
        let b = try CLI.run(["validate", "Scenarios/baseline.yaml", "--trace", "x.csv", "--trace-format", "azur"])
        #expect(b.status == 64 && b.stderr.contains("--trace-format expects one of azure, mooncake, burstgpt, litellm, csv, jsonl, found 'azur'"))
    }

    @Test func businessWeekReportsUsersAndConversations() throws {
        let r = try CLI.run(["run", "Scenarios/business-week.yaml", "--json", "--no-store", "--set", "simulation.duration=2h",
                             "--param", "daily_requests=100k"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try Self.json(r)
        let users = try #require(object["users"] as? [String: Any])
        #expect(users["population"] as? Int == 2000)
        let requests = try #require(object["requests"] as? Int)
        let traffic = try #require(object["traffic"] as? [String: Any])
        let conversations = try #require(traffic["conversations"] as? Int)
        #expect(conversations < requests)  // multi-turn conversations
        let cost = try #require(object["cost_usd"] as? [String: Any])
        let perConversation = try #require(cost["per_conversation"] as? Double), perRequest = try #require(cost["per_request"] as? Double)
        #expect(perConversation > perRequest)
    }
}
