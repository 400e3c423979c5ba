import Foundation
import NexusResults
import Testing

@Suite("ResultsStore runs")
struct ResultsStoreRunTests {
    /// SQLite's extended result code SQLITE_CONSTRAINT_UNIQUE.
    private static let uniqueConstraintCode: Int32 = 2067

    @Test("begin, finish and read back every field")
    func roundTrip() throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            let record = sampleRunRecord()
            let began = Date(timeIntervalSince1970: 1_700_000_000.25)
            let ended = Date(timeIntervalSince1970: 1_700_000_042.5)

            let id = try store.beginRun(record, at: began)
            let metrics = [
                MetricRow(name: "latency_p99_s", replication: nil, value: 0.84, ciLow: 0.8, ciHigh: 0.88),
                MetricRow(name: "latency_p99_s", replication: 0, value: 0.81),
                MetricRow(name: "latency_p99_s", replication: 1, value: 0.87),
                MetricRow(name: "error_rate", replication: nil, value: 0.015, ciLow: nil, ciHigh: nil),
            ]
            let throughput = [
                SeriesRow(replication: 0, windowStartSeconds: 0, name: "throughput_rps", value: 110),
                SeriesRow(replication: 0, windowStartSeconds: 10, name: "throughput_rps", value: 118.5),
                SeriesRow(replication: 1, windowStartSeconds: 0, name: "throughput_rps", value: 101),
            ]
            let queueDepth = [SeriesRow(replication: 0, windowStartSeconds: 0, name: "queue_depth", value: 3)]
            try store.finishRun(
                id: id, metrics: metrics, series: queueDepth + throughput,
                summaryJSON: #"{"verdict":"pass"}"#, at: ended
            )

            let run = try #require(try store.run(id: id))
            #expect(run.id == id)
            #expect(abs(run.createdAt.timeIntervalSince(began)) < 0.0005)
            let finishedAt = try #require(run.finishedAt)
            #expect(abs(finishedAt.timeIntervalSince(ended)) < 0.0005)
            #expect(run.command == "run")
            #expect(run.scenarioName == "burst-failover")
            #expect(run.scenarioPath == "scenarios/burst-failover.yaml")
            #expect(run.scenarioText == record.scenarioText)
            #expect(run.scenarioSHA256 == SHA256.hexDigest(of: record.scenarioText))
            #expect(run.parametersJSON == #"{"arrival_rate":"120","duration_s":"600"}"#)
            #expect(run.overridesJSON == #"{"providers.a.error_rate":"0.2"}"#)
            #expect(run.seed == UInt64.max - 5)
            #expect(run.replications == 8)
            #expect(run.status == .finished)
            #expect(run.summaryJSON == #"{"verdict":"pass"}"#)
            #expect(run.toolVersion == "0.1.0-test")

