import Foundation
import NexusGateway
import NexusScenario
import Testing

/// `calibrate litellm-spend-logs` recovers the parameters a generated spend log was drawn with.
@Suite struct SpendLogCalibrationTests {
    /// SplitMix64: a reproducible source for the fixture.
    struct Source {
        var state: UInt64
        mutating func uniform() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) * 0x1p-53
        }
        mutating func normal() -> Double {
            let u = max(uniform(), 1e-300), v = uniform()
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
        /// Lognormal by median and p95.
        mutating func lognormal(median: Double, p95: Double) -> Double {
            median * exp(log(p95 / median) / 1.6448536269514722 * normal())
        }
    }

    /// The truth the fixture is drawn from.
    static let ttft = (median: 0.4, p95: 1.2), speed = (median: 60.0, p95: 90.0)
    static let share429 = 0.02, share500 = 0.01, cacheRate = 0.1, chatShare = 0.7, users = 40
    static let rows = 6000

    /// A CSV export: arrivals over two days at a rate twice as high 12:00–24:00 as 00:00–12:00 (UTC).
    static func fixture() -> String {
        var s = Source(state: 42)
        var lines = ["startTime,endTime,completionStartTime,model,model_group,api_base,prompt_tokens,completion_tokens,spend,status,cache_hit,user,team_id"]
        let start = 1_717_200_000.0  // 2024-06-01T00:00:00Z
        var emitted = 0, t = start
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        while emitted < rows {
            let hour = Int((t - start) / 3600) % 24
            t += -log(max(s.uniform(), 1e-12)) / (hour < 12 ? 0.0232 : 0.0464)
            let chat = s.uniform() < chatShare
            let model = chat ? "gpt-4o-mini" : "gpt-4o"
            let prompt = Int(s.lognormal(median: chat ? 800 : 2000, p95: chat ? 3000 : 6000).rounded())
            let completion = max(1, Int(s.lognormal(median: 200, p95: 700).rounded()))
            let ttft = s.lognormal(median: ttft.median, p95: ttft.p95)
            let speed = s.lognormal(median: speed.median, p95: speed.p95)
            let u = s.uniform()
            let status = u < share429 ? "429" : u < share429 + share500 ? "failure" : "success"
            let cached = status == "success" && s.uniform() < cacheRate
            let end = t + ttft + (status == "success" ? Double(completion) / speed : 0)
            let iso = { (x: Double) -> String in formatter.string(from: Date(timeIntervalSince1970: x)) }
            let spend = status == "success" && !cached ? Double(prompt) * 2.5e-6 + Double(completion) * 1e-5 : 0
            lines.append([iso(t), iso(end), status == "success" ? iso(t + ttft) : "", model, chat ? "chat" : "reasoning",
                          "https://api.openai.com", "\(prompt)", status == "success" ? "\(completion)" : "0", "\(spend)", status,
                          cached ? "True" : "False", "user-\(Int(s.uniform() * Double(users)))", "team-1"].joined(separator: ","))
            emitted += 1
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func recoversKnownParameters() throws {
        let records = try SpendLogReader.parse(text: Self.fixture(), file: "spend.csv")
        #expect(records.count == Self.rows)
        let c = try SpendLogCalibration.fit(records)
        let mini = try #require(c.deployments.first { $0.key == "gpt-4o-mini" })
        let ttft = try #require(mini.ttftSeconds)
        // Percentiles of ~3700 draws: within 5 % (median) and 8 % (p95) of the truth, and a lognormal close to the sample.
        #expect(abs(ttft.median / Self.ttft.median - 1) < 0.05)
        #expect(abs(ttft.p95 / Self.ttft.p95 - 1) < 0.08)
        #expect(ttft.ks < 0.03)
        #expect(ttft.empirical == nil)
        let speed = try #require(mini.tokensPerSecond)
        #expect(abs(speed.median / Self.speed.median - 1) < 0.05)
        #expect(abs(speed.p95 / Self.speed.p95 - 1) < 0.08)
        // Shares: within 1 point of the truth.
        #expect(abs((mini.errorShares[429] ?? 0) - Self.share429) < 0.01)
        #expect(abs((mini.errorShares[500] ?? 0) - Self.share500) < 0.01)
        #expect(abs(mini.cacheHitRate - Self.cacheRate * (1 - Self.share429 - Self.share500)) < 0.015)
        #expect(abs(c.classes.first { $0.group == "chat" }!.share - Self.chatShare) < 0.02)
        #expect(c.users == Self.users)
        // The daily profile: afternoon hours twice the morning's, within 20 %.
        let morning = c.hourly[0..<12].reduce(0, +) / 12, afternoon = c.hourly[12..<24].reduce(0, +) / 12
        #expect(abs(afternoon / morning - 2) < 0.4)
        #expect(c.weekly == nil)
        #expect(c.recordedSpend > 0)
    }

    /// The calibration is read back by the importer: the fitted models land in the scenario.
    @Test func calibrationFeedsTheImport() throws {
        let records = try SpendLogReader.parse(text: Self.fixture(), file: "spend.csv")
        var book = PriceBook()
        book["gpt-4o-mini"] = ModelPrice(inputPerToken: USD(2.5e-6), outputPerToken: USD(1e-5))
        book["gpt-4o"] = ModelPrice(inputPerToken: USD(2.5e-6), outputPerToken: USD(1e-5))
        let c = try SpendLogCalibration.fit(records, priceBook: book)
        // The fixture's spend is exactly these prices on the non-cached successes; failures produced no tokens.
        #expect(abs(c.tableCost! - c.recordedSpend) < 1e-6 * c.recordedSpend)
        let yaml = c.yaml(source: "spend.csv")
        let models = try LiteLLMDeploymentModels.parse(text: yaml, file: "calibration.yaml")
        let config = """
            model_list:
              - {model_name: chat, litellm_params: {model: gpt-4o-mini}}
              - {model_name: reasoning, litellm_params: {model: gpt-4o}}
            """
        let result = try LiteLLMConfigImporter.importConfig(text: config, file: "c.yaml", calibration: models)
        let scenario = try ScenarioLoader.parse(text: result.scenarioYAML, file: "s.yaml")
        let mini = scenario.providers[0].models[0]
        #expect(abs(mini.errorRates[429]! - c.deployments[0].errorShares[429]!) < 1e-6)
        guard case .lognormal(let mu, _) = mini.timeToFirstToken else { Issue.record("expected a lognormal ttft"); return }
        #expect(abs(exp(mu) - c.deployments.first { $0.key == "gpt-4o-mini" }!.ttftSeconds!.median) < 1e-4)
        #expect(scenario.traffic.classes.map(\.name) == c.classes.map(\.group))
    }

    @Test func badRowsNameFileLineAndColumn() throws {
        let header = "startTime,endTime,model,prompt_tokens,completion_tokens,spend\n"
        let cases: [(String, String)] = [
            (header + "2024-06-01T00:00:00Z,2024-06-01T00:00:01Z,gpt-4o,12,3,0.1\n2024-06-01T00:00:02Z,yesterday,gpt-4o,1,1,0\n",
             "spend.csv:3:22: endTime: expected an ISO 8601 time"),
            (header + "2024-06-01T00:00:00Z,2024-06-01T00:00:01Z,gpt-4o,-5,3,0.1\n", "spend.csv:2:50: prompt_tokens"),
            (header + "2024-06-01T00:00:00Z,2024-06-01T00:00:01Z,gpt-4o,5,3\n", "spend.csv:2:"),
            ("startTime,model\n", "spend.csv:1:1: the header has no column 'endTime'"),
            (header + "2024-06-01T00:00:02Z,2024-06-01T00:00:01Z,gpt-4o,1,1,0\n", "endTime is before startTime"),
            ("[{\"startTime\": \"2024-06-01T00:00:00Z\"}]", "spend.csv:1:1: row 0 has no 'endTime'"),
        ]
        for (text, expected) in cases {
            #expect { _ = try SpendLogReader.parse(text: text, file: "spend.csv") } throws: { error in
                let d = "\(error)"
                if !d.contains(expected) { Issue.record("'\(d)' lacks '\(expected)'") }
                return true
            }
        }
    }
}
