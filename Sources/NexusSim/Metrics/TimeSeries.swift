import NexusGateway

/// Per-window series of a run (default window one minute), covering the whole run including warm-up.
///
/// Stored as one compact ``Window`` record per window (72 bytes) plus two 32-bit counters per provider,
/// so that a month of one-minute windows takes about 5 MB rather than the 15 MB of one array of 64-bit
/// values per series: a run's memory should not grow much with its length. The series are read as arrays
/// (`arrivals`, `p95LatencyMillis`, ...), each built on demand in O(windows): read one once, not per index.
/// Rates, shares and latencies are kept in single precision (7 significant digits); spend in double.
public struct TimeSeries: Sendable {
    public var windowNanos: Nanoseconds
    /// Provider names, in scenario order; the provider series are indexed like this.
    public var providers: [String] = []
    /// One record per window, in time order.
    public internal(set) var windows: [Window] = []
    /// Per window, per provider: attempts that ended and those that failed (window-major: window w,
    /// provider p at `w × providers.count + p`).
    var providerCounts: [ProviderCounts] = []
    /// Per provider: its outages as merged, sorted `[start, end)` intervals in nanoseconds.
    public var providerOutageIntervals: [[Range<Nanoseconds>]] = []

    /// What one window measured.
    public struct Window: Sendable, Hashable {
        /// Requests that arrived in the window; and that finished in it, by outcome.
        public var arrivals: Int32 = 0
        public var succeeded: Int32 = 0
        public var failed: Int32 = 0
        public var rejected: Int32 = 0
        /// Gateway queue depth at the end of the window, and the most seen during it.
        public var queueDepth: Int32 = 0
        public var maxQueueDepth: Int32 = 0
        /// Requests holding an instance slot at the end of the window.
        public var inFlight: Int32 = 0
        /// Instances the autoscaler owns (starting and ready) at the end of the window, and of those: ready,
        /// starting; plus draining ones (on their way out).
        public var instances: Int32 = 0
        public var readyInstances: Int32 = 0
        public var startingInstances: Int32 = 0
        public var drainingInstances: Int32 = 0
        /// p95 and mean latency in milliseconds of the requests answered in the window; NaN when none were.
        public var p95LatencyMillis: Float = .nan
        public var meanLatencyMillis: Float = .nan
        /// CPU used / CPU of the ready instances over the window (0–1, above 1 when overloaded); NaN
        /// without ready instances.
        public var cpuUtilization: Float = .nan
        /// Mean memory / limit of the ready instances at the end of the window.
        public var memoryUtilization: Float = .nan
        /// Requests in flight on ready instances / their slots, at the end of the window.
        public var utilization: Float = .nan
        /// Model spend of the requests that finished in the window, USD.
        public var spendUSD: Double = 0

        public init() {}
    }

    struct ProviderCounts: Sendable, Hashable {
        var attempts: Int32
        var failures: Int32
    }

    public init(windowNanos: Nanoseconds) { self.windowNanos = windowNanos }

    public var windowCount: Int { windows.count }

    /// Appends a window with its providers' attempt and failure counts (in ``providers`` order).
    /// Counts beyond 32 bits saturate.
    package mutating func append(_ window: Window, providerAttempts: [Int], providerFailures: [Int]) {
        windows.append(window)
        for p in providerAttempts.indices {
            providerCounts.append(ProviderCounts(attempts: Int32(clamping: providerAttempts[p]),
                                                 failures: Int32(clamping: providerFailures[p])))
        }
    }

    /// Reserves room for `count` windows, so that a long run's series does not overshoot by doubling.
    mutating func reserveWindows(_ count: Int) {
        windows.reserveCapacity(count)
        providerCounts.reserveCapacity(count * providers.count)
    }

    // MARK: Series as arrays (built on demand)

    public var arrivals: [Int] { windows.map { Int($0.arrivals) } }
    public var succeeded: [Int] { windows.map { Int($0.succeeded) } }
    public var failed: [Int] { windows.map { Int($0.failed) } }
    public var rejected: [Int] { windows.map { Int($0.rejected) } }
    public var p95LatencyMillis: [Double] { windows.map { Double($0.p95LatencyMillis) } }
    public var meanLatencyMillis: [Double] { windows.map { Double($0.meanLatencyMillis) } }
    public var queueDepth: [Int] { windows.map { Int($0.queueDepth) } }
    public var maxQueueDepth: [Int] { windows.map { Int($0.maxQueueDepth) } }
    public var inFlight: [Int] { windows.map { Int($0.inFlight) } }
    public var instances: [Int] { windows.map { Int($0.instances) } }
    public var readyInstances: [Int] { windows.map { Int($0.readyInstances) } }
    public var startingInstances: [Int] { windows.map { Int($0.startingInstances) } }
    public var drainingInstances: [Int] { windows.map { Int($0.drainingInstances) } }
    public var cpuUtilization: [Double] { windows.map { Double($0.cpuUtilization) } }
    public var memoryUtilization: [Double] { windows.map { Double($0.memoryUtilization) } }
    public var utilization: [Double] { windows.map { Double($0.utilization) } }
    public var spendUSD: [Double] { windows.map(\.spendUSD) }

