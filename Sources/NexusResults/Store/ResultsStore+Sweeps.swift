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
            let json = query.text(1)
            let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: String] ?? [:]
            // JSONSerialization does not keep key order; the stored text does, so read the keys in its order.
            let keys = object.keys.sorted { json.range(of: "\"\($0)\"")!.lowerBound < json.range(of: "\"\($1)\"")!.lowerBound }
            points.append(SweepRecord.Point(runID: query.int64(0), assignment: keys.map { ($0, object[$0]!) },
                                            meetsTargets: query.optionalInt64(2).map { $0 == 1 }, onParetoFront: query.int64(3) == 1))
        }
        return points
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
