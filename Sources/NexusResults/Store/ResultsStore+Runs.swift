import Foundation

// MARK: - Writing runs

extension ResultsStore {
    /// Records the start of a run with status `running` and returns its id.
    ///
    /// The scenario text is fingerprinted with SHA-256; parameters and overrides are
    /// stored as JSON objects in the order given.
    @discardableResult
    public func beginRun(_ record: RunRecord, at date: Date = Date()) throws -> Int64 {
        try retryingWhileBusy { try insertRun(record, at: date) }
    }

    private func insertRun(_ record: RunRecord, at date: Date) throws -> Int64 {
        let insert = try prepare("""
            INSERT INTO runs (
                created_at, command, scenario_name, scenario_path, scenario_text, scenario_sha256,
                parameters_json, overrides_json, seed, replications, status, tool_version,
                shard_index, shard_count, forecast_month
            ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try insert.bind(StoreTimestamp.text(date), at: 1)
        try insert.bind(record.command, at: 2)
        try insert.bind(record.scenarioName, at: 3)
        try insert.bind(record.scenarioPath, at: 4)
        try insert.bind(record.scenarioText, at: 5)
        try insert.bind(SHA256.hexDigest(of: record.scenarioText), at: 6)
        try insert.bind(JSONText.object(record.parameters), at: 7)
        try insert.bind(JSONText.object(record.overrides), at: 8)
        // SQLite integers are signed 64-bit; keep the seed's bits, not its magnitude.
        try insert.bind(Int64(bitPattern: record.seed), at: 9)
        try insert.bind(record.replications, at: 10)
        try insert.bind(RunStatus.running.rawValue, at: 11)
        try insert.bind(record.toolVersion, at: 12)
        try insert.bind(record.shard.index, at: 13)
        try insert.bind(record.shard.count, at: 14)
        try insert.bind(record.forecastMonth, at: 15)
        try insert.step()
        return lastInsertedRowID
    }

    /// Stores a run's results and marks it `finished`, all in one transaction.
    ///
    /// Either every metric, series and replication row is written and the run is finished, or
    /// nothing changes. Fails if the run does not exist, or if a metric name repeats
    /// for the same run and replication (aggregate rows included), or a replication repeats.
    /// Series points are stored as one column per replication and name (see ``SeriesColumn``); points
    /// without a value (NaN) are left out, as they are when read back.
    /// - Parameters:
    ///   - replications: each replication's full summary (what merging shards and re-reporting read).
    ///   - warmupNanos: the warm-up the replications used (MSER-5 decides it while running).
    public func finishRun(
        id: Int64,
        metrics: [MetricRow],
        series: some Sequence<SeriesRow>,
        replications: [ReplicationRow] = [],
        warmupNanos: Int64? = nil,
        summaryJSON: String,
        at date: Date = Date()
    ) throws {
        try finishRun(id: id, metrics: metrics, seriesColumns: SeriesColumn.columns(of: series), replications: replications,
                      warmupNanos: warmupNanos, summaryJSON: summaryJSON, at: date)
    }

    /// Stores a run's results and marks it `finished`, all in one transaction; the series given as columns,
    /// one per replication and name (a name may not repeat within a replication).
    ///
    /// Series and summaries are compressed before the write lock is taken, so that concurrent runs
    /// sharing one database hold it only while their bytes are copied.
    public func finishRun(
        id: Int64,
        metrics: [MetricRow],
        seriesColumns: [SeriesColumn],
        replications: [ReplicationRow] = [],
        warmupNanos: Int64? = nil,
        summaryJSON: String,
        at date: Date = Date()
    ) throws {
        try finishRun(id: id, metrics: metrics, encodedSeries: seriesColumns.map(EncodedSeriesColumn.init),
                      replications: replications, warmupNanos: warmupNanos, summaryJSON: summaryJSON, at: date)
    }

    func finishRun(
        id: Int64, metrics: [MetricRow], encodedSeries columns: [EncodedSeriesColumn], replications: [ReplicationRow],
        warmupNanos: Int64?, summaryJSON: String, at date: Date
    ) throws {
        let summaries = replications.map(EncodedReplication.init)
        try inTransaction {
            try updateRun(id: id, status: .finished, finishedAt: date, summaryJSON: summaryJSON, warmupNanos: warmupNanos)
            try insert(metrics, runID: id)
            try insert(columns, runID: id)
            try insert(summaries, runID: id)
        }
    }

    /// Sets a run's status, e.g. `incomplete` when interrupted or `failed` on error.
    ///
    /// Any status other than `running` also records `date` as the run's `finishedAt`;
    /// `running` clears it. Results and summary are left untouched.
    public func markRun(id: Int64, status: RunStatus, at date: Date = Date()) throws {
        try retryingWhileBusy { try updateStatus(id: id, status: status, at: date) }
    }

    private func updateStatus(id: Int64, status: RunStatus, at date: Date) throws {
        let finishedAt = status == .running ? nil : date
        let update = try prepare("UPDATE runs SET status = ?, finished_at = ? WHERE id = ?")
        try update.bind(status.rawValue, at: 1)
        try update.bind(finishedAt.map(StoreTimestamp.text), at: 2)
        try update.bind(id, at: 3)
        try update.step()
        try requireChangedRun(id: id, operation: "mark run \(id) \(status.rawValue)")
    }

    private func updateRun(id: Int64, status: RunStatus, finishedAt: Date, summaryJSON: String, warmupNanos: Int64?) throws {
        let update = try prepare("UPDATE runs SET status = ?, finished_at = ?, summary_json = ?, warmup_ns = ? WHERE id = ?")
        try update.bind(status.rawValue, at: 1)
        try update.bind(StoreTimestamp.text(finishedAt), at: 2)
        try update.bind(summaryJSON, at: 3)
        try update.bind(warmupNanos, at: 4)
        try update.bind(id, at: 5)
        try update.step()
        try requireChangedRun(id: id, operation: "finish run \(id)")
    }

    private func insert(_ metrics: [MetricRow], runID: Int64) throws {
        let insert = try prepare("""
            INSERT INTO metrics (run_id, replication, name, value, ci_low, ci_high)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        for metric in metrics {
            insert.reset()
            try insert.bind(runID, at: 1)
            try insert.bind(metric.replication, at: 2)
            try insert.bind(metric.name, at: 3)
            try insert.bind(metric.value, at: 4)
            try insert.bind(metric.ciLow, at: 5)
            try insert.bind(metric.ciHigh, at: 6)
            try insert.step()
        }
    }

    /// A replication's summary compressed for the `replications` table.
    struct EncodedReplication {
        var row: ReplicationRow
        var byteCount: Int
        var compressed: [UInt8]

        init(_ row: ReplicationRow) {
            self.row = row
            let bytes = Array(row.summaryJSON.utf8)
            byteCount = bytes.count
            compressed = Deflate.compress(bytes)
        }
    }

    /// How the `replications` table encodes a summary: its JSON text (UTF-8), zlib-compressed.
    static let summaryEncoding = "json-zlib"

    func insert(_ replications: [EncodedReplication], runID: Int64) throws {
        let insert = try prepare("""
            INSERT INTO replications (run_id, replication, seed, summary_encoding, summary_bytes, summary)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        for encoded in replications {
            insert.reset()
            try insert.bind(runID, at: 1)
            try insert.bind(encoded.row.replication, at: 2)
            try insert.bind(Int64(bitPattern: encoded.row.seed), at: 3)
            try insert.bind(Self.summaryEncoding, at: 4)
            try insert.bind(encoded.byteCount, at: 5)
            try insert.bind(encoded.compressed, at: 6)
            try insert.step()
        }
    }

    private func requireChangedRun(id: Int64, operation: String) throws {
        guard changedRowCount == 1 else {
            throw ResultsStoreError(path: path, operation: operation, message: "no run with id \(id)")
        }
    }
}

// MARK: - Reading runs

extension ResultsStore {
    /// Columns read into a ``StoredRun``, in the order ``storedRun(from:)`` expects.
    private static let runColumns = """
        id, created_at, finished_at, command, scenario_name, scenario_path, scenario_text,
        scenario_sha256, parameters_json, overrides_json, seed, replications, status,
        summary_json, tool_version, shard_index, shard_count, warmup_ns, forecast_month
        """

    /// The run with the given id, or `nil` if there is none.
    public func run(id: Int64) throws -> StoredRun? {
        let query = try prepare("SELECT \(Self.runColumns) FROM runs WHERE id = ?")
        try query.bind(id, at: 1)
        return try query.step() ? storedRun(from: query) : nil
    }

    /// The most recent run that finished successfully, ignoring running,
    /// incomplete and failed runs.
    public func latestRun() throws -> StoredRun? {
        let query = try prepare("SELECT \(Self.runColumns) FROM runs WHERE status = ? ORDER BY id DESC LIMIT 1")
        try query.bind(RunStatus.finished.rawValue, at: 1)
        return try query.step() ? storedRun(from: query) : nil
    }

    /// Up to `limit` runs of any status, newest first.
    public func runs(limit: Int) throws -> [StoredRun] {
        let query = try prepare("SELECT \(Self.runColumns) FROM runs ORDER BY id DESC LIMIT ?")
        try query.bind(limit, at: 1)
        var runs: [StoredRun] = []
        while try query.step() {
            runs.append(try storedRun(from: query))
        }
        return runs
    }

    /// All metric rows of a run, in the order they were stored.
    public func metrics(runID: Int64) throws -> [MetricRow] {
        let query = try prepare("""
            SELECT name, replication, value, ci_low, ci_high
            FROM metrics WHERE run_id = ? ORDER BY rowid
            """)
        try query.bind(runID, at: 1)
        var rows: [MetricRow] = []
        while try query.step() {
            rows.append(MetricRow(
                name: query.text(0),
                replication: query.optionalInt64(1).map { Int($0) },
                value: query.double(2),
                ciLow: query.optionalDouble(3),
                ciHigh: query.optionalDouble(4)
            ))
        }
        return rows
    }

    /// The stored replications of a run (its full per-replication summaries), by replication index.
    public func replications(runID: Int64) throws -> [ReplicationRow] {
        let query = try prepare("""
            SELECT replication, seed, summary_encoding, summary_bytes, summary
            FROM replications WHERE run_id = ? ORDER BY replication
            """)
        try query.bind(runID, at: 1)
        var rows: [ReplicationRow] = []
        while try query.step() {
            let replication = Int(query.int64(0))
            func corrupt(_ message: String) -> ResultsStoreError {
                ResultsStoreError(path: path, operation: "read replication \(replication) of run \(runID)", message: message)
            }
            let encoding = query.text(2)
            guard encoding == Self.summaryEncoding else {
                throw corrupt("unknown summary encoding '\(encoding)' (this version reads \(Self.summaryEncoding))")
            }
            let bytes: [UInt8]
            do {
                bytes = try Deflate.decompress(query.blob(4), count: Int(query.int64(3)))
            } catch let error as Deflate.CorruptData {
                throw corrupt(error.description)
            }
            rows.append(ReplicationRow(replication: replication, seed: UInt64(bitPattern: query.int64(1)),
                                       summaryJSON: String(decoding: bytes, as: UTF8.self)))
        }
        return rows
    }

    private func storedRun(from row: SQLiteStatement) throws -> StoredRun {
        let id = row.int64(0)
        func corrupt(_ message: String) -> ResultsStoreError {
            ResultsStoreError(path: path, operation: "read run \(id)", message: message)
        }
        let createdText = row.text(1)
        guard let createdAt = StoreTimestamp.date(createdText) else {
            throw corrupt("created_at '\(createdText)' is not an ISO-8601 timestamp")
        }
        var finishedAt: Date?
        if let finishedText = row.optionalText(2) {
            guard let date = StoreTimestamp.date(finishedText) else {
                throw corrupt("finished_at '\(finishedText)' is not an ISO-8601 timestamp")
            }
            finishedAt = date
        }
        let statusText = row.text(12)
        guard let status = RunStatus(rawValue: statusText) else {
            throw corrupt("unknown status '\(statusText)'")
        }
        var shard: Shard?
        if let index = row.optionalInt64(15), let count = row.optionalInt64(16) {
            guard count >= 1, (1...count).contains(index) else { throw corrupt("shard \(index)/\(count) is out of range") }
            shard = Shard(index: Int(index), of: Int(count))
        }
        return StoredRun(
            id: id,
            createdAt: createdAt,
            finishedAt: finishedAt,
            command: row.text(3),
            scenarioName: row.text(4),
            scenarioPath: row.optionalText(5),
            scenarioText: row.text(6),
            scenarioSHA256: row.text(7),
            parametersJSON: row.text(8),
            overridesJSON: row.text(9),
            seed: UInt64(bitPattern: row.int64(10)),
            replications: Int(row.int64(11)),
            status: status,
            summaryJSON: row.optionalText(13),
            toolVersion: row.text(14),
            shard: shard,
            warmupNanos: row.optionalInt64(17),
            forecastMonth: row.optionalText(18)
        )
    }
}
