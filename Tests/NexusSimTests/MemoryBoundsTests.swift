import NexusScenario
import NexusSim
import Testing

/// What keeps a long run's memory flat (issue 9), checked structurally rather than by measuring RSS: the
/// slabs hold only requests in flight, and the time series grows by one compact record per window.
@Suite struct MemoryBoundsTests {
    static func run(seconds: Int) throws -> RunSummary {
        let scenario = try ScenarioLoader.load(path: MMcValidationTests.scenarioPath, parameters: [
            ("duration_s", String(seconds)), ("warmup_s", "0"), ("servers", "10"), ("arrival_rate", "8"),
        ])
        return Simulation(plan: SimulationPlan(scenario), baseSeed: 5).run()
    }

    @Test func twentyTimesLongerRunHoldsNoMoreRequestsAtOnce() throws {
        let short = try Self.run(seconds: 1_000), long = try Self.run(seconds: 20_000)
        #expect(long.requestsSimulated > 19 * short.requestsSimulated)
        // ρ = 0.8 with 10 servers: tens of requests in flight at the peak, whatever the length (the long
        // run sees rarer, larger queues, hence some slack), never thousands.
        #expect(long.peakRequestsInFlight < 2 * short.peakRequestsInFlight + 50)
        // One record per minute of the run: the arrival period, and the drain until the last request ends.
        #expect(long.series.windowCount >= 20_000 / 60 && long.series.windowCount <= (20_000 + 3_600) / 60 + 1)
    }

    @Test func aTimeSeriesWindowIsSeventyTwoBytes() {
        // 11 counts in 32 bits, 5 rates and latencies in single precision, the spend in double: a month of
        // one-minute windows is about 3 MB plus the providers' counters.
        #expect(MemoryLayout<TimeSeries.Window>.stride == 72)
    }
}
