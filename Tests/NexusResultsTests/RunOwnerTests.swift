import Foundation
import NexusResults
import Testing

/// A run records the process running it, so that one killed before it could mark itself reads as abandoned.
@Suite struct RunOwnerTests {
    /// The pid of a process that has exited (and been reaped), so no process has it for now.
    static func deadPID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test func aRunningRunWhoseProcessIsGoneIsAbandoned() throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            let live = try store.beginRun(sampleRunRecord())
            try store.recordOwner(ofRun: live)
            #expect(try store.owner(ofRun: live) == RunOwner.current)
            #expect(try !store.isAbandoned(runID: live))

            let killed = try store.beginRun(sampleRunRecord())
            let pid = try Self.deadPID()
            try store.recordOwner(RunOwner(pid: pid, host: RunOwner.current.host), ofRun: killed)
            #expect(try store.isAbandoned(runID: killed))
            #expect(try store.displayStatus(of: try #require(try store.run(id: killed))) == "abandoned")

            // On another host nothing is known about the process: still shown as running.
            let remote = try store.beginRun(sampleRunRecord())
            try store.recordOwner(RunOwner(pid: pid, host: "some-other-host"), ofRun: remote)
            #expect(try !store.isAbandoned(runID: remote))
            #expect(try store.displayStatus(of: try #require(try store.run(id: remote))) == "running")

            // A run that ended is never abandoned, whatever became of its process.
            try store.markRun(id: killed, status: .incomplete)
            #expect(try !store.isAbandoned(runID: killed))
            #expect(try store.displayStatus(of: try #require(try store.run(id: killed))) == "incomplete")

            // A run from before the columns existed has no owner.
            let old = try store.beginRun(sampleRunRecord())
            #expect(try store.owner(ofRun: old) == nil)
            #expect(try !store.isAbandoned(runID: old))
        }
    }
}
