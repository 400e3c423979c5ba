import Foundation

/// One share of a run's replications, for spreading a run over several machines: shard `index` of `count`
/// (1-based, as written on the command line: `--shard 2/4`).
///
/// **Assignment rule.** The jobs of a run are numbered point-major: job `k = point × replications +
/// replication` (a plain run has one point, so `k` is the replication index). Shard `i` of `N` runs the
/// jobs with `k mod N = i − 1` — round robin, so shards get equal shares (±1) of every point and of the
/// expensive and cheap points of a sweep alike. With `N ≤ replications` every shard has at least one
/// replication of every point.
///
/// A job's seed does not depend on the sharding: replication `r` is seeded from the run seed and `r`
/// exactly as in an unsharded run, so the shards together hold exactly the unsharded run's replications.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// 1-based position of this shard, in `1...count`.
    public let index: Int
    /// How many shards the run is split into, at least 1.
    public let count: Int

    /// The whole run: shard 1 of 1.
    public static let whole = Shard(index: 1, of: 1)

    /// Shard `index` of `count`; both must be valid (`1 ≤ index ≤ count`).
    public init(index: Int, of count: Int) {
        precondition(count >= 1 && (1...count).contains(index), "shard \(index)/\(count) is not in 1...\(count)")
        self.index = index
        self.count = count
    }

    /// Reads `i/N`, e.g. `2/4`.
    /// - Throws: ``ShardError`` naming what is wrong.
    public init(parsing text: String) throws {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw ShardError("--shard expects i/N (shard i of N, counting from 1), e.g. 2/4; found '\(text)'")
        }
        guard n >= 1 else { throw ShardError("--shard \(text): the number of shards N must be at least 1") }
        guard (1...n).contains(i) else {
            throw ShardError("--shard \(text): the shard index must be between 1 and \(n) (shards count from 1)")
        }
        self.init(index: i, of: n)
    }

    /// `2/4`.
    public var description: String { "\(index)/\(count)" }

    /// Whether this is the whole run (1/1).
    public var isWhole: Bool { count == 1 }

    /// Checks that every shard gets a share of a run of `replications` replications (`N ≤ replications`).
    public func check(replications: Int) throws {
        guard count <= replications else {
            throw ShardError("--shard \(self): \(count) shards need at least \(count) replications, but the run has "
                + "\(replications); give --replications \(count) or more, or fewer shards")
        }
    }

    /// Whether job `k` (see the type's assignment rule) belongs to this shard.
    public func owns(job k: Int) -> Bool { k % count == index - 1 }

    /// The replication indices this shard runs of point `point` (0 for a plain run) when every point has
    /// `replications` replications, ascending.
    public func replications(of replications: Int, point: Int = 0) -> [Int] {
        let first = ((index - 1 - point * replications) % count + count) % count
        return Array(stride(from: first, to: replications, by: count))
    }

    /// This shard's jobs for `points` points of `replications` replications each, in job order.
    public func jobs(points: Int, replications: Int) -> [Experiment.Job] {
        stride(from: index - 1, to: points * replications, by: count).map {
            Experiment.Job(plan: $0 / replications, replication: $0 % replications)
        }
    }
}
