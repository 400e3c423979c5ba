import Foundation
import NexusGateway
import NexusLive
import NexusResults
import NexusScenario
import NexusSim
import Testing

/// Loopback tests of the open-loop load generator against ``LoopbackUpstream``.
@Suite(.serialized) struct LoadGeneratorTests {
    static let yaml = """
        name: live-small
        simulation: {duration: 60s, warmup: 5s, drain: 30s, seed: 3, series_window: 10s}
        gateway: {instances: 2, concurrency: 64}
        providers:
          - name: acme
            classifications: [public, internal]
            models:
              - {name: big, price: {input_per_mtok: $2.5, output_per_mtok: $10}, ttft: 200ms}
              - {name: small, price: {input_per_mtok: $0.15, output_per_mtok: $0.6}, ttft: 100ms}
        tiers:
          - {name: premium, strategy: priority, models: [acme/big]}
          - {name: cheap, strategy: priority, models: [acme/small]}
        traffic:
          arrivals: {process: poisson, rate: 4/s}
          users: {count: 20}
          classes:
            - {name: agents, share: 40%, tier: premium, classification: internal, input_tokens: {dist: lognormal, median: 300, p95: 2000}, output_tokens: {dist: lognormal, median: 200, p95: 900}, max_output_tokens: 800, stream: true}
            - {name: drafts, share: 60%, tier: cheap, input_tokens: 120, output_tokens: {dist: exponential, mean: 150}, max_output_tokens: 4096}
        """

    static func scenario(_ overrides: [Override] = []) throws -> Scenario {
        try ScenarioLoader.parse(text: yaml, overrides: overrides)
    }

    /// The arrivals `run` simulates for `seed` (replication 0).
    static func arrivals(_ scenario: Scenario, seed: UInt64) -> [Arrival] {
        let source = TrafficSource(plan: SimulationPlan(scenario), baseSeed: seed)
        var out: [Arrival] = []
        while let a = source.next() { out.append(a) }
        return out
    }

    static let endpoint: @Sendable (String) -> String = { $0 == "premium" ? "acme/big" : "acme/small" }
    /// Slow enough (90 s of scenario in 15 s) that a test process busy with the rest of the suite still sends
    /// every request before the run's end; the figures checked do not depend on the speed.
    static let speed = 6.0

    static func load(_ scenario: Scenario, port: Int, seed: UInt64 = 11, shard: Shard = .whole) async throws -> RunSummary {
        try await LoadGenerator.run(scenario: scenario, configuration: LoadConfiguration(
            target: "http://127.0.0.1:\(port)", speed: speed, seed: seed, shard: shard, connections: 512))
    }

    @Test func sendsExactlyTheScenariosArrivalsWithTheirClassAndHints() async throws {
        let scenario = try Self.scenario()
        let expected = Self.arrivals(scenario, seed: 11)
        #expect(expected.count > 150)
        let (summary, received) = try await LoopbackUpstream.run(.init(endpoint: Self.endpoint)) { port, log in
            (try await Self.load(scenario, port: port), log.requests)
        }
        #expect(received.count == expected.count)
        #expect(summary.live?.scheduled == expected.count)
        #expect(summary.live?.sent == expected.count)
        #expect(summary.live?.clientErrors == 0)
        let classes = scenario.traffic.classes
        for (c, spec) in classes.enumerated() {
            let mine = expected.filter { Int($0.classIndex) == c }
            let got = received.filter { $0.className == spec.name }
            #expect(got.count == mine.count, "class \(spec.name)")
            #expect(got.allSatisfy { $0.model == spec.tier && $0.classification == spec.classification.rawValue })
            #expect(got.map { $0.inputHint ?? -1 }.sorted() == mine.map { Int($0.inputTokens) }.sorted())
            #expect(got.map { $0.outputHint ?? -1 }.sorted() == mine.map { Int($0.outputTokens) }.sorted())
            #expect(got.allSatisfy { $0.maxTokens == spec.maxOutputTokens })
            let streams = spec.stream ?? false
            // A non-streaming request leaves `stream` out, which OpenAI reads as false.
            #expect(got.allSatisfy { ($0.stream ?? false) == streams && $0.includeUsage == (streams ? true : nil) })
            // About 4 bytes a token (a short prompt-id label is the floor).
            #expect(got.allSatisfy { $0.promptBytes == 4 * ($0.inputHint ?? 0) || (4 * ($0.inputHint ?? 0) < 24 && $0.promptBytes < 24) })
        }
        #expect(received.allSatisfy { $0.user?.hasPrefix("user-") == true })
        // Open loop at speed K: the i-th request left at its scheduled offset (t_i − t_0)/K, within a bound that
        // allows for the send lag the generator itself reported (a busy machine delays timers).
        let scheduled = expected.map { Double($0.time - expected[0].time) / Self.speed / 1e6 }
        let arrived = received.map(\.receivedAtNanos).sorted()
        let offsets = arrived.map { Double($0 - arrived[0]) / 1e6 }
        let worst = zip(scheduled, offsets).map { abs($0 - $1) }.max() ?? 0
        let lag = summary.live?.sendLag.maxMillis ?? 0
        #expect(worst < 400 + 2 * lag, "a request reached the upstream \(worst) ms away from its scheduled offset")
        // Counted as a simulation counts: arrivals after the 5 s warm-up.
        let counted = expected.filter { $0.time >= scenario.simulation.warmupNanos }
        #expect(summary.requests == counted.count)
        #expect(summary.succeeded == counted.count)
        #expect(summary.requestsSimulated == expected.count)
        #expect(summary.traffic.inputTokens == expected.reduce(0) { $0 + Int($1.inputTokens) })
    }

