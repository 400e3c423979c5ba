extension ResultsStore {
    /// The schema version this build writes; `PRAGMA user_version` of a migrated database.
    public static var currentSchemaVersion: Int { migrations.count }

    /// Schema migrations in order: entry `i` upgrades version `i` to version `i + 1`.
    /// Append new migrations; never edit one that has shipped.
    static let migrations: [Migration] = [
        // Version 1: runs, their scalar metrics, and their time series.
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            finished_at TEXT,
            command TEXT NOT NULL,
            scenario_name TEXT NOT NULL,
            scenario_path TEXT,
            scenario_text TEXT NOT NULL,
            scenario_sha256 TEXT NOT NULL,
            parameters_json TEXT NOT NULL,
            overrides_json TEXT NOT NULL,
            seed INTEGER NOT NULL,
            replications INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'incomplete', 'failed')),
            summary_json TEXT,
            tool_version TEXT NOT NULL
        );
        CREATE TABLE metrics (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            replication INTEGER,
            name TEXT NOT NULL,
            value REAL NOT NULL,
            ci_low REAL,
            ci_high REAL
        );
        -- Not a PRIMARY KEY: SQLite treats NULLs as distinct there, so aggregate rows
        -- (replication NULL) would never collide. Mapping NULL to -1 makes them unique.
        CREATE UNIQUE INDEX metrics_unique_name
            ON metrics (run_id, IFNULL(replication, -1), name);
        CREATE TABLE series (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            replication INTEGER NOT NULL,
            window_start_s REAL NOT NULL,
            name TEXT NOT NULL,
            value REAL NOT NULL
        );
        CREATE INDEX series_run_name ON series (run_id, name);
        """,
        // Version 2: gate verdicts per run, and sweeps (a grid of runs) with their Pareto front.
        """
        CREATE TABLE targets (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            target TEXT NOT NULL,
            metric TEXT NOT NULL,
            comparison TEXT NOT NULL CHECK (comparison IN ('<', '<=', '>', '>=')),
            threshold REAL NOT NULL,
            mean REAL,
            ci_low REAL,
            ci_high REAL,
            basis TEXT NOT NULL CHECK (basis IN ('point_estimate', 'upper_bound', 'lower_bound')),
            judged_value REAL,
            passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
            PRIMARY KEY (run_id, position)
        );
        CREATE TABLE sweeps (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            scenario_name TEXT NOT NULL,
            grid_json TEXT NOT NULL,
            seed INTEGER NOT NULL,
            replications INTEGER NOT NULL
        );
        CREATE TABLE sweep_points (
            sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
            point INTEGER NOT NULL,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            assignment_json TEXT NOT NULL,
            meets_targets INTEGER CHECK (meets_targets IN (0, 1)),
            pareto INTEGER NOT NULL CHECK (pareto IN (0, 1)),
            PRIMARY KEY (sweep_id, point)
        );
        """,
        // Version 3: every replication's full summary (counts, costs, HdrHistograms, series), so that the
        // shards of a run spread over machines merge exactly and any run can be re-reported; which shard of
        // how many a run is; the warm-up its replications used (MSER-5 decides it at run time); and the
        // month of a forecast.
        """
        ALTER TABLE runs ADD COLUMN shard_index INTEGER CHECK (shard_index >= 1);
        ALTER TABLE runs ADD COLUMN shard_count INTEGER CHECK (shard_count >= 1);
        ALTER TABLE runs ADD COLUMN warmup_ns INTEGER;
        ALTER TABLE runs ADD COLUMN forecast_month TEXT;
        CREATE TABLE replications (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            replication INTEGER NOT NULL,
            seed INTEGER NOT NULL,
            summary_json TEXT NOT NULL,
            PRIMARY KEY (run_id, replication)
        );
        """,
        // Version 4: a series is one row per replication and name holding every window (compressed),
        // instead of a row per window, and replication summaries are compressed: a month of one-minute
        // windows went from about 90 MB to a few MB. Existing rows are converted. The process running a run
        // (pid, host name), so that a run killed before it could mark itself (SIGKILL, a crash, power loss)
        // is recognisable as abandoned. Comparisons (`compare`: both sides' labels and the comparison's JSON)
        // and what a forecast adds to its run (the demand pass, the affordable-volume search) as its JSON.
        Migration(sql: """
            ALTER TABLE runs ADD COLUMN pid INTEGER;
            ALTER TABLE runs ADD COLUMN host TEXT;
            ALTER TABLE series RENAME TO series_rows_v3;
            ALTER TABLE replications RENAME TO replications_v3;
            CREATE TABLE series (
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                replication INTEGER NOT NULL,
                name TEXT NOT NULL,
                first_window_start_s REAL NOT NULL,
                window_s REAL NOT NULL CHECK (window_s >= 0),
                window_count INTEGER NOT NULL CHECK (window_count >= 0),
                encoding TEXT NOT NULL,
                window_values BLOB NOT NULL,
                window_starts BLOB,
                PRIMARY KEY (run_id, replication, name)
            ) WITHOUT ROWID;
            CREATE TABLE replications (
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                replication INTEGER NOT NULL,
                seed INTEGER NOT NULL,
                summary_encoding TEXT NOT NULL,
                summary_bytes INTEGER NOT NULL CHECK (summary_bytes >= 0),
                summary BLOB NOT NULL,
                PRIMARY KEY (run_id, replication)
            );
            CREATE TABLE comparisons (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                created_at TEXT NOT NULL,
                label_a TEXT NOT NULL,
                label_b TEXT NOT NULL,
                scenario_a TEXT NOT NULL,
                scenario_b TEXT NOT NULL,
                seed INTEGER NOT NULL,
                replications INTEGER NOT NULL CHECK (replications >= 1),
                comparison_json TEXT NOT NULL,
                tool_version TEXT NOT NULL
            );
            CREATE TABLE forecasts (
                run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
                forecast_json TEXT NOT NULL
            );
            """, then: { try $0.convertVersion3Rows() }),
    ]

    /// The database's `PRAGMA user_version`: 0 for a new file, otherwise the number of
    /// migrations applied.
    public func schemaVersion() throws -> Int {
        let statement = try prepare("PRAGMA user_version")
        guard try statement.step() else {
            throw ResultsStoreError(path: path, operation: "PRAGMA user_version", message: "returned no row")
        }
        return Int(statement.int64(0))
    }

    /// The `PRAGMA application_id` of a nexus-sim results database: the ASCII bytes `NXSM`. Databases
    /// created before it was set (schema versions 1–3) carry 0 and are recognised by their tables.
    public static let applicationID: Int32 = 0x4E58_534D

    /// The tables every nexus-sim results database has had since version 1.
    private static let originalTables: Set<String> = ["runs", "metrics", "series"]

    /// Refuses a SQLite file that belongs to another application: a different `application_id`, or (with
    /// none set) tables while the schema version is 0, or a schema version without our tables.
    func refuseForeignDatabase() throws {
        let idQuery = try prepare("PRAGMA application_id")
        guard try idQuery.step() else { return }
        let id = Int32(truncatingIfNeeded: idQuery.int64(0))
        func refuse(_ reason: String) -> ResultsStoreError {
            ResultsStoreError(path: path, operation: "open",
                              message: "not a nexus-sim results database (\(reason)); nothing was changed. "
                                + "Give another --db file")
        }
        if id == Self.applicationID { return }
        if id != 0 {
            throw refuse("its application_id is 0x\(String(UInt32(bitPattern: id), radix: 16, uppercase: true)), ours is "
                + "0x\(String(UInt32(bitPattern: Self.applicationID), radix: 16, uppercase: true))")
        }
        let tablesQuery = try prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        var tables: [String] = []
        while try tablesQuery.step() { tables.append(tablesQuery.text(0)) }
        let version = try schemaVersion()
        if version == 0, !tables.isEmpty {
            let shown = tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", …" : "")
            throw refuse("it holds other tables: \(shown)")
        }
        if version > 0, !Self.originalTables.isSubset(of: Set(tables)) {
            let missing = Self.originalTables.subtracting(tables).sorted().joined(separator: ", ")
            throw refuse("its schema version is \(version) but it has no \(missing) table")
        }
    }

    func refuseNewerSchema(_ version: Int) throws {
        guard version > Self.currentSchemaVersion else { return }
        throw ResultsStoreError(
            path: path,
            operation: "open",
            message: "database schema version \(version) is newer than the latest this tool supports "
                + "(\(Self.currentSchemaVersion)); use a newer nexus-sim or another results file"
        )
    }

    /// Applies every pending migration, and the new version number, in one transaction. When a migration
    /// converted existing rows (their old form is dropped), the file is compacted afterwards.
    func migrate() throws {
        // Fast path without the write lock: an up-to-date database needs nothing.
        guard try schemaVersion() < Self.currentSchemaVersion else { return }
        let converted = try inTransaction { () -> Bool in
            // Re-read inside the write lock: another process may have migrated meanwhile.
            let version = try schemaVersion()
            try refuseNewerSchema(version)
            guard version < Self.currentSchemaVersion else { return false }
            var converted = false
            for migration in Self.migrations[version...] {
                try execute(migration.sql)
                if let then = migration.then {
                    // Also on a new database: there are no rows to convert, but the step drops the old tables.
                    try then(self)
                    converted = converted || version > 0
                }
            }
            try execute("PRAGMA application_id = \(Self.applicationID)")
            // PRAGMA cannot take bound parameters; the value is our own integer constant.
            try execute("PRAGMA user_version = \(Self.currentSchemaVersion)")
            return converted
        }
        if converted {
            // Gives the old rows' pages back to the file system. Only an optimisation: if another process
            // keeps the database busy, the free pages are reused by later runs instead.
            do {
                try execute("VACUUM")
                try execute("PRAGMA wal_checkpoint(TRUNCATE)")
            } catch let error as ResultsStoreError where error.isBusy {}
        }
    }
}

/// One step of the schema: SQL, then optionally Swift code that converts existing rows.
struct Migration: ExpressibleByStringLiteral, Sendable {
    var sql: String
    var then: (@Sendable (ResultsStore) throws -> Void)?

    init(sql: String, then: (@Sendable (ResultsStore) throws -> Void)? = nil) {
        self.sql = sql
        self.then = then
    }

    init(stringLiteral sql: String) { self.init(sql: sql) }
}
