/// How many replications to run: a fixed number, or — with a precision goal — as many as it takes for the
/// p95 latency's 95 % interval to be that narrow, up to a cap; and, for a run spread over machines, which
/// share of the replications this process runs.
public struct ReplicationPolicy: Sendable, Hashable {
    /// Replications to start with (at least 2 when `relativePrecision` is set); with a shard, the whole run's.
    public var replications: Int
    /// Largest allowed half-width of the 95 % interval of ``precisionMetric``, relative to its mean
    /// (0.02 for `--precision 2%`); `nil` runs exactly `replications`.
    public var relativePrecision: Double?
    /// Most replications a precision goal may use.
    public var maxReplications: Int
    /// Worker threads; `nil` uses every core.
    public var threads: Int?
    /// The share of the `replications` to run (see ``Shard`` for the rule); ``Shard/whole`` runs them all.
    /// A shard needs a fixed replication count: no `relativePrecision`.
    public var shard: Shard
    /// The metric whose interval the precision goal is about.
    public static let precisionMetric = "latency_ms.p95"

    public init(replications: Int, relativePrecision: Double? = nil, maxReplications: Int = 200, threads: Int? = nil,
                shard: Shard = .whole) {
        precondition(shard.isWhole || relativePrecision == nil, "a precision goal decides the replication count; it cannot be sharded")
        self.replications = replications
        self.shard = shard
        self.relativePrecision = relativePrecision
        self.maxReplications = maxReplications
        self.threads = threads
    }
}
