import Histogram
import NexusGateway

/// Outcomes of the counted requests of one group (a request class, or the tier a class belongs to):
/// counts, latency and time-to-first-token histograms of the answered ones, and what they cost.
///
/// The histograms keep 2 significant digits (percentiles within 1 %, rounded up), against the run's 3: a
/// scenario has a dozen classes, and a dozen pairs of 3-digit histograms recorded on every request no longer
/// fit the processor's caches (the run was 20 % slower); 2-digit ones are an eighth of the size.
public struct RequestGroupStats: Sendable, Codable {
    public var requests = 0
    public var succeeded = 0
    /// Errors, timeouts, queue timeouts, no route.
    public var failed = 0
    /// Refused by policy (budget block).
    public var rejected = 0
    /// Arrival to last token, answered requests (2 significant digits).
    public var latency = LatencyHistogram(significantDigits: RequestGroupStats.significantDigits)
    /// Arrival to first token, answered requests (2 significant digits).
    public var ttft = LatencyHistogram(significantDigits: RequestGroupStats.significantDigits)

    /// The precision of a group's histograms.
    public static let significantDigits = SignificantDigits.two
    /// Every attempt's cost (failed ones included).
    public var cost = USD.zero

    public init() {}

    /// One mutating call per request: each access to an element of the run's array pays a copy-on-write check.
    @inline(__always) package mutating func count(failure: FailureReason?, latencyNanos: Int64, ttftNanos: Int64, cost: USD) {
        requests += 1
        self.cost += cost
        if let failure {
            if failure.isRejection { rejected += 1 } else { failed += 1 }
        } else {
            succeeded += 1
            latency.record(nanos: latencyNanos)
            ttft.record(nanos: ttftNanos)
        }
    }

    /// Adds `other`'s requests (histograms merge exactly).
    public mutating func merge(_ other: RequestGroupStats) {
        requests += other.requests
        succeeded += other.succeeded
        failed += other.failed
        rejected += other.rejected
        latency.merge(other.latency)
        ttft.merge(other.ttft)
        cost += other.cost
    }

    public var availability: Double { requests == 0 ? .nan : Double(succeeded) / Double(requests) }
    public var errorRate: Double { requests == 0 ? .nan : Double(failed) / Double(requests) }
    public var costPerRequest: Double { requests == 0 ? .nan : cost.dollars / Double(requests) }
}
