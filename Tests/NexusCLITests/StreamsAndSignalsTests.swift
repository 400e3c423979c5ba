import Foundation
import NexusResults
import Testing

/// Standard streams that cannot be written, and signals: a lost result is exit 3, an interrupted run is stored
/// as incomplete with exit 128 + the signal, and nothing ever dies by a signal or a trap.
@Suite struct StreamsAndSignalsTests {
    static let quickRun = ["run", CLI.mmc, "--json", "--no-store"] + CLI.smallMMc

    @Test func aResultWrittenToAFullDiskIsExit3() throws {
        let r = try CLI.run(Self.quickRun, timeoutSeconds: 120, stdoutPath: "/dev/full")
        #expect(!r.killedBySignal)
        #expect(r.status == 3)
        #expect(r.stderr.contains("error: cannot write the result to standard output: No space left on device"))
    }

    @Test func aClosedStandardOutputIsExit3AndNeverTraps() throws {
        let r = try CLI.run(Self.quickRun, timeoutSeconds: 120, closeStdout: true)
        #expect(!r.killedBySignal)
        #expect(r.status == 3)
        #expect(r.stderr.contains("error: cannot write the result to standard output"))
    }

    @Test func aFullStandardErrorIsIgnored() throws {
        // Diagnostics that cannot be written are dropped; the result on stdout is still whole.
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = Self.quickRun
        process.currentDirectoryURL = CLI.root
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: "/dev/full")
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        #expect((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["requests"] != nil)
    }

    @Test func aJUnitFileOnADeviceIsWrittenInPlace() throws {
        let dir = try CLI.temporaryDirectory()
        try "p95_latency < 100s\n".write(to: dir.appendingPathComponent("t.txt"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["gate", CLI.mmc, "--no-store", "--targets", dir.appendingPathComponent("t.txt").path, "--junit", "/dev/null"]
                            + CLI.smallMMc, timeoutSeconds: 120)
        #expect(r.status == 0, "\(r.stderr)")
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
    }

    @Test(arguments: [(SIGINT, Int32(130), "SIGINT"), (SIGTERM, 143, "SIGTERM"), (SIGHUP, 129, "SIGHUP")])
    func aSignalStoresTheRunAsIncomplete(signal: Int32, status: Int32, name: String) throws {
        let dir = try CLI.temporaryDirectory()
        let db = dir.appendingPathComponent("r.sqlite").path
        let process = Process()
        process.executableURL = CLI.executable
        // Long enough to be still simulating when the signal comes.
        process.arguments = ["run", "Scenarios/baseline.yaml", "--db", db, "--set", "simulation.duration=60d", "--quiet"]
        process.currentDirectoryURL = CLI.root
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait until the run's row exists, then interrupt.
        var begun = false
        for _ in 0..<600 where !begun {
            usleep(50_000)
            begun = (try? ResultsStore(path: db).run(id: 1)) != nil
        }
        #expect(begun)
        kill(process.processIdentifier, signal)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == status)
        #expect(stderr.contains("interrupted (\(name)): run 1 stored as incomplete in \(db)"), "\(stderr)")
        let store = try ResultsStore(path: db)
        let run = try #require(try store.run(id: 1))
        #expect(run.status == .incomplete)
        #expect(try store.owner(ofRun: 1)?.pid == process.processIdentifier)
    }

    @Test func aRunKilledWithSIGKILLReadsAsAbandoned() throws {
        let dir = try CLI.temporaryDirectory()
        let db = dir.appendingPathComponent("r.sqlite").path
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["run", "Scenarios/baseline.yaml", "--db", db, "--set", "simulation.duration=60d", "--quiet"]
        process.currentDirectoryURL = CLI.root
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var begun = false
        for _ in 0..<600 where !begun {
            usleep(50_000)
            begun = (try? ResultsStore(path: db).owner(ofRun: 1)) != nil
        }
        #expect(begun)
        let store = try ResultsStore(path: db)
        #expect(try !store.isAbandoned(runID: 1))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(try store.run(id: 1)?.status == .running)
        #expect(try store.isAbandoned(runID: 1))
    }

    @Test func aSignalDuringTheStoreWriteWaitsForItAndSaysSo() throws {
        let dir = try CLI.temporaryDirectory()
        let db = dir.appendingPathComponent("r.sqlite").path
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = Process()
        process.executableURL = CLI.executable
        // Ten-thousands of 100 ms series windows: the store write takes seconds, long after the simulation.
        process.arguments = ["run", "Scenarios/baseline.yaml", "--db", db, "--set", "simulation.duration=24h", "--set", "simulation.warmup=0s",
                             "--set", "simulation.series_window=100ms", "--quiet"]
        process.currentDirectoryURL = CLI.root
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Storing has begun once the write-ahead log holds a megabyte (the run's row alone is a few kB). A day of
        // 100 ms windows keeps the (compressed) write long enough to be seen.
        var storing = false
        for _ in 0..<3000 where !storing && process.isRunning {
            usleep(50_000)
            let size = (try? FileManager.default.attributesOfItem(atPath: db + "-wal"))?[.size] as? Int ?? 0
            storing = size > 1_000_000
        }
        try #require(storing)
        kill(process.processIdentifier, SIGINT)
        usleep(500_000)
        // The first signal waits for the write; a second one stops at once and leaves the row 'running'. A write
        // that ends within the pause (the store compresses series, so it can be quick) must say it finished.
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        if stderr.contains("again: stopped while storing") {
            #expect(process.terminationStatus == 143)
            #expect(stderr.contains("interrupted (SIGINT): finishing the write of run 1 first"))
            let store = try ResultsStore(path: db)
            #expect(try store.run(id: 1)?.status == .running)
            #expect(try store.isAbandoned(runID: 1))
        } else {
            // The write ended between the two signals: then it is stored as finished, and says so.
            #expect(process.terminationStatus == 130)
            #expect(stderr.contains("run 1 stored as finished"), "\(stderr)")
            #expect(try ResultsStore(path: db).run(id: 1)?.status == .finished)
        }
    }
}
