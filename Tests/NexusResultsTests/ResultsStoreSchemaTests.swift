import Foundation
import NexusResults
import Testing

@Suite("ResultsStore schema")
struct ResultsStoreSchemaTests {
    @Test("opening creates parent directories and migrates to the current version")
    func createsDatabase() throws {
        try withTemporaryStorePath { path in
            #expect(!FileManager.default.fileExists(atPath: path))
            let store = try ResultsStore(path: path)
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(ResultsStore.currentSchemaVersion == 4)
            #expect(try store.schemaVersion() == 4)
            // Exactly the current tables: no leftovers of the steps that convert older layouts.
            let tables = try RawSQLite(path: path).column(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            #expect(tables == ["comparisons", "forecasts", "metrics", "replications", "runs", "series", "sweep_points", "sweeps", "targets"])
        }
    }

    @Test("the database is journaled with a write-ahead log")
    func writeAheadLog() throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            _ = try store.beginRun(sampleRunRecord())
            // In WAL mode committed writes land in the -wal file until a checkpoint.
            #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        }
    }

    @Test("reopening keeps runs, results and the schema version")
    func reopenKeepsData() throws {
        try withTemporaryStorePath { path in
            let metrics = [MetricRow(name: "availability", replication: nil, value: 0.999, ciLow: 0.998, ciHigh: 1)]
            let series = [SeriesRow(replication: 0, windowStartSeconds: 5, name: "rps", value: 40)]
            let id: Int64
            let original: StoredRun?
            do {
                let store = try ResultsStore(path: path)
                id = try store.beginRun(sampleRunRecord())
                try store.finishRun(id: id, metrics: metrics, series: series, summaryJSON: "{}")
                original = try store.run(id: id)
            }

            let reopened = try ResultsStore(path: path)
            #expect(try reopened.schemaVersion() == 4)
            #expect(try reopened.run(id: id) == original)
            #expect(try reopened.latestRun()?.id == id)
            #expect(try reopened.metrics(runID: id) == metrics)
            #expect(try reopened.series(runID: id, name: "rps") == series)
            // AUTOINCREMENT ids keep growing across sessions.
            #expect(try reopened.beginRun(sampleRunRecord()) > id)
        }
    }

    @Test("a database from a newer schema version is refused")
    func refusesNewerSchema() throws {
        try withTemporaryStorePath { path in
            do {
                _ = try ResultsStore(path: path)
            }
            // Closing the last connection checkpoints and removes the WAL, so the main
            // file holds everything; user_version is the big-endian 32-bit integer at
            // offset 60 of the SQLite file header.
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
            try setUserVersion(99, inDatabaseAt: path)

            let error = #expect(throws: ResultsStoreError.self) {
                _ = try ResultsStore(path: path)
            }
            #expect(error?.path == path)
            #expect(error?.description.contains("schema version 99") == true)
            #expect(error?.description.contains("newer") == true)
        }
    }

    private func setUserVersion(_ version: UInt32, inDatabaseAt path: String) throws {
        let url = URL(fileURLWithPath: path)
        var bytes = try Data(contentsOf: url)
        let bigEndian = withUnsafeBytes(of: version.bigEndian) { Array($0) }
        bytes.replaceSubrange(60..<64, with: bigEndian)
        try bytes.write(to: url)
    }
}
