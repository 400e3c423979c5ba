import NexusGateway

/// Counters of the time-series window being filled, by the simulator and by the live load recorder alike.
package struct WindowCounters {
    package var arrivals = 0, succeeded = 0, failed = 0, rejected = 0
    package var maxQueueDepth = 0
    package var spend = USD.zero
    package var latency = WindowLatency()
    package var providerAttempts: [Int]
    package var providerFailures: [Int]

    package init(providers: Int) {
        providerAttempts = Array(repeating: 0, count: providers)
        providerFailures = Array(repeating: 0, count: providers)
    }

    /// Writes the counts, latency percentiles and spend into `w` (the gateway's own state — queue, in flight,
    /// instances — is the caller's).
    package func fill(_ w: inout TimeSeries.Window) {
        w.arrivals = Int32(clamping: arrivals)
        w.succeeded = Int32(clamping: succeeded)
        w.failed = Int32(clamping: failed)
        w.rejected = Int32(clamping: rejected)
        w.p95LatencyMillis = Float(latency.percentileMillis(95) ?? .nan)
        w.meanLatencyMillis = Float(latency.meanMillis ?? .nan)
        w.spendUSD = spend.dollars
    }

    /// Starts the next window, reusing the histogram's and the arrays' storage.
    package mutating func reset() {
        arrivals = 0; succeeded = 0; failed = 0; rejected = 0
        maxQueueDepth = 0
        spend = .zero
        latency.reset()
        for p in providerAttempts.indices {
            providerAttempts[p] = 0
            providerFailures[p] = 0
        }
    }
}
