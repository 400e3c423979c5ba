import CSQLite
import Foundation

/// A SQLite database of simulation runs and their results.
///
/// Opening a store creates the file (and its parent directories) if needed and
/// migrates the schema to ``currentSchemaVersion``. The database uses WAL journaling, so readers never
/// wait for a writer; writers take the write lock with `BEGIN IMMEDIATE`, wait for one another (SQLite's
/// busy timeout, then retries with a growing pause, up to ``lockWaitSeconds`` in all), and hold it only
/// while copying already-encoded rows. Any number of processes may therefore store runs in one file at once.
///
/// The path must name a file: `""` and `:memory:` (SQLite's temporary databases, discarded on close) are
/// refused, and so is an SQLite file of another application (see ``applicationID``).
///
/// The store is not thread-safe: use one instance from one task or thread at a time.
public final class ResultsStore {
    /// Path of the database file.
    public let path: String

    /// The open `sqlite3*` connection, owned by this instance.
    let connection: OpaquePointer

    /// The closure SQLite calls before each commit, if one is set (``gateCommits(_:)``).
    var commitGate: CommitGate?

    /// How long one SQLite call waits for another connection's lock before reporting SQLITE_BUSY.
    private static let busyTimeoutMilliseconds: Int32 = 2_000

    /// How long, in all, an operation keeps retrying while other connections hold the lock.
    public static let lockWaitSeconds: Double = 300

    /// Opens, or creates, the results database at `path`.
    ///
    /// - Throws: ``ResultsStoreError`` if the path names no file (``notAFilePath(_:)``), the file cannot be
    ///   opened, is not an SQLite database, belongs to another application (see ``applicationID``), was
    ///   written by a newer version of the tool (its schema version exceeds ``currentSchemaVersion``),
    ///   or a migration fails.
    public init(path: String) throws {
        self.path = path
        try Self.requireFilePath(path)
        try Self.createParentDirectory(of: path)

        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw ResultsStoreError(path: path, operation: "open", message: message, resultCode: code)
        }
        connection = handle

        // If configuration or migration throws, deinit still runs and closes the handle.
        sqlite3_extended_result_codes(connection, 1)
        sqlite3_busy_timeout(connection, Self.busyTimeoutMilliseconds)
        try execute("PRAGMA foreign_keys = ON")
        // Refuse newer databases, and other applications' files, before changing anything about the file.
        do {
            try retryingWhileBusy {
                try refuseNewerSchema(try schemaVersion())
                try refuseForeignDatabase()
            }
        } catch let error as ResultsStoreError where error.resultCode == SQLITE_NOTADB {
            throw ResultsStoreError(path: path, operation: "open",
                                    message: "not an SQLite database (another kind of file?); nothing was changed. "
                                        + "Give another --db file", resultCode: error.resultCode)
        }
        try retryingWhileBusy { try execute("PRAGMA journal_mode = WAL") }
        try migrate()
    }

    deinit {
        // close_v2 also tolerates statements not yet finalized.
        sqlite3_close_v2(connection)
    }

    /// Refuses paths SQLite would open as a temporary database that disappears when it is closed.
    static func requireFilePath(_ path: String) throws {
        if let problem = Self.notAFilePath(path) {
            throw ResultsStoreError(path: path, operation: "open", message: problem)
        }
    }

    /// Why `path` cannot be a results database file (`nil` when it can): the empty path and `:memory:` name
    /// SQLite databases that are discarded on close, so a run stored there would be lost.
    public static func notAFilePath(_ path: String) -> String? {
        if path.trimmingCharacters(in: .whitespaces).isEmpty {
            return "the database path is empty; give a file such as Results/results.sqlite, or --no-store to keep nothing"
        }
        if path == ":memory:" {
            return "':memory:' is a temporary in-memory database that is discarded when the command ends; give a file "
                + "such as Results/results.sqlite, or --no-store to keep nothing"
        }
        return nil
    }

    private static func createParentDirectory(of path: String) throws {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw ResultsStoreError(
                path: path, operation: "create directory \(parent.path)",
                message: error.localizedDescription
            )
        }
    }

    // MARK: SQL helpers

    /// Prepares `sql` for binding and stepping.
    func prepare(_ sql: String) throws -> SQLiteStatement {
        try SQLiteStatement(connection: connection, path: path, sql: sql)
    }

    /// Runs SQL that takes no parameters; it may contain several statements.
    func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(connection, sql, nil, nil, &errorMessage)
        guard code == SQLITE_OK else {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(connection))
            sqlite3_free(errorMessage)
            throw ResultsStoreError(
                path: path, operation: sql, message: message,
                resultCode: sqlite3_extended_errcode(connection)
            )
        }
    }

    /// Runs `body` inside a write transaction: committed if it returns, rolled back if it throws.
    ///
    /// `BEGIN IMMEDIATE` takes the write lock up front, so a concurrent writer makes us
    /// wait (up to the busy timeout) instead of failing halfway through.
    func inTransaction<T>(_ body: () throws -> T) throws -> T {
        try retryingWhileBusy { try execute("BEGIN IMMEDIATE") }
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` again while it fails because another connection holds the lock (SQLITE_BUSY, after
    /// SQLite's own busy timeout), pausing a little longer each time, for up to ``lockWaitSeconds`` in all.
    /// `body` must be safe to repeat: a single statement, or one that starts a transaction.
    func retryingWhileBusy<T>(_ body: () throws -> T) throws -> T {
        let deadline = Date().addingTimeInterval(Self.lockWaitSeconds)
        var pauseMicroseconds: UInt32 = 10_000
        while true {
            do {
                return try body()
            } catch let error as ResultsStoreError where error.isBusy && Date() < deadline {
                // A random share of the pause keeps waiting writers from retrying in lockstep.
                usleep(UInt32.random(in: pauseMicroseconds / 2...pauseMicroseconds))
                pauseMicroseconds = min(pauseMicroseconds * 2, 500_000)
            }
        }
    }

    /// Row id assigned by the most recent successful INSERT.
    var lastInsertedRowID: Int64 {
        sqlite3_last_insert_rowid(connection)
    }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE.
    var changedRowCount: Int {
        Int(sqlite3_changes(connection))
    }
}
