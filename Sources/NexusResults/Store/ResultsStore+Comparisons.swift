import Foundation

/// A `compare` as stored: both sides and the comparison's JSON object.
public struct StoredComparison: Sendable {
    public var id: Int64
    public var createdAt: Date
    /// How each side was given on the command line (path, `--param`, `--set`).
    public var labelA: String
    public var labelB: String
    /// The scenarios' names.
    public var scenarioA: String
    public var scenarioB: String
    public var seed: UInt64
    public var replications: Int
    /// The comparison as `compare --json` prints it.
    public var json: String
    public var toolVersion: String

    public init(id: Int64 = 0, createdAt: Date = Date(), labelA: String, labelB: String, scenarioA: String, scenarioB: String,
                seed: UInt64, replications: Int, json: String, toolVersion: String) {
        self.id = id
        self.createdAt = createdAt
        self.labelA = labelA
        self.labelB = labelB
        self.scenarioA = scenarioA
        self.scenarioB = scenarioB
        self.seed = seed
        self.replications = replications
        self.json = json
        self.toolVersion = toolVersion
    }
}

extension ResultsStore {
    /// Stores a comparison and returns its id.
    @discardableResult
    public func saveComparison(_ c: StoredComparison) throws -> Int64 {
        let insert = try prepare("""
            INSERT INTO comparisons (created_at, label_a, label_b, scenario_a, scenario_b, seed, replications, comparison_json, tool_version)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try insert.bind(StoreTimestamp.text(c.createdAt), at: 1)
        try insert.bind(c.labelA, at: 2)
        try insert.bind(c.labelB, at: 3)
        try insert.bind(c.scenarioA, at: 4)
        try insert.bind(c.scenarioB, at: 5)
        try insert.bind(Int64(bitPattern: c.seed), at: 6)
        try insert.bind(c.replications, at: 7)
        try insert.bind(c.json, at: 8)
        try insert.bind(c.toolVersion, at: 9)
        try insert.step()
        return lastInsertedRowID
    }

    /// Comparison `id`, or the latest when `id` is `nil`; `nil` when there is none.
    public func comparison(id: Int64?) throws -> StoredComparison? {
        let columns = "id, created_at, label_a, label_b, scenario_a, scenario_b, seed, replications, comparison_json, tool_version"
        let query = try prepare(id == nil ? "SELECT \(columns) FROM comparisons ORDER BY id DESC LIMIT 1"
                                          : "SELECT \(columns) FROM comparisons WHERE id = ?")
        if let id { try query.bind(id, at: 1) }
        guard try query.step() else { return nil }
        let created = query.text(1)
        guard let createdAt = StoreTimestamp.date(created) else {
            throw ResultsStoreError(path: path, operation: "read comparison \(query.int64(0))",
                                    message: "created_at '\(created)' is not an ISO-8601 timestamp")
        }
        return StoredComparison(id: query.int64(0), createdAt: createdAt, labelA: query.text(2), labelB: query.text(3),
                                scenarioA: query.text(4), scenarioB: query.text(5), seed: UInt64(bitPattern: query.int64(6)),
                                replications: Int(query.int64(7)), json: query.text(8), toolVersion: query.text(9))
    }

    /// Stores what a forecast adds to its run (see ``MonthForecast/json``), replacing any earlier one.
    public func saveForecast(json: String, runID: Int64) throws {
        let insert = try prepare("INSERT OR REPLACE INTO forecasts (run_id, forecast_json) VALUES (?, ?)")
        try insert.bind(runID, at: 1)
        try insert.bind(json, at: 2)
        try insert.step()
    }

    /// The forecast JSON stored for run `runID`, if any.
    public func forecastJSON(runID: Int64) throws -> String? {
        let query = try prepare("SELECT forecast_json FROM forecasts WHERE run_id = ?")
        try query.bind(runID, at: 1)
        return try query.step() ? query.text(0) : nil
    }
}
