import Foundation
import NexusResults
import Testing

@Suite("ResultsStore refuses what is not a results database")
struct ResultsStoreSafetyTests {
    @Test("'' and ':memory:' are refused: a run stored there would be lost", arguments: ["", "  ", ":memory:"])
    func temporaryDatabases(path: String) {
        let error = #expect(throws: ResultsStoreError.self) { _ = try ResultsStore(path: path) }
        #expect(error?.description.contains("--no-store") == true)
        #expect(ResultsStore.notAFilePath(path) != nil)
        #expect(ResultsStore.notAFilePath("Results/results.sqlite") == nil)
    }

    @Test("another application's SQLite file is refused and left exactly as it was")
    func foreignTables() throws {
        try withTemporaryStorePath { path in
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try RawSQLite(path: path).execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'Ada')")
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let error = #expect(throws: ResultsStoreError.self) { _ = try ResultsStore(path: path) }
            #expect(error?.description.contains("not a nexus-sim results database (it holds other tables: customers)") == true)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
            #expect(try RawSQLite(path: path).column("SELECT name FROM sqlite_master WHERE type = 'table'") == ["customers"])
        }
    }

    @Test("an unknown application_id is refused, even without tables")
    func foreignApplicationID() throws {
        try withTemporaryStorePath { path in
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try RawSQLite(path: path).execute("PRAGMA application_id = 305419896")
            let error = #expect(throws: ResultsStoreError.self) { _ = try ResultsStore(path: path) }
            #expect(error?.description.contains("application_id is 0x12345678, ours is 0x4E58534D") == true)
        }
    }

    @Test("a schema version without our tables is refused")
    func versionWithoutTables() throws {
        try withTemporaryStorePath { path in
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try RawSQLite(path: path).execute("CREATE TABLE notes (body TEXT); PRAGMA user_version = 2")
            let error = #expect(throws: ResultsStoreError.self) { _ = try ResultsStore(path: path) }
            #expect(error?.description.contains("its schema version is 2 but it has no metrics, runs, series table") == true)
        }
    }

    @Test("a file that is not SQLite is refused and left as it was")
    func notSQLite() throws {
        try withTemporaryStorePath { path in
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let text = Data(String(repeating: "timestamp,tokens\n2026-01-01T00:00:00Z,12\n", count: 200).utf8)
            try text.write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: ResultsStoreError.self) { _ = try ResultsStore(path: path) }
            #expect(error?.description.contains("not an SQLite database") == true)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == text)
        }
    }

    @Test("our own databases carry the application_id and open again")
    func ownApplicationID() throws {
        try withTemporaryStorePath { path in
            _ = try ResultsStore(path: path)
            #expect(try RawSQLite(path: path).integer("PRAGMA application_id") == 0x4E58_534D)
            #expect(try ResultsStore(path: path).schemaVersion() == ResultsStore.currentSchemaVersion)
        }
    }
}

@Suite("ResultsStore's commit gate")
struct ResultsStoreCommitGateTests {
    @Test("a gate that refuses turns the commit into a rollback; one that allows lets it land; removed, it is not called")
    func gateDecidesEachCommit() throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            let id = try store.beginRun(sampleRunRecord())
            var calls = 0
            store.gateCommits { calls += 1; return false }
            #expect(throws: ResultsStoreError.self) { try store.markRun(id: id, status: .finished) }
            #expect(calls == 1)
            #expect(try ResultsStore(path: path).run(id: id)?.status == .running)

            store.gateCommits { calls += 1; return true }
            try store.markRun(id: id, status: .finished)
            #expect(calls == 2)
            #expect(try ResultsStore(path: path).run(id: id)?.status == .finished)

            store.gateCommits(nil)
            try store.markRun(id: id, status: .failed)
            #expect(calls == 2)
            #expect(try ResultsStore(path: path).run(id: id)?.status == .failed)
        }
    }
}
