import Foundation
import NexusResults
import Testing

@Suite("ResultsStore series layout and migration")
struct ResultsStoreLayoutTests {
    @Test("points on one grid become a regular column; gaps are NaN windows; other starts stay explicit")
    func columnsOfRows() {
        let rows = [
            SeriesRow(replication: 0, windowStartSeconds: 120, name: "a", value: 3),
            SeriesRow(replication: 0, windowStartSeconds: 0, name: "a", value: 1),
            SeriesRow(replication: 1, windowStartSeconds: 0, name: "a", value: 9),
            SeriesRow(replication: 0, windowStartSeconds: 0.1, name: "odd", value: 1),
            SeriesRow(replication: 0, windowStartSeconds: 0.35, name: "odd", value: 2),
            SeriesRow(replication: 0, windowStartSeconds: 0, name: "odd", value: .nan),
        ]
        let columns = SeriesColumn.columns(of: rows)
        #expect(columns.map(\.name) == ["a", "a", "odd"])
        #expect(columns[0].windowSeconds == 120 && columns[0].values == [1, 3] && columns[0].windowStarts == nil)
        #expect(columns[1].replication == 1 && columns[1].values == [9])
        // Whichever layout the starts get, they and the values come back exactly; the NaN point is dropped.
        #expect(columns[2].rows.map(\.windowStartSeconds) == [0.1, 0.35] && columns[2].rows.map(\.value) == [1, 2])
        let gappy = SeriesColumn.columns(of: [0.0, 60, 240].map { SeriesRow(replication: 0, windowStartSeconds: $0, name: "g", value: $0) })[0]
        #expect(gappy.windowSeconds == 60 && gappy.values.count == 5 && gappy.values.filter(\.isNaN).count == 2)
        #expect(gappy.rows.map(\.windowStartSeconds) == [0, 60, 240])
        let irregular = SeriesColumn.columns(of: [0.0, 1, 1e6].map { SeriesRow(replication: 0, windowStartSeconds: $0, name: "i", value: 1) })[0]
        #expect(irregular.windowStarts == [0, 1, 1e6])
    }

