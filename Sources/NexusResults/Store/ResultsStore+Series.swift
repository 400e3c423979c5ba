// MARK: - Series: one row per replication and series

extension ResultsStore {
    /// A column ready to insert: its values (and explicit starts) already encoded, so that the write
    /// transaction only copies bytes.
    struct EncodedSeriesColumn: Sendable {
        var replication: Int
        var name: String
        var firstWindowStartSeconds: Double
        var windowSeconds: Double
        var windowCount: Int
        var values: [UInt8]
        var starts: [UInt8]?

        init(_ column: SeriesColumn) {
            replication = column.replication
            name = column.name
            firstWindowStartSeconds = column.firstWindowStartSeconds
            windowSeconds = column.windowSeconds
            windowCount = column.values.count
            values = SeriesColumn.encode(column.values)
            starts = column.windowStarts.map(SeriesColumn.encode)
        }
    }

    func insert(_ columns: [EncodedSeriesColumn], runID: Int64) throws {
        let insert = try prepare("""
            INSERT INTO series (run_id, replication, name, first_window_start_s, window_s, window_count, encoding,
                                window_values, window_starts)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for column in columns {
            insert.reset()
            try insert.bind(runID, at: 1)
            try insert.bind(column.replication, at: 2)
            try insert.bind(column.name, at: 3)
            try insert.bind(column.firstWindowStartSeconds, at: 4)
            try insert.bind(column.windowSeconds, at: 5)
            try insert.bind(column.windowCount, at: 6)
            try insert.bind(SeriesColumn.encoding, at: 7)
            try insert.bind(column.values, at: 8)
            try insert.bind(column.starts, at: 9)
            try insert.step()
        }
    }

    /// Every series column of a run, ordered by name, then replication; or only those called `name`.
    public func seriesColumns(runID: Int64, name: String? = nil) throws -> [SeriesColumn] {
        let query = try prepare("""
            SELECT replication, name, first_window_start_s, window_s, window_count, encoding, window_values, window_starts
            FROM series WHERE run_id = ?1 AND (?2 IS NULL OR name = ?2)
            ORDER BY name, replication
            """)
        try query.bind(runID, at: 1)
        try query.bind(name, at: 2)
        var columns: [SeriesColumn] = []
        while try query.step() {
            let replication = Int(query.int64(0)), name = query.text(1), count = Int(query.int64(4))
            func corrupt(_ message: String) -> ResultsStoreError {
                ResultsStoreError(path: path, operation: "read series \(name) of run \(runID), replication \(replication)",
                                  message: message)
            }
            let encoding = query.text(5)
            guard encoding == SeriesColumn.encoding else {
                throw corrupt("unknown encoding '\(encoding)' (this version reads \(SeriesColumn.encoding))")
            }
            do {
                let values = try SeriesColumn.decode(query.blob(6), count: count)
                if let starts = query.optionalBlob(7) {
                    columns.append(SeriesColumn(replication: replication, name: name,
                                                windowStarts: try SeriesColumn.decode(starts, count: count), values: values))
                } else {
                    columns.append(SeriesColumn(replication: replication, name: name, firstWindowStartSeconds: query.double(2),
                                                windowSeconds: query.double(3), values: values))
                }
            } catch let error as Deflate.CorruptData {
                throw corrupt(error.description)
            }
        }
        return columns
    }

    /// The points of one series of a run that have a value, ordered by replication, then window start.
    public func series(runID: Int64, name: String) throws -> [SeriesRow] {
        try seriesColumns(runID: runID, name: name).flatMap(\.rows)
    }

    /// Every series point of a run that has a value, ordered by name, replication, then window start.
    public func allSeries(runID: Int64) throws -> [SeriesRow] {
        try seriesColumns(runID: runID).flatMap(\.rows)
    }
}
