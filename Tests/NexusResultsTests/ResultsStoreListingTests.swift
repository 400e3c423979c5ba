import Foundation
import NexusResults
import Testing

@Suite("ResultsStore listing and pruning")
struct ResultsStoreListingTests {
    static let now = Date(timeIntervalSince1970: 1_780_000_000)

    /// Stores a finished run begun `daysAgo` days before `now`, with key metrics and a day of one-minute series.
    @discardableResult
    static func finishedRun(_ store: ResultsStore, daysAgo: Double, requests: Double = 1000) throws -> Int64 {
        let id = try store.beginRun(sampleRunRecord(), at: now.addingTimeInterval(-daysAgo * 86_400))
        try store.finishRun(
            id: id,
            metrics: [MetricRow(name: "requests", replication: nil, value: requests),
                      MetricRow(name: "availability", replication: nil, value: 0.995, ciLow: 0.99, ciHigh: 1),
                      MetricRow(name: "latency_ms.p95", replication: nil, value: 1830),
                      MetricRow(name: "cost_usd.per_request", replication: nil, value: 0.0021),
                      MetricRow(name: "requests", replication: 0, value: requests + 1)],
            seriesColumns: (0..<20).map { s in
                SeriesColumn(replication: 0, name: "s\(s)", windowSeconds: 60,
                             values: (0..<1440).map { Double(($0 * 7919 + s * 104_729 + Int(requests)) % 100_003) })
            },
            replications: [ReplicationRow(replication: 0, seed: 1, summaryJSON: String(repeating: "{}", count: 50_000))],
            summaryJSON: "{}", at: now.addingTimeInterval(-daysAgo * 86_400 + 60))
        return id
    }

    @Test("runs are listed newest first with their key results; unfinished runs have none")
    func listing() throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            let finished = try Self.finishedRun(store, daysAgo: 2, requests: 29_988_964)
            let running = try store.beginRun(sampleRunRecord(command: "gate"), at: Self.now)
            let listings = try store.runListings()
            #expect(listings.map(\.id) == [running, finished])
            let run = listings[1]
            #expect(run.requests == 29_988_964 && run.availability == 0.995)
            #expect(run.p95LatencyMillis == 1830 && run.costPerRequestUSD == 0.0021)
            #expect(run.status == .finished && run.listedStatus == "finished" && run.replications == 8 && run.shard == .whole)
            #expect(listings[0].command == "gate" && listings[0].requests == nil && listings[0].listedStatus == "running")
            #expect(try store.runListings(limit: 1).map(\.id) == [running])

