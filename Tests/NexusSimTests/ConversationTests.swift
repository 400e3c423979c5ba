import Foundation
import NexusScenario
import NexusSim
import Testing

/// Conversations, users and prompt popularity.
@Suite struct ConversationTests {
    static func scenario(_ classes: String, users: String = "", duration: String = "2h") throws -> Scenario {
        try TrafficFixtures.scenario(duration: duration, traffic: """
              arrivals: {process: poisson, rate: 2/s}
            \(users.isEmpty ? "" : "  users: \(users)\n")  classes:
            \(classes)
            """)
    }

    @Test func contextGrowsEachTurnByThePreviousPromptAndAnswer() throws {
        // Constant sizes: turn k's prompt = k × 100 new tokens + (k − 1) × 10 earlier answers.
        let scenario = try Self.scenario("""
                - {name: chat, share: 100%, tier: a, input_tokens: 100, output_tokens: 10, turns: 4, think_time: 30s}
            """)
        let arrivals = TrafficFixtures.arrivals(scenario)
        var byConversation: [Int64: [Arrival]] = [:]
        for a in arrivals { byConversation[a.conversation, default: []].append(a) }
        var complete = 0
        for (_, turns) in byConversation {
            for (k, a) in turns.enumerated() {
                #expect(a.turn == Int32(k + 1))
                #expect(a.inputTokens == Int32(100 * (k + 1) + 10 * k))
                #expect(a.outputTokens == 10)
                #expect(a.lastTurn == (k == 3))
                if k > 0 { #expect(a.time - turns[k - 1].time == 30_000_000_000) }
                if k > 0 { #expect(a.user == turns[0].user) }
            }
            if turns.count == 4 { complete += 1 }
        }
        #expect(complete > 10_000)
        // Later turns have unique prompts (the history makes them unique).
        #expect(Set(arrivals.filter { $0.turn > 1 }.map(\.promptID)).count == arrivals.filter { $0.turn > 1 }.count)

        // Through the simulation: token totals and cost per conversation = cost / conversations finished.
        let s = TrafficFixtures.run(scenario)
        #expect(s.traffic.inputTokens == arrivals.reduce(0) { $0 + Int($1.inputTokens) })
        #expect(s.requestsSimulated == arrivals.count)
        #expect(s.conversations == arrivals.filter(\.lastTurn).count)
        #expect(s.requests == arrivals.count)
        #expect(abs(s.costPerConversation.dollars - s.totalCost.dollars / Double(s.conversations)) < 1e-15)
        // A four-turn conversation on model a ($1/M in, $2/M out): (100+210+320+430) × 1e-6 + 40 × 2e-6.
        #expect(abs(s.costPerConversation.dollars - 1.14e-3) < 2e-5, "\(s.costPerConversation.dollars)")
    }

    @Test func singleTurnRequestsAreEachAConversation() throws {
        let s = TrafficFixtures.run(try Self.scenario("    - {name: x, share: 100%, tier: a, input_tokens: 10, output_tokens: 1}"))
        #expect(s.conversations == s.requests)
        #expect(s.costPerConversation == s.costPerRequest)
    }

    @Test func usersFollowZipfActivityAndCarryTheirCost() throws {
        let scenario = try Self.scenario("    - {name: x, share: 100%, tier: a, input_tokens: 1000, output_tokens: 100}",
                                         users: "{count: 100, zipf: 1}", duration: "4h")
        let arrivals = TrafficFixtures.arrivals(scenario)
        let n = Double(arrivals.count)
        let harmonic = (1...100).reduce(0.0) { $0 + 1 / Double($1) }
        for rank in [0, 1, 9] {
            let p = 1 / Double(rank + 1) / harmonic
            let observed = Double(arrivals.filter { $0.user == Int32(rank) }.count)
            #expect(abs(observed - p * n) < 4 * (n * p * (1 - p)).squareRoot(), "user \(rank)")
        }
        let s = TrafficFixtures.run(scenario)
        let users = s.traffic.users
        #expect(users.population == 100)
        #expect(users.active == 100)
        #expect(abs(users.costs.reduce(0, +) - s.totalCost.dollars) < 1e-9)
        // Every request costs the same here, so user 0 (the most active) has the highest cost.
        #expect(users.maxCost == users.costs[0])
        #expect(users.percentileCost(95) < users.maxCost && users.percentileCost(95) > users.meanCost)
    }

    @Test func promptsFollowZipfWithAShareOfOneOffs() throws {
        let scenario = try Self.scenario("""
                - {name: x, share: 100%, tier: a, input_tokens: 10, output_tokens: 1, cache_class: simple, prompts: {distinct: 10, zipf: 1, one_off: 30%}}
            """)
        let arrivals = TrafficFixtures.arrivals(scenario)
        let n = Double(arrivals.count)
        let oneOff = Double(arrivals.filter { $0.promptID >= 1 << 62 }.count)
        #expect(abs(oneOff - 0.3 * n) < 4 * (n * 0.21).squareRoot())
        let harmonic = (1...10).reduce(0.0) { $0 + 1 / Double($1) }
        let p = 0.7 / harmonic
        let top = Double(arrivals.filter { $0.promptID == 0 }.count)
        #expect(abs(top - p * n) < 4 * (n * p * (1 - p)).squareRoot())
        #expect(Set(arrivals.filter { $0.promptID < 1 << 62 }.map(\.promptID)).count == 10)
    }
}
