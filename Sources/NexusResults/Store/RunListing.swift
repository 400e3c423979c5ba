import Foundation

/// One line of `nexus-sim runs list`: what a run was and its key results, without its scenario text or series.
public struct RunListing: Sendable, Hashable {
    /// The run's id in the database.
    public var id: Int64
    /// When the run began.
    public var createdAt: Date
    /// When it left the `running` state, if it has.
    public var finishedAt: Date?
    /// The command that produced it (`run`, `gate`, `forecast`, ...).
    public var command: String
    /// The scenario's `name`.
    public var scenarioName: String
    /// The status as stored.
    public var status: RunStatus
    /// Replications of the whole run (a shard computes a share of them).
    public var replications: Int
    /// Which shard it is; `nil` before schema version 3.
    public var shard: Shard?
    /// The process that ran it and the host it ran on, when the database records them (`pid` and `host`
    /// columns of `runs`; `nil` otherwise).
    public var pid: Int32?
    public var host: String?
    /// Key results (means over the replications), once finished: requests counted, availability (0–1),
    /// p95 latency in milliseconds, model and infrastructure cost per request in US dollars.
    public var requests: Double?
    public var availability: Double?
    public var p95LatencyMillis: Double?
    public var costPerRequestUSD: Double?

    /// The status to show: ``status``, except `abandoned` for a run stored as `running` whose process is known
    /// to be gone (``RunOwner/isGoneFromThisHost``); a run without a recorded process shows as stored.
    public var listedStatus: String {
        if status == .running, let pid, let host, RunOwner(pid: pid, host: host).isGoneFromThisHost { return "abandoned" }
        return status.rawValue
    }
}

extension ResultsStore {
    /// The metric names of ``RunListing``'s key results, in its field order.
    static let listedMetrics = ["requests", "availability", "latency_ms.p95", "cost_usd.per_request"]

    /// Runs of any status, newest first (all of them when `limit` is `nil`), with their key results.
    public func runListings(limit: Int? = nil) throws -> [RunListing] {
        // The process columns exist only in databases whose schema records them.
        let ownerColumns = try columnNames(of: "runs").isSuperset(of: ["pid", "host"])
        let query = try prepare("""
            SELECT r.id, r.created_at, r.finished_at, r.command, r.scenario_name, r.status, r.replications,
                   r.shard_index, r.shard_count, \(ownerColumns ? "r.pid, r.host" : "NULL, NULL"),
                   \(Self.listedMetrics.indices.map { "m\($0).value" }.joined(separator: ", "))
            FROM runs r
            \(Self.listedMetrics.indices.map { i in
                "LEFT JOIN metrics m\(i) ON m\(i).run_id = r.id AND m\(i).replication IS NULL AND m\(i).name = ?\(i + 1)"
            }.joined(separator: "\n"))
            ORDER BY r.id DESC LIMIT ?\(Self.listedMetrics.count + 1)
            """)
        for (i, name) in Self.listedMetrics.enumerated() { try query.bind(name, at: Int32(i + 1)) }
        try query.bind(limit.map { Int64($0) } ?? -1, at: Int32(Self.listedMetrics.count + 1))
        var listings: [RunListing] = []
        while try query.step() {
            let id = query.int64(0)
            func corrupt(_ message: String) -> ResultsStoreError {
                ResultsStoreError(path: path, operation: "list run \(id)", message: message)
            }
            guard let createdAt = StoreTimestamp.date(query.text(1)) else {
                throw corrupt("created_at '\(query.text(1))' is not an ISO-8601 timestamp")
            }
            guard let status = RunStatus(rawValue: query.text(5)) else { throw corrupt("unknown status '\(query.text(5))'") }
            var shard: Shard?
            if let index = query.optionalInt64(7), let count = query.optionalInt64(8), count >= 1, (1...count).contains(index) {
                shard = Shard(index: Int(index), of: Int(count))
            }
            listings.append(RunListing(
                id: id, createdAt: createdAt, finishedAt: query.optionalText(2).flatMap(StoreTimestamp.date),
                command: query.text(3), scenarioName: query.text(4), status: status, replications: Int(query.int64(6)),
                shard: shard, pid: query.optionalInt64(9).map { Int32(truncatingIfNeeded: $0) }, host: query.optionalText(10),
                requests: query.optionalDouble(11), availability: query.optionalDouble(12),
                p95LatencyMillis: query.optionalDouble(13), costPerRequestUSD: query.optionalDouble(14)))
        }
        return listings
    }

    /// The names of `table`'s columns.
    func columnNames(of table: String) throws -> Set<String> {
        let query = try prepare("SELECT name FROM pragma_table_info(?)")
        try query.bind(table, at: 1)
        var names: Set<String> = []
        while try query.step() { names.insert(query.text(0)) }
        return names
    }
}