    @Test("a series is one row per replication and name, read back bit for bit")
    func oneRowPerReplicationAndSeries() throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            let id = try store.beginRun(sampleRunRecord())
            var generator = SplitMix(seed: 42)
            let columns = (0..<3).flatMap { replication in
                (0..<5).map { s in
                    SeriesColumn(replication: replication, name: "s\(s)", windowSeconds: 60, values: (0..<1440).map { w in
                        w % 97 == 0 ? .nan : Double(generator.next() % 1000) + (s == 4 ? 0.1 : 0)
                    })
                }
            }
            try store.finishRun(id: id, metrics: [], seriesColumns: columns, summaryJSON: "{}")
            let raw = try RawSQLite(path: path)
            #expect(try raw.integer("SELECT count(*) FROM series WHERE run_id = \(id)") == 15)
            let read = try store.seriesColumns(runID: id)
            #expect(read.count == 15)
            for column in columns {
                let back = try #require(read.first { $0.replication == column.replication && $0.name == column.name })
                #expect(back.values.map(\.bitPattern) == column.values.map(\.bitPattern))
                #expect(back.windowSeconds == 60 && back.firstWindowStartSeconds == 0)
            }
            // Row-wise reading leaves the NaN windows out, as the per-window layout did.
            let rows = try store.series(runID: id, name: "s0")
            #expect(rows.count == 3 * (1440 - 15))
            #expect(rows[1].windowStartSeconds == 120 && rows[1].value == columns[0].values[2])
        }
    }

    @Test("thirty days of one-minute windows, 30 series, store in well under 10 MB")
    func monthOfMinutesIsSmall() throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            let id = try store.beginRun(sampleRunRecord())
            let windows = 30 * 1440
            var generator = SplitMix(seed: 7)
            func noise() -> Double { Double(generator.next() % 10_000) / 10_000 }
            // Counts around 700 per window, single-precision latencies and utilisations, constant instance counts
            // and double-precision spend: the shapes the simulator writes.
            let columns = (0..<30).map { s -> SeriesColumn in
                let values: [Double] = (0..<windows).map { _ in
                    switch s % 5 {
                    case 0: (700 + 50 * (noise() - 0.5)).rounded()
                    case 1: Double(Float(3000 + 12_000 * noise()))
                    case 2: Double(Float(noise()))
                    case 3: 4
                    default: 0.0028 * (700 + 50 * noise())
                    }
                }
                return SeriesColumn(replication: 0, name: "series\(s)", windowSeconds: 60, values: values)
            }
            try store.finishRun(id: id, metrics: [], seriesColumns: columns, summaryJSON: "{}")
            let bytes = try store.databaseBytes()
            // 30 × 43,200 doubles are 10.4 MB raw; the per-window layout took about 80 MB.
            #expect(bytes < 10_000_000, "stored \(bytes) bytes")
            #expect(try store.seriesColumns(runID: id, name: "series4").first?.values == columns[4].values)
        }
    }

    @Test("a version-3 database is migrated: series rows become columns, summaries kept, old tables dropped")
    func migratesVersion3() throws {
        try withTemporaryStorePath { path in
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            do {
                let raw = try RawSQLite(path: path)
                try raw.execute(schemaVersion3SQL)
                try raw.execute("""
                    INSERT INTO runs (created_at, finished_at, command, scenario_name, scenario_text, scenario_sha256,
                        parameters_json, overrides_json, seed, replications, status, summary_json, tool_version,
                        shard_index, shard_count, warmup_ns)
                    VALUES ('2026-11-01T10:00:00.000Z', '2026-11-01T10:05:00.000Z', 'run', 'old', 'name: old', 'abc',
                        '{}', '{}', 1, 2, 'finished', '{"ok":true}', '0.1.0', 1, 1, 0);
                    INSERT INTO metrics VALUES (1, NULL, 'requests', 1234, NULL, NULL);
                    INSERT INTO series VALUES (1, 0, 0, 'arrivals', 5), (1, 0, 60, 'arrivals', 7), (1, 0, 120, 'arrivals', 9),
                        (1, 0, 60, 'p95_latency_ms', 12.5), (1, 0, 180, 'p95_latency_ms', 13.25),
                        (1, 1, 0, 'arrivals', 4),
                        (1, 0, 0.5, 'irregular', 1), (1, 0, 0.75, 'irregular', 2), (1, 0, 100, 'irregular', 3);
                    INSERT INTO replications VALUES (1, 0, -3, '{"replication":0}'), (1, 1, 11, '{"replication":1}');
                    """)
            }
            let store = try ResultsStore(path: path)
            #expect(try store.schemaVersion() == ResultsStore.currentSchemaVersion)
            #expect(try store.series(runID: 1, name: "arrivals") == [
                SeriesRow(replication: 0, windowStartSeconds: 0, name: "arrivals", value: 5),
                SeriesRow(replication: 0, windowStartSeconds: 60, name: "arrivals", value: 7),
                SeriesRow(replication: 0, windowStartSeconds: 120, name: "arrivals", value: 9),
                SeriesRow(replication: 1, windowStartSeconds: 0, name: "arrivals", value: 4),
            ])
            #expect(try store.series(runID: 1, name: "p95_latency_ms").map(\.windowStartSeconds) == [60, 180])
            #expect(try store.series(runID: 1, name: "irregular").map(\.windowStartSeconds) == [0.5, 0.75, 100])
            #expect(try store.replications(runID: 1) == [
                ReplicationRow(replication: 0, seed: UInt64(bitPattern: -3), summaryJSON: #"{"replication":0}"#),
                ReplicationRow(replication: 1, seed: 11, summaryJSON: #"{"replication":1}"#),
            ])
            #expect(try store.metrics(runID: 1) == [MetricRow(name: "requests", replication: nil, value: 1234)])
            #expect(try store.run(id: 1)?.summaryJSON == #"{"ok":true}"#)
            let raw = try RawSQLite(path: path)
            #expect(try raw.integer("SELECT count(*) FROM series") == 4)
            #expect(try raw.integer("PRAGMA application_id") == Int64(ResultsStore.applicationID))
            #expect(try raw.column("SELECT name FROM sqlite_master WHERE name LIKE '%v3%'").isEmpty)
        }
    }
}

/// A small seeded generator for test data (SplitMix64).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
