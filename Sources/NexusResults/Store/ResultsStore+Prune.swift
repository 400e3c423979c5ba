import Foundation

/// Which runs `nexus-sim runs prune` deletes.
public enum PruneSelection: Sendable, Hashable {
    /// All but the `count` newest runs.
    case keepNewest(Int)
    /// Runs that began more than `seconds` before now.
    case olderThan(seconds: Double)

    /// An age such as `30d`, `12h`, `90m`, `45s` or `2w`, in seconds; `nil` unless it is a positive whole or
    /// decimal number with one of those units, at most 100 years.
    public static func ageSeconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("w", 604_800), ("d", 86_400), ("h", 3_600), ("min", 60), ("m", 60), ("s", 1)]
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let (suffix, scale) = units.first(where: { t.hasSuffix($0.0) }),
              let value = Double(t.dropLast(suffix.count)), value.isFinite, value > 0 else { return nil }
        let seconds = value * scale
        return seconds <= 100 * 365.25 * 86_400 ? seconds : nil
    }
}

/// What a prune deleted and kept, and the space it freed.
public struct PruneResult: Sendable, Hashable {
    /// Deleted runs (with their metrics, series, replications and target verdicts), newest first.
    public var deletedRunIDs: [Int64]
    /// Sweeps deleted with their points, because every run of theirs was deleted.
    public var deletedSweepIDs: [Int64]
    /// Selected runs kept because they are still `running` (their process is not known to be gone).
    public var keptRunningIDs: [Int64]
    /// Selected runs kept because they are points of a sweep that still has runs that are kept.
    public var keptSweepRunIDs: [Int64]
    /// Size of the database's pages before and after (after `VACUUM` when it ran), in bytes.
    public var bytesBefore: Int64
    public var bytesAfter: Int64

    /// Bytes given back to the file system.
    public var bytesFreed: Int64 { max(0, bytesBefore - bytesAfter) }
}

extension ResultsStore {
    /// Deletes the runs `selection` names, with everything stored about them, then compacts the file.
    ///
    /// A sweep is deleted only as a whole: its runs go when every one of them is selected (and then the sweep
    /// and its points go too); otherwise they are all kept. A run stored as `running` is kept unless its
    /// process is known to be gone (``RunListing/listedStatus``), because its writer will still finish it.
    /// The deletions are one transaction; `VACUUM` (when `vacuum` is true) then returns the space to the
    /// file system.
    public func prune(_ selection: PruneSelection, now: Date = Date(), vacuum: Bool = true) throws -> PruneResult {
        let bytesBefore = try databaseBytes()
        let result: (runs: [Int64], sweeps: [Int64], running: [Int64], inSweeps: [Int64]) = try inTransaction {
            let listings = try runListings()
            let selected: [RunListing]
            switch selection {
            case .keepNewest(let count):
                selected = Array(listings.dropFirst(max(0, count)))
            case .olderThan(let seconds):
                selected = listings.filter { now.timeIntervalSince($0.createdAt) > seconds }
            }
            let running = selected.filter { $0.listedStatus == RunStatus.running.rawValue }.map(\.id)
            var candidates = Set(selected.map(\.id)).subtracting(running)

            var sweepsToDelete: [Int64] = []
            var keptForSweeps: Set<Int64> = []
            for (sweepID, runIDs) in try sweepRunIDs() where !candidates.isDisjoint(with: runIDs) {
                if candidates.isSuperset(of: runIDs) {
                    sweepsToDelete.append(sweepID)
                } else {
                    keptForSweeps.formUnion(candidates.intersection(runIDs))
                    candidates.subtract(runIDs)
                }
            }
            let deleteSweep = try prepare("DELETE FROM sweeps WHERE id = ?")
            let deletePoints = try prepare("DELETE FROM sweep_points WHERE sweep_id = ?")
            for id in sweepsToDelete {
                for statement in [deletePoints, deleteSweep] {
                    statement.reset()
                    try statement.bind(id, at: 1)
                    try statement.step()
                }
            }
            // Metrics, series, replications and targets go with their run (ON DELETE CASCADE).
            let deleteRun = try prepare("DELETE FROM runs WHERE id = ?")
            let deleted = candidates.sorted(by: >)
            for id in deleted {
                deleteRun.reset()
                try deleteRun.bind(id, at: 1)
                try deleteRun.step()
            }
            return (deleted, sweepsToDelete.sorted(by: >), running, keptForSweeps.sorted(by: >))
        }
        if vacuum && !result.runs.isEmpty {
            try retryingWhileBusy { try execute("VACUUM") }
            // Move the compacted pages from the write-ahead log into the file and truncate the log.
            try retryingWhileBusy { try execute("PRAGMA wal_checkpoint(TRUNCATE)") }
        }
        return PruneResult(deletedRunIDs: result.runs, deletedSweepIDs: result.sweeps, keptRunningIDs: result.running,
                           keptSweepRunIDs: result.inSweeps, bytesBefore: bytesBefore, bytesAfter: try databaseBytes())
    }

    /// Every sweep's run ids.
    private func sweepRunIDs() throws -> [(Int64, Set<Int64>)] {
        let query = try prepare("SELECT sweep_id, run_id FROM sweep_points ORDER BY sweep_id")
        var sweeps: [Int64: Set<Int64>] = [:]
        while try query.step() { sweeps[query.int64(0), default: []].insert(query.int64(1)) }
        return sweeps.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The database's size in pages × page size, in bytes (what the file holds once checkpointed).
    public func databaseBytes() throws -> Int64 {
        func pragma(_ name: String) throws -> Int64 {
            let query = try prepare("PRAGMA \(name)")
            return try query.step() ? query.int64(0) : 0
        }
        return try pragma("page_count") * pragma("page_size")
    }
}
