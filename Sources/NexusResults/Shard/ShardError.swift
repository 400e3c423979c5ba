/// A `--shard` that cannot be used: malformed, out of range, or more shards than replications.
public struct ShardError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong and how to fix it, naming the flag.
    public var description: String

    public init(_ description: String) { self.description = description }
}
