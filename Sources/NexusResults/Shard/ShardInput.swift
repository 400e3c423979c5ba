import Foundation
import NexusSim

/// What one shard database holds for merging: its most recent run (which must have finished) or, when that
/// run is a point of a sweep, the whole sweep with every point's run.
struct ShardInput {
    enum Content {
        case run(StoredRun)
        case sweep(StoredSweep, runs: [StoredRun])
    }

    /// The path as given.
    let path: String
    let store: ResultsStore
    let content: Content

    /// The shard these runs are (the same for every point of a sweep).
    let shard: Shard

    /// Opens `path` and reads what it holds.
    /// - Throws: ``MergeError`` when the file is missing, empty, its latest run did not finish or predates
    ///   schema version 3; ``ResultsStoreError`` when the database cannot be read.
    init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw MergeError("\(path): no such file")
        }
        self.path = path
        let store = try ResultsStore(path: path)
        self.store = store
        guard let latest = try store.runs(limit: 1).first else {
            throw MergeError("\(path): the database holds no runs")
        }
        if let sweep = try store.sweep(containingRun: latest.id) {
            let runs = try sweep.points.map { point in
                guard let run = try store.run(id: point.runID) else {
                    throw MergeError("\(path): sweep \(sweep.id) names run \(point.runID), which is not in the database")
                }
                return try Self.check(run, path: path)
            }
            guard let first = runs.first, let shard = first.shard else { throw MergeError("\(path): sweep \(sweep.id) has no points") }
            if let other = runs.first(where: { $0.shard != shard }) {
                throw MergeError("\(path): the points of sweep \(sweep.id) are different shards (run \(first.id) is "
                    + "\(shard), run \(other.id) is \(other.shard.map(\.description) ?? "none"))")
            }
            content = .sweep(sweep, runs: runs)
            self.shard = shard
        } else {
            let run = try Self.check(latest, path: path)
            content = .run(run)
            shard = run.shard!
        }
    }

    /// `run` if it finished and has per-replication data.
    private static func check(_ run: StoredRun, path: String) throws -> StoredRun {
        guard run.status == .finished else {
            let which = run.shard.map { " (shard \($0))" } ?? ""
            throw MergeError("\(path): run \(run.id)\(which) is \(run.status.rawValue), not finished; run that shard again")
        }
        guard run.shard != nil else {
            throw MergeError("\(path): run \(run.id) was stored before schema version 3 and has no per-replication data "
                + "to merge; run it again with this version of nexus-sim")
        }
        return run
    }

    /// `a run (run 3)` or `a sweep (sweep 2)`.
    var kind: String {
        switch content {
        case .run(let run): "a run (run \(run.id))"
        case .sweep(let sweep, _): "a sweep (sweep \(sweep.id))"
        }
    }

    /// `path (run 3, shard 2/4)`.
    func describe(_ run: StoredRun) -> String { "\(path) (run \(run.id), shard \(shard))" }

    /// The summaries of `run`'s replications (point `point` of a sweep, 0 for a plain run), checked against
    /// the shard's share.
    func summaries(of run: StoredRun, point: Int) throws -> [RunSummary] {
        let rows = try store.replications(runID: run.id)
        let stored = rows.map(\.replication)
        // A whole run may have more than it asked for (a precision goal adds replications): 0..<n, n ≥ 1.
        let expected = shard.isWhole ? Array(0..<max(rows.count, 1)) : shard.replications(of: run.replications, point: point)
        guard stored == expected else {
            let of = point == 0 ? "a run" : "point \(point) of a sweep"
            throw MergeError("\(describe(run)): it holds replications \(Self.list(stored)), but shard \(shard) of \(of) "
                + "of \(run.replications) replications must hold \(Self.list(expected))")
        }
        return try rows.map { row in
            let summary: RunSummary
            do {
                summary = try RunSummary(storedJSON: row.summaryJSON)
            } catch {
                throw MergeError("\(describe(run)): replication \(row.replication) cannot be read (stored by nexus-sim "
                    + "\(run.toolVersion)): \(error)")
            }
            guard summary.replication == row.replication, summary.seed == row.seed else {
                throw MergeError("\(describe(run)): replication \(row.replication)'s summary says replication "
                    + "\(summary.replication), seed \(summary.seed)")
            }
            return summary
        }
    }

    /// `[0, 4, 8]`, abbreviated when long.
    static func list(_ values: [Int]) -> String {
        values.count <= 12 ? "[\(values.map(String.init).joined(separator: ", "))]"
            : "[\(values.prefix(10).map(String.init).joined(separator: ", ")), … (\(values.count) in all)]"
    }
}
