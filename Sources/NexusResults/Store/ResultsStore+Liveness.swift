#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process that owns a run, recorded when it begins.
public struct RunOwner: Sendable, Hashable {
    public var pid: Int32
    public var host: String

    public init(pid: Int32, host: String) {
        self.pid = pid
        self.host = host
    }

    /// This process on this machine.
    public static var current: RunOwner { RunOwner(pid: getpid(), host: currentHostName()) }

    /// Whether this owner is known to be gone: it ran on this host and no process has its pid. On another
    /// host nothing is known, so `false`.
    public var isGoneFromThisHost: Bool {
        guard host == Self.currentHostName(), pid > 0 else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    static func currentHostName() -> String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension ResultsStore {
    /// Records `owner` as the process running run `id`, so that a later reader can tell a run that is still
    /// going from one whose process died without marking it (``isAbandoned(runID:)``).
    public func recordOwner(_ owner: RunOwner = .current, ofRun id: Int64) throws {
        let update = try prepare("UPDATE runs SET pid = ?, host = ? WHERE id = ?")
        try update.bind(Int64(owner.pid), at: 1)
        try update.bind(owner.host, at: 2)
        try update.bind(id, at: 3)
        try update.step()
    }

    /// The process recorded for run `id`, if any.
    public func owner(ofRun id: Int64) throws -> RunOwner? {
        let query = try prepare("SELECT pid, host FROM runs WHERE id = ?")
        try query.bind(id, at: 1)
        guard try query.step(), !query.isNull(0), !query.isNull(1) else { return nil }
        return RunOwner(pid: Int32(truncatingIfNeeded: query.int64(0)), host: query.text(1))
    }

    /// A run is abandoned when it is still `running` but its process is gone from this host (killed with
    /// SIGKILL, crashed, or the machine restarted): it will never finish, and should be read as incomplete.
    public func isAbandoned(runID id: Int64) throws -> Bool {
        let query = try prepare("SELECT status FROM runs WHERE id = ?")
        try query.bind(id, at: 1)
        guard try query.step(), query.text(0) == RunStatus.running.rawValue else { return false }
        return try owner(ofRun: id)?.isGoneFromThisHost ?? false
    }

    /// How a run's state should be shown: its status, or `abandoned` for a `running` run whose process is gone.
    public func displayStatus(of run: StoredRun) throws -> String {
        try run.status == .running && isAbandoned(runID: run.id) ? "abandoned" : run.status.rawValue
    }
}
