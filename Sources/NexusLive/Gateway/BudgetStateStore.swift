import CSQLite
import Foundation
import NexusGateway

/// Budget spend that survives a restart (`--state FILE`): per local day, user and team, what has been settled
/// and what is reserved by attempts still running, in SQLite.
///
/// A reservation is written *before* its attempt leaves (write-ahead), so a gateway killed mid-request leaves
/// its worst case recorded. At start the reserved amounts of the dead process count as spent — the attempts
/// may well have been billed — and the current month is replayed into the ``BudgetGuard`` through its own
/// `reserve`/`settle`, so every window (month, day, user, team) resumes at least where it was and a hard limit
/// still holds. WAL mode with `synchronous=NORMAL`: each write is one append to the log, durable against a
/// killed process.
final class BudgetStateStore: @unchecked Sendable {
    /// One persisted row: spend of (day, user, team).
    struct Row: Sendable, Hashable {
        var day: Int64
        var user: String
        var team: String
        var settledUSD: Double
        var reservedUSD: Double
    }

    private let lock = NSLock()
    private var database: OpaquePointer?
    private var reserveStatement: OpaquePointer?
    private var settleStatement: OpaquePointer?
    let path: String

    init(path: String) throws(GatewayConfigurationError) {
        self.path = path
        var handle: OpaquePointer?
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nil) == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            throw GatewayConfigurationError("cannot open the state file '\(path)': \(message)")
        }
        database = handle
        sqlite3_busy_timeout(handle, 5000)
        do {
            try execute("PRAGMA journal_mode=WAL")
            try execute("PRAGMA synchronous=NORMAL")
            try execute("""
                CREATE TABLE IF NOT EXISTS budget_spend (
                    day INTEGER NOT NULL, user TEXT NOT NULL, team TEXT NOT NULL,
                    settled_usd REAL NOT NULL DEFAULT 0, reserved_usd REAL NOT NULL DEFAULT 0,
                    PRIMARY KEY (day, user, team))
                """)
            reserveStatement = try prepare("""
                INSERT INTO budget_spend (day, user, team, reserved_usd) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (day, user, team) DO UPDATE SET reserved_usd = reserved_usd + excluded.reserved_usd
                """)
            settleStatement = try prepare("""
                UPDATE budget_spend SET reserved_usd = max(reserved_usd - ?4, 0), settled_usd = settled_usd + ?5
                WHERE day = ?1 AND user = ?2 AND team = ?3
                """)
        } catch {
            sqlite3_finalize(reserveStatement)
            sqlite3_finalize(settleStatement)
            sqlite3_close(database)
            throw GatewayConfigurationError("the state file '\(path)' is not usable: \(error.message)")
        }
    }

    deinit {
        sqlite3_finalize(reserveStatement)
        sqlite3_finalize(settleStatement)
        sqlite3_close(database)
    }

    /// Takes over the state a previous process left: reservations still outstanding become settled spend (their
    /// attempts' outcome is unknown, so the worst case counts), then returns the rows from `firstDay` on.
    func resume(fromDay firstDay: Int64) throws(GatewayConfigurationError) -> [Row] {
        lock.lock()
        defer { lock.unlock() }
        do {
            try execute("UPDATE budget_spend SET settled_usd = settled_usd + reserved_usd, reserved_usd = 0 WHERE reserved_usd != 0")
            let statement = try prepare("SELECT day, user, team, settled_usd, reserved_usd FROM budget_spend WHERE day >= ?1 ORDER BY day, user, team")
            defer { sqlite3_finalize(statement) }
            sqlite3_bind_int64(statement, 1, firstDay)
            var rows: [Row] = []
            while sqlite3_step(statement) == SQLITE_ROW {
                rows.append(Row(
                    day: sqlite3_column_int64(statement, 0),
                    user: String(cString: sqlite3_column_text(statement, 1)),
                    team: String(cString: sqlite3_column_text(statement, 2)),
                    settledUSD: sqlite3_column_double(statement, 3),
                    reservedUSD: sqlite3_column_double(statement, 4)))
            }
            return rows
        } catch {
            throw GatewayConfigurationError("cannot read the state file '\(path)': \(error.message)")
        }
    }

    /// Records a reservation before its attempt is sent.
    func reserve(day: Int64, user: String, team: String, amount: USD) {
        run(reserveStatement, day: day, user: user, team: team, reserved: amount.dollars, settled: nil)
    }

    /// Moves a reservation to its actual cost.
    func settle(day: Int64, user: String, team: String, reserved: USD, actual: USD) {
        run(settleStatement, day: day, user: user, team: team, reserved: reserved.dollars, settled: actual.dollars)
    }

    private func run(_ statement: OpaquePointer?, day: Int64, user: String, team: String, reserved: Double, settled: Double?) {
        lock.lock()
        defer { lock.unlock() }
        guard let statement else { return }
        sqlite3_reset(statement)
        sqlite3_bind_int64(statement, 1, day)
        sqlite3_bind_text(statement, 2, user, -1, nexus_sqlite_transient())
        sqlite3_bind_text(statement, 3, team, -1, nexus_sqlite_transient())
        sqlite3_bind_double(statement, 4, reserved)
        if let settled { sqlite3_bind_double(statement, 5, settled) }
        _ = sqlite3_step(statement)
    }

    private struct SQLError: Error { var message: String }

    private func execute(_ sql: String) throws(SQLError) {
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(database, sql, nil, nil, &error) == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(error)
            throw SQLError(message: message)
        }
    }

    private func prepare(_ sql: String) throws(SQLError) -> OpaquePointer? {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(database, sql, -1, &statement, nil) == SQLITE_OK else {
            throw SQLError(message: String(cString: sqlite3_errmsg(database)))
        }
        return statement
    }
}
