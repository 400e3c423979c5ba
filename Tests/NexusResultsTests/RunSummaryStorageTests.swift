import Foundation
import NexusResults
import NexusScenario
import NexusSim
import Testing

@Suite("Stored replication summaries")
struct RunSummaryStorageTests {
    /// Percentiles every report reads, and some that none does.
    private static let percentiles: [Double] = [0, 0.1, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100]

    private func expectSame(_ a: LatencyHistogram, _ b: LatencyHistogram, _ label: String) {
        #expect(a.histogram == b.histogram, "\(label)")
        #expect(a.count == b.count, "\(label)")
        #expect(a.sumNanos == b.sumNanos, "\(label)")
        #expect(a.histogram.maxRecorded == b.histogram.maxRecorded, "\(label)")
        #expect(a.histogram.min == b.histogram.min, "\(label)")
        for p in Self.percentiles {
            #expect(a.percentileMillis(p) == b.percentileMillis(p), "\(label) p\(p)")
        }
        #expect(a.meanMillis == b.meanMillis && a.maxMillis == b.maxMillis, "\(label)")
        #expect(a.fractionAbove(nanos: 2_000_000_000) == b.fractionAbove(nanos: 2_000_000_000), "\(label)")
    }

    @Test("a summary survives JSON exactly: histograms, series with NaN, budget, users, models; same bytes again")
    func roundTrip() throws {
        let budgeted = try ShardRuns.shipped("month-forecast.yaml",
                                             parameters: [("daily_requests", "10k"), ("daily_budget", "$10"), ("user_budget", "$0.5")],
                                             overrides: [("simulation.duration", "2d")])
        for scenario in [budgeted, try ShardRuns.businessWeek()] {
            let summary = Scenarios.report(scenario, replications: 1).replications[0]
            if scenario.budget != nil {
                #expect(!summary.budgetAlerts.isEmpty && !summary.dailySpend.isEmpty && summary.budgetExhaustedAt != nil)
            } else {
                #expect(summary.traffic.users.active > 0 && summary.byModel.count > 1)
            }
            let text = try summary.storedJSON()
            let back = try RunSummary(storedJSON: text)
            #expect(try back.storedJSON() == text)
            expectSame(summary.latency, back.latency, "latency")
            expectSame(summary.ttft, back.ttft, "ttft")
            #expect(summary.byModel.count == back.byModel.count)
            for (a, b) in zip(summary.byModel, back.byModel) { expectSame(a.latency, b.latency, a.name) }
            let windows = summary.series.p95LatencyMillis
            #expect(windows.contains { $0.isNaN } == back.series.p95LatencyMillis.contains { $0.isNaN })
            #expect(zip(windows, back.series.p95LatencyMillis).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
            #expect(back.dailySpend == summary.dailySpend)
            #expect(back.budgetAlerts == summary.budgetAlerts)
            #expect(back.budgetExhaustedAtByWindow == summary.budgetExhaustedAtByWindow)
            #expect(back.traffic.users.costs == summary.traffic.users.costs)
            #expect(back.seed == summary.seed && back.replication == summary.replication)
            // Everything a report shows is the same.
            let one = RunReport(scenario: scenario, seed: 1, replications: [summary])
            let two = RunReport(scenario: scenario, seed: 1, replications: [back])
            #expect(one.json.rendered() == two.json.rendered())
        }
    }

    @Test("a summary stored before per-tier and per-class groups decodes with them empty, the rest intact")
    func summaryWithoutGroups() throws {
        let scenario = try ShardRuns.businessWeek()
        let summary = Scenarios.report(scenario, replications: 1).replications[0]
        #expect(!summary.byTier.isEmpty && !summary.byClass.isEmpty)
        var object = try #require(JSONSerialization.jsonObject(with: Data(try summary.storedJSON().utf8)) as? [String: Any])
        object["byTier"] = nil
        object["byClass"] = nil
        let old = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        let back = try RunSummary(storedJSON: old)
        #expect(back.byTier.isEmpty && back.byClass.isEmpty)
        #expect(back.requests == summary.requests && back.succeeded == summary.succeeded)
        #expect(back.latency.histogram == summary.latency.histogram)
    }

    @Test("histogram edge cases: empty, zeros, beyond the initial hour, exact extremes")
    func histogramEdges() throws {
        func roundTrip(_ h: LatencyHistogram) throws -> LatencyHistogram {
            try JSONDecoder().decode(LatencyHistogram.self, from: JSONEncoder().encode(h))
        }
        let empty = LatencyHistogram()
        expectSame(empty, try roundTrip(empty), "empty")

        var mixed = LatencyHistogram()
        for nanos: Int64 in [0, 0, 999, 1_234_567, 1_234_999, 7_000_123_456, 7_200_000_000_000, 9_876_543_210_987] {
            mixed.record(nanos: nanos)
        }
        expectSame(mixed, try roundTrip(mixed), "zeros and values beyond an hour")

        // Smallest and largest values in wide buckets: percentiles are clamped to the exact extremes.
        var wide = LatencyHistogram()
        wide.record(nanos: 5_123_456_789)
        wide.record(nanos: 5_124_999_999)
        wide.record(nanos: 3_600_123_456_789)
        let back = try roundTrip(wide)
        expectSame(wide, back, "extremes")
        #expect(back.percentileMillis(0) == 5_123.456)
        #expect(back.percentileMillis(100) == 3_600_123.456)

        // Merging decoded histograms gives the same as merging the originals.
        var a = mixed, b = try roundTrip(mixed)
        a.merge(wide)
        b.merge(try roundTrip(wide))
        expectSame(a, b, "merged")
    }
}
