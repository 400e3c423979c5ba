import Dispatch
import Foundation
import NexusResults

/// Ends the command cleanly on SIGINT, SIGTERM or SIGHUP: the runs it began and did not finish are marked
/// `incomplete` (never taken for finished ones), the message says what happened to each, and the exit code is
/// 128 + the signal number (130, 143, 129).
///
/// A signal that arrives while results are being stored takes effect once that write is over, so the row is
/// never left `running` behind a message that says otherwise: the run is then reported as stored (finished or
/// failed), and only the runs still unfinished are marked incomplete. When even that marking fails, the message
/// says so; the run's recorded process id lets a later reader show it as abandoned.
///
/// A second signal during the write stops at once unless a commit has already been let through: the store's
/// commit gate and this handler decide under one lock, so the message matches what the database holds.
enum InterruptHandler {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    nonisolated(unsafe) private static var database: String?
    nonisolated(unsafe) private static var unfinished: [Int64] = []
    nonisolated(unsafe) private static var stored: [Int64] = []
    nonisolated(unsafe) private static var isStoring = false
    nonisolated(unsafe) private static var pendingSignal: Int32?
    nonisolated(unsafe) private static var isExiting = false
    /// Set once the write being stored has let a commit through: from then on it lands, so it is waited for.
    nonisolated(unsafe) private static var hasCommitted = false

    static let handledSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Takes over the handled signals for the whole command (called once, before parsing).
    static func install() {
        for sig in handledSignals { signal(sig, SIG_IGN) }
        sources = handledSignals.map { sig in
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { handle(sig) }
            source.resume()
            return source
        }
    }

    /// Hands the signals over to a command that handles them itself: the live servers drain their requests on
    /// SIGTERM and SIGINT (swift-service-lifecycle) instead of exiting at once.
    static func release() {
        lock.lock()
        defer { lock.unlock() }
        for source in sources { source.cancel() }
        sources = []
    }

    /// Watches runs begun in `db`: an interruption marks those not yet stored incomplete. Idempotent.
    static func install(db: String, runIDs: [Int64]) {
        lock.lock()
        defer { lock.unlock() }
        database = db
        for id in runIDs where !unfinished.contains(id) && !stored.contains(id) { unfinished.append(id) }
    }

    /// Runs `body`, which stores run `runID`'s results (or marks it failed), without a signal cutting it short;
    /// a signal that came meanwhile ends the command right after.
    static func storing(runID: Int64, in store: ResultsStore, _ body: () throws -> Bool) rethrows {
        lock.lock()
        if isExiting {
            // The handler is marking the runs and exiting; storing now would race it.
            lock.unlock()
            parkForever()
        }
        isStoring = true
        hasCommitted = false
        lock.unlock()
        store.gateCommits(mayCommit)
        var finished = false
        defer {
            store.gateCommits(nil)
            lock.lock()
            isStoring = false
            hasCommitted = false
            unfinished.removeAll { $0 == runID }
            if finished { stored.append(runID) }
            let pending = pendingSignal
            if pending != nil { isExiting = true }
            let snapshot = (database, unfinished, stored)
            lock.unlock()
            if let pending { exitInterrupted(by: pending, db: snapshot.0, unfinished: snapshot.1, stored: snapshot.2) }
        }
        finished = try body()
    }

    /// The store's commit gate while a run is stored: a commit begun before a second signal lands (and is
    /// waited for); after one, the storing thread waits here while the handler exits.
    private static func mayCommit() -> Bool {
        lock.lock()
        if isExiting {
            lock.unlock()
            parkForever()
        }
        hasCommitted = true
        lock.unlock()
        return true
    }

    private static func parkForever() -> Never {
        while true { pause() }
    }

    private static func handle(_ sig: Int32) {
        lock.lock()
        guard !isExiting else { lock.unlock(); return }
        if isStoring {
            let list = unfinished.map(String.init).joined(separator: ", ")
            if pendingSignal == nil {
                pendingSignal = sig
                lock.unlock()
                printError("\ninterrupted (\(signalName(sig))): finishing the write of run \(list) first "
                    + "(signal again to stop at once, leaving it 'running')")
                return
            }
            if hasCommitted {
                lock.unlock()
                printError("\ninterrupted (\(signalName(sig))) again: run \(list) is already being committed; "
                    + "stopping as soon as it is written")
                return
            }
            // A second signal before any commit: stop now. No commit starts after this (the gate parks the
            // storing thread), SQLite rolls the unfinished write back, the row stays 'running', and its
            // recorded process id shows it as abandoned from now on.
            isExiting = true
            lock.unlock()
            printError("\ninterrupted (\(signalName(sig))) again: stopped while storing; run \(list) left 'running' "
                + "(shown as abandoned once this process is gone)")
            exit(128 + sig)
        }
        isExiting = true
        let snapshot = (database, unfinished, stored)
        lock.unlock()
        exitInterrupted(by: sig, db: snapshot.0, unfinished: snapshot.1, stored: snapshot.2)
    }

    private static func signalName(_ sig: Int32) -> String {
        sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "signal \(sig)"
    }

    private static func exitInterrupted(by sig: Int32, db: String?, unfinished: [Int64], stored: [Int64]) -> Never {
        var message = "\ninterrupted (\(signalName(sig)))"
        func runs(_ ids: [Int64]) -> String { "run\(ids.count == 1 ? "" : "s") \(ids.map(String.init).joined(separator: ", "))" }
        if !stored.isEmpty { message += ": \(runs(stored)) stored as finished" }
        if let db, !unfinished.isEmpty {
            message += stored.isEmpty ? ": " : "; "
            do {
                // A separate connection: the main thread's may be in use by the simulation's thread.
                let store = try ResultsStore(path: db)
                for id in unfinished { try store.markRun(id: id, status: .incomplete) }
                message += "\(runs(unfinished)) stored as incomplete in \(db)"
            } catch {
                message += "could not mark \(runs(unfinished)) incomplete in \(db) (\(error)); "
                    + "\(unfinished.count == 1 ? "it stays" : "they stay") 'running' and \(unfinished.count == 1 ? "is" : "are") "
                    + "shown as abandoned once this process is gone"
            }
        } else if stored.isEmpty {
            message += "; nothing was stored"
        }
        printError(message)
        exit(128 + sig)
    }
}
