import CSQLite
import Foundation

/// A bare SQLite connection for tests that build databases the store did not write (older schema versions,
/// other applications' files) or inspect its tables directly.
final class RawSQLite {
    private let handle: OpaquePointer

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(path: String) throws {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) == SQLITE_OK, let db else {
            sqlite3_close_v2(db)
            throw Failure(description: "cannot open \(path)")
        }
        handle = db
    }

    deinit { sqlite3_close_v2(handle) }

    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &message) == SQLITE_OK else {
            defer { sqlite3_free(message) }
            throw Failure(description: message.map { String(cString: $0) } ?? "error")
        }
    }

    /// The first column of every row of `sql`, as text (NULL as "NULL").
    func column(_ sql: String) throws -> [String] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else {
            throw Failure(description: String(cString: sqlite3_errmsg(handle)))
        }
        defer { sqlite3_finalize(statement) }
        var values: [String] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            values.append(sqlite3_column_text(statement, 0).map { String(cString: $0) } ?? "NULL")
        }
        return values
    }

    func integer(_ sql: String) throws -> Int64 {
        guard let text = try column(sql).first, let value = Int64(text) else { throw Failure(description: "no integer from \(sql)") }
        return value
    }
}

/// The schema of results databases written by the versions before the series were stored as columns
/// (schema version 3), as they shipped.
let schemaVersion3SQL = """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, finished_at TEXT, command TEXT NOT NULL,
        scenario_name TEXT NOT NULL, scenario_path TEXT, scenario_text TEXT NOT NULL, scenario_sha256 TEXT NOT NULL,
        parameters_json TEXT NOT NULL, overrides_json TEXT NOT NULL, seed INTEGER NOT NULL, replications INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'incomplete', 'failed')), summary_json TEXT,
        tool_version TEXT NOT NULL);
    CREATE TABLE metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, replication INTEGER, name TEXT NOT NULL,
        value REAL NOT NULL, ci_low REAL, ci_high REAL);
    CREATE UNIQUE INDEX metrics_unique_name ON metrics (run_id, IFNULL(replication, -1), name);
    CREATE TABLE series (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, replication INTEGER NOT NULL,
        window_start_s REAL NOT NULL, name TEXT NOT NULL, value REAL NOT NULL);
    CREATE INDEX series_run_name ON series (run_id, name);
    CREATE TABLE targets (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, position INTEGER NOT NULL, target TEXT NOT NULL,
        metric TEXT NOT NULL, comparison TEXT NOT NULL CHECK (comparison IN ('<', '<=', '>', '>=')), threshold REAL NOT NULL,
        mean REAL, ci_low REAL, ci_high REAL,
        basis TEXT NOT NULL CHECK (basis IN ('point_estimate', 'upper_bound', 'lower_bound')), judged_value REAL,
        passed INTEGER NOT NULL CHECK (passed IN (0, 1)), PRIMARY KEY (run_id, position));
    CREATE TABLE sweeps (
        id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, scenario_name TEXT NOT NULL,
        grid_json TEXT NOT NULL, seed INTEGER NOT NULL, replications INTEGER NOT NULL);
    CREATE TABLE sweep_points (
        sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE, point INTEGER NOT NULL,
        run_id INTEGER NOT NULL REFERENCES runs(id), assignment_json TEXT NOT NULL,
        meets_targets INTEGER CHECK (meets_targets IN (0, 1)), pareto INTEGER NOT NULL CHECK (pareto IN (0, 1)),
        PRIMARY KEY (sweep_id, point));
    ALTER TABLE runs ADD COLUMN shard_index INTEGER CHECK (shard_index >= 1);
    ALTER TABLE runs ADD COLUMN shard_count INTEGER CHECK (shard_count >= 1);
    ALTER TABLE runs ADD COLUMN warmup_ns INTEGER;
    ALTER TABLE runs ADD COLUMN forecast_month TEXT;
    CREATE TABLE replications (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, replication INTEGER NOT NULL,
        seed INTEGER NOT NULL, summary_json TEXT NOT NULL, PRIMARY KEY (run_id, replication));
    PRAGMA user_version = 3;
    """
