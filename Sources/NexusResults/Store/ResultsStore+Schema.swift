extension ResultsStore {
    /// The schema version this build writes; `PRAGMA user_version` of a migrated database.
    public static var currentSchemaVersion: Int { migrations.count }

    /// Schema migrations in order: entry `i` upgrades version `i` to version `i + 1`.
    /// Append new migrations; never edit one that has shipped.
    static let migrations: [String] = [
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
        // Version 4: comparisons (`compare`: both sides' labels and the comparison's JSON) and what a forecast
        // adds to its run (the demand pass, the affordable-volume search) as the forecast's JSON.
        """
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
        """,
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

    func refuseNewerSchema(_ version: Int) throws {
        guard version > Self.currentSchemaVersion else { return }
        throw ResultsStoreError(
            path: path,
            operation: "open",
            message: "database schema version \(version) is newer than the latest this tool supports "
                + "(\(Self.currentSchemaVersion)); use a newer nexus-sim or another results file"
        )
    }

    /// Applies every pending migration, and the new version number, in one transaction.
    func migrate() throws {
        // Fast path without the write lock: an up-to-date database needs nothing.
        guard try schemaVersion() < Self.currentSchemaVersion else { return }
        try inTransaction {
            // Re-read inside the write lock: another process may have migrated meanwhile.
            let version = try schemaVersion()
            try refuseNewerSchema(version)
            guard version < Self.currentSchemaVersion else { return }
            for migration in Self.migrations[version...] {
                try execute(migration)
            }
            // PRAGMA cannot take bound parameters; the value is our own integer constant.
            try execute("PRAGMA user_version = \(Self.currentSchemaVersion)")
        }
    }
}
