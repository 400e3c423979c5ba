/// What a live load run (`nexus-sim load`) measured about itself, beside the metrics every run has: where it
/// sent the traffic, how late the requests left, and what went wrong on the client's side.
///
/// Present in a ``RunSummary`` only for live runs; merging the summaries of a load's shards adds the counts and
/// merges the send-lag histograms exactly.
public struct LiveStats: Sendable, Codable {
    /// The URL the requests were sent to.
    public var target: String
    /// The speed factor K: scenario time runs K times faster than wall time.
    public var speed: Double
    /// Wall time from each request's scheduled send time to the moment its head was written (wall time, not
    /// scaled by K: it measures the load generator, not the system under test).
    public var sendLag = LatencyHistogram()
    /// The most connections the load generator may open to the target (summed over shards).
    public var connections: Int
    /// The most requests outstanding at once (summed over shards: each generator's own peak).
    public var peakInFlight = 0
    /// Requests that got no HTTP answer: connection refused or reset, timeouts on the client side.
    public var clientErrors = 0
    /// Answers whose model (response `model`, `x-nexus-endpoint`) names no model of the scenario, so their
    /// usage could not be priced.
    public var unpricedResponses = 0
    /// Arrivals scheduled (this shard's, warm-up included) and requests actually sent.
    public var scheduled = 0
    public var sent = 0
    /// Wall time the load took from the first scheduled send to the last answer, nanoseconds.
    public var wallNanos: Int64 = 0

    public init(target: String, speed: Double, connections: Int) {
        self.target = target
        self.speed = speed
        self.connections = connections
    }

    /// Adds another shard's figures (the target and speed are the same in every shard).
    public mutating func merge(_ other: LiveStats) {
        sendLag.merge(other.sendLag)
        connections += other.connections
        peakInFlight += other.peakInFlight
        clientErrors += other.clientErrors
        unpricedResponses += other.unpricedResponses
        scheduled += other.scheduled
        sent += other.sent
        wallNanos = max(wallNanos, other.wallNanos)
    }
}
