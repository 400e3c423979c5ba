extension ResultsStore {
    /// Moves the rows of a version-3 database into the version-4 tables: each run's per-window series rows
    /// become one column per replication and name (values exact, window starts exact), each replication
    /// summary is compressed; then the old tables are dropped. Runs inside the migration's transaction.
    func convertVersion3Rows() throws {
        let runs = try prepare("SELECT DISTINCT run_id FROM series_rows_v3 ORDER BY run_id")
        var runIDs: [Int64] = []
        while try runs.step() { runIDs.append(runs.int64(0)) }
        // One run at a time, so that a large database does not have to fit in memory at once.
        let points = try prepare("""
            SELECT replication, window_start_s, name, value FROM series_rows_v3 WHERE run_id = ?
            ORDER BY replication, name, window_start_s, rowid
            """)
        for runID in runIDs {
            points.reset()
            try points.bind(runID, at: 1)
            var rows: [SeriesRow] = []
            while try points.step() {
                rows.append(SeriesRow(replication: Int(points.int64(0)), windowStartSeconds: points.double(1),
                                      name: points.text(2), value: points.double(3)))
            }
            try insert(SeriesColumn.columns(of: rows).map(EncodedSeriesColumn.init), runID: runID)
        }

        let summaries = try prepare("SELECT run_id, replication, seed, summary_json FROM replications_v3 ORDER BY run_id, replication")
        var byRun: [(Int64, EncodedReplication)] = []
        while try summaries.step() {
            let row = ReplicationRow(replication: Int(summaries.int64(1)), seed: UInt64(bitPattern: summaries.int64(2)),
                                     summaryJSON: summaries.text(3))
            byRun.append((summaries.int64(0), EncodedReplication(row)))
            if byRun.count >= 64 { try flush(&byRun) }
        }
        try flush(&byRun)
        try execute("DROP TABLE series_rows_v3; DROP TABLE replications_v3")
    }

    private func flush(_ pending: inout [(Int64, EncodedReplication)]) throws {
        for (runID, encoded) in pending { try insert([encoded], runID: runID) }
        pending.removeAll()
    }
}
