import Foundation
import NexusLive
import NexusResults
import NexusScenario
import NexusSim
import Testing

/// The load generator's throughput against a zero-delay loopback upstream, for docs/load.md. Not a test of
/// speed (nothing is asserted about time): it runs only with `NEXUS_LOAD_BENCH=RATE` set, e.g.
/// `NEXUS_LOAD_BENCH=10000 swift test -c release --filter LoadBenchmark`, and prints what it measured.
@Suite struct LoadBenchmark {
    static let rate = ProcessInfo.processInfo.environment["NEXUS_LOAD_BENCH"].flatMap(Double.init)

    @Test(.enabled(if: LoadBenchmark.rate != nil)) func sustainedRateAgainstAZeroDelayUpstream() async throws {
        let rate = Self.rate!
        let seconds = Double(ProcessInfo.processInfo.environment["NEXUS_LOAD_BENCH_SECONDS"] ?? "10") ?? 10
        let loops = Int(ProcessInfo.processInfo.environment["NEXUS_LOAD_BENCH_LOOPS"] ?? "1") ?? 1
        // Scenario time at 1/10 of the rate, replayed 10× faster: the same wall-clock rate.
        let scenario = try ScenarioLoader.parse(text: """
            name: load-bench
            simulation: {duration: \(Int(seconds * 10))s, warmup: 0s, drain: 10s, seed: 1}
            gateway: {instances: 1}
            providers:
              - {name: acme, models: [{name: small, price: {input_per_mtok: $0.15, output_per_mtok: $0.6}, ttft: 1ms}]}
            tiers: [{name: cheap, strategy: priority, models: [acme/small]}]
            traffic:
              arrivals: {process: poisson, rate: \(rate / 10)/s}
              classes: [{name: drafts, share: 100%, tier: cheap, input_tokens: 50, output_tokens: 20}]
            """)
        let summary = try await LoopbackUpstream.run(.init(endpoint: { _ in "acme/small" })) { port, _ in
            try await LoadGenerator.run(scenario: scenario, configuration: LoadConfiguration(
                target: "http://127.0.0.1:\(port)", speed: 10, seed: 1, connections: 256, eventLoops: loops))
        }
        let live = try #require(summary.live)
        let wall = Double(live.wallNanos) / 1e9
        print(String(format: "load bench: %d requests in %.2f s wall (%.0f/s offered, %.0f/s answered), event loops %d, "
            + "send lag p50 %.3f ms, p99 %.3f ms, max %.3f ms, peak in flight %d, client errors %d, succeeded %d",
            live.sent, wall, rate, Double(summary.succeeded) / (seconds), loops,
            live.sendLag.percentileMillis(50) ?? .nan, live.sendLag.percentileMillis(99) ?? .nan,
            live.sendLag.maxMillis ?? .nan, live.peakInFlight, live.clientErrors, summary.succeeded))
        #expect(live.sent == live.scheduled)
    }
}
