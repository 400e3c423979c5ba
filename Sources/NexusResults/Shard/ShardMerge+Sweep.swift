extension ShardMerge {
    /// Merges the shards of a sweep point by point (each point as a run, see ``mergeRun(_:point:)``), then judges
    /// the points and finds the Pareto front as the unsharded sweep does.
    static func mergeSweep(_ inputs: [ShardInput], into output: String?) throws -> MergedSweep {
        let parts = try inputs.map { input -> (input: ShardInput, sweep: StoredSweep, runs: [StoredRun]) in
            guard case .sweep(let sweep, let runs) = input.content else { throw kindMismatch(inputs[0], input) }
            return (input, sweep, runs)
        }
        let first = parts[0]
        for part in parts.dropFirst() {
            let both = "\(first.input.path) (sweep \(first.sweep.id), shard \(first.input.shard)) and "
                + "\(part.input.path) (sweep \(part.sweep.id), shard \(part.input.shard))"
            if part.sweep.gridJSON != first.sweep.gridJSON {
                throw MergeError("\(both) are not shards of the same sweep: the grids differ (\(first.sweep.gridJSON) vs \(part.sweep.gridJSON))")
            }
            if part.runs.count != first.runs.count {
                throw MergeError("\(both) are not shards of the same sweep: they have \(first.runs.count) and \(part.runs.count) points")
            }
        }
        let points = first.runs.indices
        for p in points { try checkSameRun(parts.map { ($0.input, $0.runs[p]) }) }
        try checkCompleteSet(inputs)
        guard let grid = first.sweep.grid else {
            throw MergeError("\(first.input.path): sweep \(first.sweep.id)'s stored grid is not a JSON object of value lists")
        }
        let merged = try points.map { p in try mergeRun(parts.map { ($0.input, $0.runs[p]) }, point: p) }
        let targets = try storedTargets(parts.map { ($0.input, $0.runs[0]) }, scenario: merged[0].report.scenario)
        var result = SweepResult(points: points.map { p in
            (first.sweep.points[p].assignment.map { (name: $0.0, value: $0.1) }, merged[p].report)
        }, targets: targets)
        result.identicalPoints = SweepGrid.identicalPoints(merged.map(\.report.scenario))

        var sweepID: Int64?
        var runIDs: [Int64] = []
        if let output {
            let store = try ResultsStore(path: output)
            for p in points {
                var point = merged[p]
                point.verdicts = result.points[p].verdicts
                runIDs.append(try save(point, from: first.runs[p], in: store))
            }
            sweepID = try store.saveSweep(SweepRecord(
                scenarioName: first.sweep.scenarioName, grid: grid, seed: first.sweep.seed,
                replications: first.sweep.replications,
                points: zip(runIDs, result.points).map { id, point in
                    SweepRecord.Point(runID: id, assignment: point.assignment.map { ($0.name, $0.value) },
                                      meetsTargets: point.meetsTargets, onParetoFront: point.onParetoFront)
                }))
        }
        return MergedSweep(result: result, shardCount: inputs.count, sweepID: sweepID, runIDs: runIDs)
    }
}
