import CSQLite
import Foundation
import Testing

@Suite("runs list, runs prune, and the store under concurrent runs and misuse")
struct RunsCommandTests {
    /// Two hours of the baseline with one-second windows: 7,200 windows of every series per run.
    static let largeSeriesRun = ["run", "Scenarios/baseline.yaml", "--quiet", "--set", "simulation.duration=2h",
                                 "--set", "simulation.series_window=1s", "--set", "simulation.drain=1m"]

    @Test("eight runs writing large series to one database at once are all stored; list and prune them")
    func eightConcurrentRuns() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("shared.sqlite").path
        let results = ResultSlots(count: 8)
        // Threads, not a concurrent queue: all eight processes must run at once, whatever the core count.
        let group = DispatchGroup()
        for i in 0..<8 {
            group.enter()
            Thread {
                results.set(i, Result { try CLI.run(Self.largeSeriesRun + ["--seed", String(i + 1), "--db", db]) })
                group.leave()
            }.start()
        }
        group.wait()
        for result in results.values {
            let run = try result.get()
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("stored as run "))
        }
        let list = try CLI.run(["runs", "list", "--db", db, "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        let runs = try #require(object["runs"] as? [[String: Any]])
        #expect(runs.count == 8)
        #expect(runs.map { $0["id"] as? Int } == Array((1...8).reversed()))
        #expect(runs.allSatisfy { $0["status"] as? String == "finished" && $0["command"] as? String == "run" })
        #expect(runs.allSatisfy { ($0["requests"] as? Double ?? 0) > 70_000 && ($0["availability"] as? Double ?? 0) > 0.9 })

        let table = try CLI.run(["runs", "list", "--db", db, "--limit", "2"])
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("ID  STARTED (UTC)"))
        #expect(lines[1].hasPrefix(" 8  ") && lines[1].contains("run      baseline  finished"))

        let prune = try CLI.run(["runs", "prune", "--db", db, "--keep", "3"])
        #expect(prune.status == 0, "\(prune.stderr)")
        #expect(prune.stdout.hasPrefix("Deleted 5 runs (5, 4, 3, 2, 1) with their metrics, series, replications and targets.\n"))
        #expect(prune.stdout.contains(" freed)."))
        let after = try CLI.run(["runs", "list", "--db", db, "--json"])
        #expect(after.stdout.components(separatedBy: "\"status\": \"finished\"").count - 1 == 3)
    }

    @Test("--db '' and --db :memory: are usage errors: nothing would be kept", arguments: ["", ":memory:"])
    func temporaryDatabases(db: String) throws {
        let run = try CLI.run(["run", CLI.mmc] + CLI.smallMMc + ["--db", db])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--db: "))
        #expect(run.stderr.contains("--no-store"))
        #expect(try CLI.run(["runs", "list", "--db", db]).status == 64)
        #expect(try CLI.run(["report", "latest", "--db", db]).status == 64)
        // With --no-store nothing is written, so the path does not matter.
        #expect(try CLI.run(["run", CLI.mmc] + CLI.smallMMc + ["--db", db, "--no-store"]).status == 0)
    }

    @Test("another application's SQLite file is refused with exit 3 and left without our tables")
    func foreignFile() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("app.sqlite").path
        var handle: OpaquePointer?
        try #require(sqlite3_open(db, &handle) == SQLITE_OK)
        #expect(sqlite3_exec(handle, "CREATE TABLE orders (id INTEGER PRIMARY KEY)", nil, nil, nil) == SQLITE_OK)
        sqlite3_close(handle)
        let run = try CLI.run(["run", CLI.mmc] + CLI.smallMMc + ["--db", db])
        #expect(run.status == 3)
        #expect(run.stderr.contains("not a nexus-sim results database (it holds other tables: orders)"))
        #expect(try CLI.run(["runs", "list", "--db", db]).status == 3)
        var check: OpaquePointer?
        try #require(sqlite3_open(db, &check) == SQLITE_OK)
        defer { sqlite3_close(check) }
        var statement: OpaquePointer?
        #expect(sqlite3_prepare_v2(check, "SELECT count(*) FROM sqlite_master", -1, &statement, nil) == SQLITE_OK)
        #expect(sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_int(statement, 0) == 1)
        sqlite3_finalize(statement)
    }

    @Test("merge refuses a database holding an unsharded run")
    func mergeWholeRun() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("whole.sqlite").path
        #expect(try CLI.run(["run", CLI.mmc] + CLI.smallMMc + ["--db", db]).status == 0)
        let merge = try CLI.run(["merge", "--no-store", db])
        #expect(merge.status == 2)
        #expect(merge.stderr.contains("\(db) holds a run (run 1), which is not a shard"))
        #expect(!merge.stderr.contains("merged 1 shard"))
    }

    @Test("prune needs exactly one of --keep and --older-than, and a valid age",
          arguments: [[String](), ["--keep", "1", "--older-than", "1d"], ["--older-than", "30"], ["--older-than", "-2d"],
                      ["--keep", "-1"]])
    func pruneUsage(arguments: [String]) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let prune = try CLI.run(["runs", "prune", "--db", dir.appendingPathComponent("r.sqlite").path] + arguments)
        #expect(prune.status == 64, "\(prune.stderr)")
    }

    @Test("listing a database that does not exist says so and creates nothing")
    func missingDatabase() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("none.sqlite").path
        let list = try CLI.run(["runs", "list", "--db", db])
        #expect(list.status == 2)
        #expect(list.stderr.contains("no results database at \(db)"))
        #expect(!FileManager.default.fileExists(atPath: db))
    }
}

/// Results written by several threads, each index by exactly one.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [Result<CLI.Result, any Error>?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<CLI.Result, any Error>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    var values: [Result<CLI.Result, any Error>] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0! }
    }
}
