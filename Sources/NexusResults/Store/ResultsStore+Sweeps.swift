import Foundation

extension ResultsStore {
    /// Records a sweep and its points (each point a run already stored), in one transaction; returns its id.
    @discardableResult
    public func saveSweep(_ sweep: SweepRecord, at date: Date = Date()) throws -> Int64 {
        try inTransaction {
            let insert = try prepare("""
                INSERT INTO sweeps (created_at, scenario_name, grid_json, seed, replications) VALUES (?, ?, ?, ?, ?)
                """)
            try insert.bind(StoreTimestamp.text(date), at: 1)
            try insert.bind(sweep.scenarioName, at: 2)
            try insert.bind("{" + sweep.grid.map { "\(JSONText.quoted($0.name)):[\($0.values.map(JSONText.quoted).joined(separator: ","))]" }
                .joined(separator: ",") + "}", at: 3)
            try insert.bind(Int64(bitPattern: sweep.seed), at: 4)
            try insert.bind(sweep.replications, at: 5)
            try insert.step()
            let id = lastInsertedRowID
            let point = try prepare("""
                INSERT INTO sweep_points (sweep_id, point, run_id, assignment_json, meets_targets, pareto)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
            for (index, p) in sweep.points.enumerated() {
                point.reset()
                try point.bind(id, at: 1)
                try point.bind(index, at: 2)
                try point.bind(p.runID, at: 3)
                try point.bind(JSONText.object(p.assignment), at: 4)
                try point.bind(p.meetsTargets.map { $0 ? 1 : 0 }, at: 5)
                try point.bind(p.onParetoFront ? 1 : 0, at: 6)
                try point.step()
            }
            return id
        }
    }

    /// The points of a stored sweep, in grid order.
    public func sweepPoints(sweepID: Int64) throws -> [SweepRecord.Point] {
        let query = try prepare("""
            SELECT run_id, assignment_json, meets_targets, pareto FROM sweep_points WHERE sweep_id = ? ORDER BY point
            """)
        try query.bind(sweepID, at: 1)
        var points: [SweepRecord.Point] = []
        while try query.step() {
            // An ordered parse: the assignment lists the grid's names in grid order.
            let assignment = JSONValue.parse(query.text(1))?.stringPairs ?? []
            points.append(SweepRecord.Point(runID: query.int64(0), assignment: assignment,
                                            meetsTargets: query.optionalInt64(2).map { $0 == 1 }, onParetoFront: query.int64(3) == 1))
        }
        return points
    }
}

extension ResultsStore {
    /// The sweep whose points include run `runID`, or `nil` when the run is not a sweep's point.
    public func sweep(containingRun runID: Int64) throws -> StoredSweep? {
        let query = try prepare("""
            SELECT s.id, s.created_at, s.scenario_name, s.grid_json, s.seed, s.replications
            FROM sweeps s JOIN sweep_points p ON p.sweep_id = s.id WHERE p.run_id = ? ORDER BY s.id DESC LIMIT 1
            """)
        try query.bind(runID, at: 1)
        guard try query.step() else { return nil }
        let id = query.int64(0)
        let created = query.text(1)
        guard let createdAt = StoreTimestamp.date(created) else {
            throw ResultsStoreError(path: path, operation: "read sweep \(id)", message: "created_at '\(created)' is not an ISO-8601 timestamp")
        }
        return StoredSweep(id: id, createdAt: createdAt, scenarioName: query.text(2), gridJSON: query.text(3),
                           seed: UInt64(bitPattern: query.int64(4)), replications: Int(query.int64(5)),
                           points: try sweepPoints(sweepID: id))
    }
}

/// A sweep as read back from the store.
public struct StoredSweep: Sendable {
    public var id: Int64
    public var createdAt: Date
    public var scenarioName: String
    /// The grid as a JSON object `{name: [values]}`, names in grid order.
    public var gridJSON: String
    public var seed: UInt64
    /// Replications of every point (of the whole sweep, when this is one shard of it).
    public var replications: Int
    /// The points in grid order, each with its run.
    public var points: [SweepRecord.Point]

    public init(id: Int64, createdAt: Date, scenarioName: String, gridJSON: String, seed: UInt64, replications: Int,
                points: [SweepRecord.Point]) {
        self.id = id
        self.createdAt = createdAt
        self.scenarioName = scenarioName
        self.gridJSON = gridJSON
        self.seed = seed
        self.replications = replications
        self.points = points
    }

    /// The grid axes read from ``gridJSON``, in order; `nil` when the stored text is not such an object.
    public var grid: [(name: String, values: [String])]? {
        guard case .object(let members)? = JSONValue.parse(gridJSON) else { return nil }
        var axes: [(name: String, values: [String])] = []
        for (name, value) in members {
            guard case .array(let items) = value else { return nil }
            var values: [String] = []
            for item in items {
                guard case .string(let s) = item else { return nil }
                values.append(s)
            }
            axes.append((name, values))
        }
        return axes
    }
}

/// A sweep as stored: the grid and, per point, its run, whether it met the targets and whether it is on the
/// cost-versus-p95 Pareto front.
public struct SweepRecord: Sendable {
    public struct Point: Sendable {
        /// The run of this point (`runs.id`).
        public var runID: Int64
        /// The grid's names and the values this point used, in grid order.
        public var assignment: [(String, String)]
        /// `nil` when the sweep had no targets.
        public var meetsTargets: Bool?
        public var onParetoFront: Bool

        public init(runID: Int64, assignment: [(String, String)], meetsTargets: Bool?, onParetoFront: Bool) {
            self.runID = runID
            self.assignment = assignment
            self.meetsTargets = meetsTargets
            self.onParetoFront = onParetoFront
        }
    }

    public var scenarioName: String
    /// The grid: each name (parameter or dotted path) with its values.
    public var grid: [(name: String, values: [String])]
    public var seed: UInt64
    public var replications: Int
    public var points: [Point]

    public init(scenarioName: String, grid: [(name: String, values: [String])], seed: UInt64, replications: Int, points: [Point]) {
        self.scenarioName = scenarioName
        self.grid = grid
        self.seed = seed
        self.replications = replications
        self.points = points
    }
}