    @Test func costComesFromTheAnswersUsageAtTheScenariosPrices() async throws {
        let scenario = try Self.scenario()
        let expected = Self.arrivals(scenario, seed: 11).filter { $0.time >= scenario.simulation.warmupNanos }
        let summary = try await LoopbackUpstream.run(.init(endpoint: Self.endpoint)) { port, _ in
            try await Self.load(scenario, port: port)
        }
        let big = ModelPrice(inputPerToken: USD(2.5e-6), outputPerToken: USD(10e-6))
        let small = ModelPrice(inputPerToken: USD(0.15e-6), outputPerToken: USD(0.6e-6))
        var total = 0.0, bigCost = 0.0
        for a in expected {
            let premium = a.classIndex == 0
            let cost = (premium ? big : small).cost(inputTokens: Int(a.inputTokens), outputTokens: Int(min(a.outputTokens, a.maxOutputTokens))).dollars
            total += cost
            if premium { bigCost += cost }
        }
        #expect(abs(summary.totalCost.dollars - total) <= 1e-9 * total)
        #expect(abs(summary.byModel[0].cost.dollars - bigCost) <= 1e-9 * total)
        #expect(summary.byModel[0].requests == expected.filter { $0.classIndex == 0 }.count)
        #expect(summary.byModel[1].requests == expected.filter { $0.classIndex == 1 }.count)
        let report = RunReport(scenario: scenario, seed: 11, replications: [summary])
        let json = report.json.rendered()
        #expect(json.contains(#""source": "live""#))
        #expect(json.contains(#""send_lag_ms": {"#))
        #expect(abs((report.estimate("cost_usd.total")?.mean ?? 0) - total) <= 1e-9 * total)
    }

    /// The coordinated-omission case: the upstream answers nothing until the last request has arrived. An open-loop
    /// generator still sends every request on time, and each one's latency runs from its scheduled time, so
    /// request i waits at least t_last − t_i: the mean latency is at least t_last − mean(t_i).
    @Test func latencyRunsFromTheScheduledTimeWhenTheUpstreamStalls() async throws {
        let scenario = try Self.scenario()
        let all = Self.arrivals(scenario, seed: 11)
        let counted = all.filter { $0.time >= scenario.simulation.warmupNanos }
        let last = Double(all.last!.time)
        let bound = counted.reduce(0.0) { $0 + (last - Double($1.time)) } / Double(counted.count) / 1e6
        let summary = try await LoopbackUpstream.run(.init(endpoint: Self.endpoint, holdUntil: all.count)) { port, _ in
            try await Self.load(scenario, port: port)
        }
        #expect(summary.succeeded == counted.count)
        let mean = try #require(summary.latency.meanMillis)
        #expect(mean >= bound * 0.999, "mean latency \(mean) ms is below the open-loop floor \(bound) ms")
        // Scenario time: each wall millisecond of slack is K scenario milliseconds.
        #expect(mean <= bound + 500 * Self.speed, "mean latency \(mean) ms, floor \(bound) ms")
        // Every answer waited for the last request: the largest latency is about the whole arrival span.
        let span = (last - Double(counted[0].time)) / 1e6
        #expect(try #require(summary.latency.maxMillis) >= span * 0.99)
    }

    @Test func httpStatusesBecomeFailureReasons() async throws {
        let scenario = try Self.scenario([Override(path: "simulation.warmup", value: "0s")])
        let count = Self.arrivals(scenario, seed: 11).count
        let summary = try await LoopbackUpstream.run(.init(endpoint: Self.endpoint, status: { $0 % 5 == 0 ? 429 : ($0 % 7 == 1 ? 503 : 200) })) { port, _ in
            try await Self.load(scenario, port: port)
        }
        let limited = (0..<count).filter { $0 % 5 == 0 }.count
        let unavailable = (0..<count).filter { $0 % 5 != 0 && $0 % 7 == 1 }.count
        #expect(summary.requests == count)
        #expect(summary.count(.rateLimited) == limited)
        #expect(summary.count(.providerError) == unavailable)
        #expect(summary.failed == limited + unavailable)
        #expect(summary.succeeded == count - limited - unavailable)
    }