            let table = RunListing.table(listings)
            #expect(table.hasPrefix("ID  STARTED (UTC)     COMMAND  SCENARIO        STATUS    REPL  REQUESTS"))
            #expect(table.contains("\n 2  2026-05-28 20:26  gate     burst-failover  running      8         -        -       -          -\n"))
            #expect(table.contains("29.99M  99.500%  1.83 s   $0.00210"))
            let json = RunListing.json(listings).rendered(indent: nil)
            #expect(json.contains(#""id":1,"created_at":"2026-05-26T20:26:40.000Z","finished_at":"2026-05-26T20:27:40.000Z","command":"run","scenario":"burst-failover","status":"finished","replications":8,"shard":"1/1","requests":29988964,"availability":0.995,"latency_ms_p95":1830,"cost_usd_per_request":0.0021"#))
        }
    }

    @Test("a process that has exited is gone; this one, or one on another host, is not")
    func processLiveness() throws {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        child.arguments = ["-c", "exit 0"]
        try child.run()
        child.waitUntilExit()
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, 255)
        let host = String(cString: name)
        #expect(!RunOwner(pid: getpid(), host: host).isGoneFromThisHost)
        #expect(RunOwner(pid: child.processIdentifier, host: host).isGoneFromThisHost)
        #expect(!RunOwner(pid: child.processIdentifier, host: "another-machine.invalid").isGoneFromThisHost)
    }

    @Test("a running run whose recorded process is gone from this host is listed as abandoned")
    func abandonedRuns() throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            let dead = try store.beginRun(sampleRunRecord())
            let alive = try store.beginRun(sampleRunRecord())
            let elsewhere = try store.beginRun(sampleRunRecord())
            #expect(try store.runListings().map(\.listedStatus) == ["running", "running", "running"])
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/bin/sh")
            child.arguments = ["-c", "exit 0"]
            try child.run()
            child.waitUntilExit()
            var name = [CChar](repeating: 0, count: 256)
            gethostname(&name, 255)
            let host = String(cString: name).replacingOccurrences(of: "'", with: "''")
            try RawSQLite(path: path).execute("""
                UPDATE runs SET pid = \(child.processIdentifier), host = '\(host)' WHERE id = \(dead);
                UPDATE runs SET pid = \(getpid()), host = '\(host)' WHERE id = \(alive);
                UPDATE runs SET pid = \(child.processIdentifier), host = 'another-machine.invalid' WHERE id = \(elsewhere);
                """)
            let listings = try store.runListings()
            #expect(listings.map(\.id) == [elsewhere, alive, dead])
            #expect(listings.map(\.listedStatus) == ["running", "running", "abandoned"])
            #expect(listings.map(\.status) == [.running, .running, .running])
            // An abandoned run will never finish, so prune may delete it; live ones are kept.
            let result = try store.prune(.keepNewest(0), now: Self.now, vacuum: false)
            #expect(result.deletedRunIDs == [dead] && result.keptRunningIDs == [elsewhere, alive])
        }
    }

    @Test("--keep N deletes all but the N newest runs with their rows, and VACUUM gives the space back")
    func keepNewest() throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            let ids = try (0..<5).map { try Self.finishedRun(store, daysAgo: Double(10 - $0), requests: Double(1000 + $0)) }
            let result = try store.prune(.keepNewest(2), now: Self.now)
            #expect(result.deletedRunIDs == [ids[2], ids[1], ids[0]])
            #expect(result.bytesAfter < result.bytesBefore && result.bytesFreed == result.bytesBefore - result.bytesAfter)
            #expect(try store.runListings().map(\.id) == [ids[4], ids[3]])
            let raw = try RawSQLite(path: path)
            for table in ["metrics", "series", "replications"] {
                #expect(try raw.column("SELECT DISTINCT run_id FROM \(table) ORDER BY run_id") == [ids[3], ids[4]].map(String.init))
            }
            #expect(try store.seriesColumns(runID: ids[4]).count == 20)
            #expect(result.text.hasPrefix("Deleted 3 runs (3, 2, 1) with their metrics, series, replications and targets.\n"))
            // Ids are never reused after a prune.
            #expect(try store.beginRun(sampleRunRecord()) == 6)
        }
    }

    @Test("--older-than deletes runs begun before the cut-off; running runs and partial sweeps are kept")
    func olderThan() throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            let old = try Self.finishedRun(store, daysAgo: 40)
            let sweepOld = try (0..<2).map { _ in try Self.finishedRun(store, daysAgo: 35) }
            let mixedOld = try Self.finishedRun(store, daysAgo: 33)
            let running = try store.beginRun(sampleRunRecord(), at: Self.now.addingTimeInterval(-31 * 86_400))
            let recent = try Self.finishedRun(store, daysAgo: 1)
            let mixedNew = try Self.finishedRun(store, daysAgo: 1)
            func sweep(_ runs: [Int64]) -> SweepRecord {
                SweepRecord(scenarioName: "s", grid: [(name: "x", values: runs.map(String.init))], seed: 1, replications: 1,
                            points: runs.map { .init(runID: $0, assignment: [("x", String($0))], meetsTargets: nil, onParetoFront: false) })
            }
            let wholeSweep = try store.saveSweep(sweep(sweepOld))
            let partSweep = try store.saveSweep(sweep([mixedOld, mixedNew]))

            let result = try store.prune(.olderThan(seconds: 30 * 86_400), now: Self.now)
            #expect(result.deletedRunIDs == [sweepOld[1], sweepOld[0], old])
            #expect(result.deletedSweepIDs == [wholeSweep])
            #expect(result.keptRunningIDs == [running])
            #expect(result.keptSweepRunIDs == [mixedOld])
            #expect(try store.runListings().map(\.id) == [mixedNew, recent, running, mixedOld])
            #expect(try store.sweep(containingRun: mixedOld)?.id == partSweep)
            #expect(try store.sweep(containingRun: sweepOld[0]) == nil)
        }
    }

    @Test("ages are a positive number with a unit", arguments: [
        ("30d", 2_592_000.0), ("12h", 43_200), ("90m", 5_400), ("90min", 5_400), ("45s", 45), ("2w", 1_209_600), ("1.5d", 129_600),
    ])
    func ages(text: String, seconds: Double) {
        #expect(PruneSelection.ageSeconds(text) == seconds)
    }

    @Test("malformed ages are refused", arguments: ["", "30", "d", "-1d", "0h", "1y", "nand", "1e9w"])
    func badAges(text: String) {
        #expect(PruneSelection.ageSeconds(text) == nil)
    }
}