            #expect(try store.metrics(runID: id) == metrics)
            #expect(try store.series(runID: id, name: "throughput_rps") == throughput)
            #expect(try store.series(runID: id, name: "queue_depth") == queueDepth)
            #expect(try store.series(runID: id, name: "missing").isEmpty)
        }
    }

    @Test("schema 3: shard, warm-up, forecast month and per-replication summaries read back")
    func shardColumnsAndReplications() throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            var record = sampleRunRecord()
            record.shard = Shard(index: 3, of: 4)
            record.forecastMonth = "2026-12"
            let id = try store.beginRun(record)
            let running = try #require(try store.run(id: id))
            #expect(running.shard == Shard(index: 3, of: 4))
            #expect(running.forecastMonth == "2026-12")
            #expect(running.warmupNanos == nil)

            let rows = [ReplicationRow(replication: 6, seed: UInt64.max - 1, summaryJSON: #"{"b":2}"#),
                        ReplicationRow(replication: 2, seed: 7, summaryJSON: #"{"a":1}"#)]
            try store.finishRun(id: id, metrics: [], series: [], replications: rows, warmupNanos: 600_000_000_000, summaryJSON: "{}")
            let run = try #require(try store.run(id: id))
            #expect(run.warmupNanos == 600_000_000_000)
            #expect(try store.replications(runID: id) == [rows[1], rows[0]])

            // A whole run is shard 1/1; a replication stored twice is refused and rolls the finish back.
            let whole = try store.beginRun(sampleRunRecord())
            #expect(try store.run(id: whole)?.shard == .whole)
            #expect(throws: ResultsStoreError.self) {
                try store.finishRun(id: whole, metrics: [], series: [], replications: [rows[0], rows[0]], summaryJSON: "{}")
            }
            #expect(try store.run(id: whole)?.status == .running)
            #expect(try store.replications(runID: whole).isEmpty)
        }
    }

    @Test("a run without a scenario path stores NULL, not an empty string")
    func missingScenarioPath() throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            var record = sampleRunRecord()
            record.scenarioPath = nil
            let id = try store.beginRun(record)
            let run = try #require(try store.run(id: id))
            #expect(run.scenarioPath == nil)
            #expect(run.status == .running)
            #expect(run.finishedAt == nil)
            #expect(run.summaryJSON == nil)
        }
    }

    @Test("a repeated aggregate metric is rejected by the unique index")
    func duplicateAggregateMetricAcrossFinishes() throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            let id = try store.beginRun(sampleRunRecord())
            let first = [MetricRow(name: "latency_p99_s", replication: nil, value: 0.84)]
            try store.finishRun(id: id, metrics: first, series: [], summaryJSON: "{}")

            let error = #expect(throws: ResultsStoreError.self) {
                try store.finishRun(
                    id: id,
                    metrics: [MetricRow(name: "latency_p99_s", replication: nil, value: 9.9)],
                    series: [SeriesRow(replication: 0, windowStartSeconds: 0, name: "late", value: 1)],
                    summaryJSON: #"{"second":true}"#
                )
            }
            #expect(error?.resultCode == Self.uniqueConstraintCode)
            // The failed finish rolled back entirely.
            #expect(try store.metrics(runID: id) == first)
            #expect(try store.series(runID: id, name: "late").isEmpty)
            #expect(try store.run(id: id)?.summaryJSON == "{}")
        }
    }

    @Test("a finish with duplicate metrics changes nothing")
    func duplicateMetricWithinOneFinish() throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            let id = try store.beginRun(sampleRunRecord())
            let error = #expect(throws: ResultsStoreError.self) {
                try store.finishRun(
                    id: id,
                    metrics: [
                        MetricRow(name: "error_rate", replication: 3, value: 0.1),
                        MetricRow(name: "error_rate", replication: 3, value: 0.2),
                    ],
                    series: [SeriesRow(replication: 3, windowStartSeconds: 0, name: "errors", value: 2)],
                    summaryJSON: "{}"
                )
            }
            #expect(error?.resultCode == Self.uniqueConstraintCode)
            #expect(try store.run(id: id)?.status == .running)
            #expect(try store.run(id: id)?.finishedAt == nil)
            #expect(try store.metrics(runID: id).isEmpty)
            #expect(try store.series(runID: id, name: "errors").isEmpty)
        }
    }

    @Test("marking a running run", arguments: [RunStatus.incomplete, .failed, .finished])
    func markRun(status: RunStatus) throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            let id = try store.beginRun(sampleRunRecord())
            #expect(try store.run(id: id)?.status == .running)

            let stoppedAt = Date(timeIntervalSince1970: 1_800_000_000)
            try store.markRun(id: id, status: status, at: stoppedAt)
            let marked = try #require(try store.run(id: id))
            #expect(marked.status == status)
            #expect(marked.finishedAt == stoppedAt)
            #expect(marked.summaryJSON == nil)

            try store.markRun(id: id, status: .running)
            let resumed = try #require(try store.run(id: id))
            #expect(resumed.status == .running)
            #expect(resumed.finishedAt == nil)
        }
    }

    @Test("unknown run ids are reported, not ignored")
    func unknownRunID() throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            #expect(try store.run(id: 42) == nil)
            #expect(throws: ResultsStoreError.self) {
                try store.markRun(id: 42, status: .failed)
            }
            #expect(throws: ResultsStoreError.self) {
                try store.finishRun(
                    id: 42, metrics: [MetricRow(name: "rps", replication: nil, value: 1)],
                    series: [], summaryJSON: "{}"
                )
            }
            #expect(try store.runs(limit: 10).isEmpty)
        }
    }

    @Test("latestRun returns the newest finished run only")
    func latestRunSkipsUnfinished() throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            #expect(try store.latestRun() == nil)

            let older = try store.beginRun(sampleRunRecord())
            try store.finishRun(id: older, metrics: [], series: [], summaryJSON: "{}")
            let newest = try store.beginRun(sampleRunRecord(command: "gate"))
            try store.finishRun(id: newest, metrics: [], series: [], summaryJSON: "{}")
            let running = try store.beginRun(sampleRunRecord())
            let incomplete = try store.beginRun(sampleRunRecord())
            try store.markRun(id: incomplete, status: .incomplete)
            let failed = try store.beginRun(sampleRunRecord())
            try store.markRun(id: failed, status: .failed)

            let latest = try #require(try store.latestRun())
            #expect(latest.id == newest)
            #expect(latest.command == "gate")

            #expect(try store.runs(limit: 3).map(\.id) == [failed, incomplete, running])
            #expect(try store.runs(limit: 100).map(\.id) == [failed, incomplete, running, newest, older])
            #expect(try store.runs(limit: 100).map(\.status) == [.failed, .incomplete, .running, .finished, .finished])
        }
    }
}
