import NexusGateway

/// Per-window series of a run (default window one minute), covering the whole run including warm-up.
public struct TimeSeries: Sendable, Codable {
    public var windowNanos: Nanoseconds
    /// Requests that arrived in the window.
    public var arrivals: [Int] = []
    /// Requests that finished in the window, and how.
    public var succeeded: [Int] = []
    public var failed: [Int] = []
    public var rejected: [Int] = []
    /// p95 latency in milliseconds of the requests answered in the window; NaN when none were.
    public var p95LatencyMillis: [Double] = []
    /// Mean latency in milliseconds of the requests answered in the window; NaN when none were (MSER-5 reads this).
    public var meanLatencyMillis: [Double] = []
    /// Gateway queue depth at the end of the window, and the most seen during it.
    public var queueDepth: [Int] = []
    public var maxQueueDepth: [Int] = []
    /// Requests holding an instance slot at the end of the window.
    public var inFlight: [Int] = []
    /// Instances the autoscaler owns (starting and ready) at the end of the window, and of those: ready,
    /// starting; plus draining ones (on their way out).
    public var instances: [Int] = []
    public var readyInstances: [Int] = []
    public var startingInstances: [Int] = []
    public var drainingInstances: [Int] = []
    /// CPU used / CPU of the ready instances over the window (0–1, above 1 when overloaded); NaN without ready instances.
    public var cpuUtilization: [Double] = []
    /// Mean memory / limit of the ready instances at the end of the window.
    public var memoryUtilization: [Double] = []
    /// Requests in flight on ready instances / their slots, at the end of the window.
    public var utilization: [Double] = []
    /// Model spend of the requests that finished in the window, USD.
    public var spendUSD: [Double] = []
    /// Provider names, in scenario order; the provider series are indexed like this.
    public var providers: [String] = []
    /// Per window, per provider: attempts that ended, and those that failed.
    public var providerAttempts: [[Int]] = []
    public var providerFailures: [[Int]] = []
    /// Per provider, per window: the share of the window the provider spent in an outage (0–1).
    public var providerOutage: [[Double]] = []

    public init(windowNanos: Nanoseconds) { self.windowNanos = windowNanos }

    public var windowCount: Int { arrivals.count }

    /// Availability per window (succeeded / finished); NaN for a window where nothing finished.
    public var availability: [Double] {
        (0..<windowCount).map { i in
            let finished = succeeded[i] + failed[i] + rejected[i]
            return finished == 0 ? .nan : Double(succeeded[i]) / Double(finished)
        }
    }

    /// The series by name, as stored in the results database.
    public var named: [(name: String, values: [Double])] {
        var series: [(name: String, values: [Double])] = [
            ("arrivals", arrivals.map(Double.init)),
            ("succeeded", succeeded.map(Double.init)),
            ("failed", failed.map(Double.init)),
            ("rejected", rejected.map(Double.init)),
            ("p95_latency_ms", p95LatencyMillis),
            ("mean_latency_ms", meanLatencyMillis),
            ("availability", availability),
            ("queue_depth", queueDepth.map(Double.init)),
            ("max_queue_depth", maxQueueDepth.map(Double.init)),
            ("in_flight", inFlight.map(Double.init)),
            ("instances", instances.map(Double.init)),
            ("ready_instances", readyInstances.map(Double.init)),
            ("starting_instances", startingInstances.map(Double.init)),
            ("draining_instances", drainingInstances.map(Double.init)),
            ("cpu_utilization", cpuUtilization),
            ("memory_utilization", memoryUtilization),
            ("utilization", utilization),
            ("spend_usd", spendUSD),
        ]
        for p in providers.indices {
            let attempts: [Double] = providerAttempts.map { Double($0[p]) }
            series.append(("provider.\(providers[p]).attempts", attempts))
            series.append(("provider.\(providers[p]).success_rate", successRate(provider: p)))
            series.append(("provider.\(providers[p]).outage", p < providerOutage.count ? providerOutage[p] : []))
        }
        return series
    }

    /// Share of the provider's attempts that succeeded, per window; NaN where it had none.
    public func successRate(provider p: Int) -> [Double] {
        providerAttempts.indices.map { w in
            let n = providerAttempts[w][p]
            return n == 0 ? Double.nan : 1 - Double(providerFailures[w][p]) / Double(n)
        }
    }
}