    // A LiteLLM proxy with a master key answers 401 without it: --api-key-env's key goes on every request.
    @Test func anAPIKeyIsSentAsBearerAuthorizationOnEveryRequest() async throws {
        let scenario = try Self.scenario([Override(path: "simulation.duration", value: "10s"), Override(path: "simulation.warmup", value: "0s")])
        let count = Self.arrivals(scenario, seed: 11).count
        let received = try await LoopbackUpstream.run(.init(endpoint: Self.endpoint)) { port, log in
            _ = try await LoadGenerator.run(scenario: scenario, configuration: LoadConfiguration(
                target: "http://127.0.0.1:\(port)", speed: Self.speed, seed: 11, apiKey: "sk-test-123"))
            return log.requests
        }
        #expect(count > 10)
        #expect(received.count == count)
        #expect(received.allSatisfy { $0.authorization == "Bearer sk-test-123" })
        let without = try await LoopbackUpstream.run(.init(endpoint: Self.endpoint)) { port, log in
            _ = try await Self.load(scenario, port: port)
            return log.requests
        }
        #expect(without.count == count && without.allSatisfy { $0.authorization == nil })
    }

    @Test func aRefusedTargetIsCountedAsClientErrors() async throws {
        let scenario = try Self.scenario([Override(path: "simulation.duration", value: "5s"), Override(path: "simulation.warmup", value: "0s")])
        let count = Self.arrivals(scenario, seed: 11).count
        // Port 9 on loopback (discard) is closed on a test machine: every connection is refused.
        let summary = try await LoadGenerator.run(scenario: scenario, configuration: LoadConfiguration(
            target: "http://127.0.0.1:9", speed: Self.speed, seed: 11))
        #expect(summary.live?.clientErrors == count)
        #expect(summary.failed == count)
        #expect(summary.count(.providerError) == count)
    }

    @Test func shardsMergeIntoTheUnshardedLoad() async throws {
        let scenario = try Self.scenario()
        let (whole, parts) = try await LoopbackUpstream.run(.init(endpoint: Self.endpoint)) { port, _ in
            let whole = try await Self.load(scenario, port: port)
            var parts: [RunSummary] = []
            for i in 1...3 { parts.append(try await Self.load(scenario, port: port, shard: Shard(index: i, of: 3))) }
            return (whole, parts)
        }
        let counts = parts.map(\.requestsSimulated)
        #expect(counts.reduce(0, +) == whole.requestsSimulated)
        #expect(counts.max()! - counts.min()! <= 1)

        // Through the results store and `merge`, as the command line does it.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("load-merge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for (i, part) in parts.enumerated() {
            let path = dir.appendingPathComponent("shard-\(i + 1).sqlite").path
            let store = try ResultsStore(path: path)
            let id = try store.beginRun(command: "load", scenario: scenario, scenarioPath: nil, seed: 11, replications: 1,
                                        shard: Shard(index: i + 1, of: 3), toolVersion: "test")
            try store.finishRun(id: id, report: RunReport(scenario: scenario, seed: 11, replications: [part]), verdicts: [])
            paths.append(path)
        }
        guard case .run(let merged) = try ShardMerge.merge(shards: Array(paths.reversed()), into: dir.appendingPathComponent("merged.sqlite").path) else {
            Issue.record("a run was expected")
            return
        }
        let m = merged.report.replications[0]
        #expect(merged.report.replications.count == 1)
        #expect(m.requests == whole.requests)
        #expect(m.succeeded == whole.succeeded)
        #expect(m.requestsSimulated == whole.requestsSimulated)
        #expect(m.traffic.inputTokens == whole.traffic.inputTokens)
        #expect(m.traffic.outputTokens == whole.traffic.outputTokens)
        #expect(m.traffic.conversations == whole.traffic.conversations)
        #expect(m.byClass.map(\.requests) == whole.byClass.map(\.requests))
        #expect(m.byModel.map(\.inputTokens) == whole.byModel.map(\.inputTokens))
        #expect(m.latency.count == whole.latency.count)
        #expect(abs(m.totalCost.dollars - whole.totalCost.dollars) <= 1e-12 * whole.totalCost.dollars)
        #expect(m.traffic.users.activeCosts.count == whole.traffic.users.activeCosts.count)
        #expect(m.live?.sent == whole.live?.sent)
        #expect(m.series.arrivals == whole.series.arrivals)
        #expect(merged.report.json.rendered().contains(#""source": "live""#))
    }

    @Test func badConfigurationIsRefusedBeforeAnythingIsSent() throws {
        #expect(throws: LoadConfigurationError.self) {
            try LoadConfiguration(target: "127.0.0.1:8080", seed: 1).check()
        }
        #expect(throws: LoadConfigurationError.self) {
            try LoadConfiguration(target: "http://127.0.0.1:8080", speed: 0, seed: 1).check()
        }
        #expect(throws: LoadConfigurationError.self) {
            try LoadConfiguration.modelMap(["draft=x"], classes: ["drafts"])
        }
        #expect(try LoadConfiguration.modelMap(["drafts=group-a"], classes: ["drafts"]) == ["drafts": "group-a"])
        #expect(LoadConfiguration(target: "http://h:1/v1/", seed: 1).chatCompletionsURL == "http://h:1/v1/chat/completions")
        #expect(LoadConfiguration(target: "http://h:1", seed: 1).chatCompletionsURL == "http://h:1/v1/chat/completions")
    }
}