    /// Per window, per provider: attempts that ended, and those that failed.
    public var providerAttempts: [[Int]] { perWindow { Int($0.attempts) } }
    public var providerFailures: [[Int]] { perWindow { Int($0.failures) } }

    private func perWindow(_ value: (ProviderCounts) -> Int) -> [[Int]] {
        let n = providers.count
        return windows.indices.map { w in (0..<n).map { value(providerCounts[w * n + $0]) } }
    }

    /// Per provider, per window: the share of the window the provider spent in an outage (0–1).
    public var providerOutage: [[Double]] {
        providerOutageIntervals.map { OutageSchedule.coverage(of: $0, windows: windowCount, width: windowNanos) }
    }

    /// Availability per window (succeeded / finished); NaN for a window where nothing finished.
    public var availability: [Double] {
        windows.map { w in
            let finished = Int(w.succeeded) + Int(w.failed) + Int(w.rejected)
            return finished == 0 ? .nan : Double(w.succeeded) / Double(finished)
        }
    }

    /// Share of the provider's attempts that succeeded, per window; NaN where it had none.
    public func successRate(provider p: Int) -> [Double] {
        let n = providers.count
        return windows.indices.map { w in
            let c = providerCounts[w * n + p]
            return c.attempts == 0 ? Double.nan : 1 - Double(c.failures) / Double(c.attempts)
        }
    }

    /// The names of the series as stored in the results database, in order.
    public var names: [String] {
        Self.gatewaySeries.map(\.name) + providers.flatMap { ["provider.\($0).attempts", "provider.\($0).success_rate", "provider.\($0).outage"] }
    }

    /// The series called `name` (one of ``names``), built on demand.
    public func values(named name: String) -> [Double]? {
        if let series = Self.gatewaySeries.first(where: { $0.name == name }) { return series.values(self) }
        for (p, provider) in providers.enumerated() {
            switch name {
            case "provider.\(provider).attempts": return windows.indices.map { Double(providerCounts[$0 * providers.count + p].attempts) }
            case "provider.\(provider).success_rate": return successRate(provider: p)
            case "provider.\(provider).outage":
                return p < providerOutageIntervals.count ? OutageSchedule.coverage(of: providerOutageIntervals[p], windows: windowCount, width: windowNanos) : []
            default: continue
            }
        }
        return nil
    }

    /// Every series by name, as stored in the results database. Builds them all at once: for a long
    /// run, prefer ``names`` with ``values(named:)``, one series at a time.
    public var named: [(name: String, values: [Double])] { names.map { ($0, values(named: $0)!) } }

    private static let gatewaySeries: [(name: String, values: @Sendable (TimeSeries) -> [Double])] = [
        ("arrivals", { $0.windows.map { Double($0.arrivals) } }),
        ("succeeded", { $0.windows.map { Double($0.succeeded) } }),
        ("failed", { $0.windows.map { Double($0.failed) } }),
        ("rejected", { $0.windows.map { Double($0.rejected) } }),
        ("p95_latency_ms", { $0.p95LatencyMillis }),
        ("mean_latency_ms", { $0.meanLatencyMillis }),
        ("availability", { $0.availability }),
        ("queue_depth", { $0.windows.map { Double($0.queueDepth) } }),
        ("max_queue_depth", { $0.windows.map { Double($0.maxQueueDepth) } }),
        ("in_flight", { $0.windows.map { Double($0.inFlight) } }),
        ("instances", { $0.windows.map { Double($0.instances) } }),
        ("ready_instances", { $0.windows.map { Double($0.readyInstances) } }),
        ("starting_instances", { $0.windows.map { Double($0.startingInstances) } }),
        ("draining_instances", { $0.windows.map { Double($0.drainingInstances) } }),
        ("cpu_utilization", { $0.cpuUtilization }),
        ("memory_utilization", { $0.memoryUtilization }),
        ("utilization", { $0.utilization }),
        ("spend_usd", { $0.spendUSD }),
    ]
}
