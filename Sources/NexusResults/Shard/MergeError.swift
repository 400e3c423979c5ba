/// Why a set of shard databases cannot be merged: a missing or unreadable input, runs that are not shards of
/// the same run (different scenario, seed, overrides, replications, shard count, ...), a shard missing or
/// given twice, or a shard that did not finish. The message names the files, runs and shards involved.
public struct MergeError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String

    public init(_ description: String) { self.description = description }
}
