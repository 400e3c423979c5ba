import NexusGateway

/// Counters of the time-series window being filled.
struct WindowCounters {
    var arrivals = 0, succeeded = 0, failed = 0, rejected = 0
    var maxQueueDepth = 0
    var spend = USD.zero
    var latency = LatencyHistogram(significantDigits: .two)
    var providerAttempts: [Int]
    var providerFailures: [Int]

    init(providers: Int) {
        providerAttempts = Array(repeating: 0, count: providers)
        providerFailures = Array(repeating: 0, count: providers)
    }
}

extension Simulation {
    /// Appends every window that ended at or before `time` (and the current one when `includingCurrent`).
    mutating func closeWindows(through time: Nanoseconds, includingCurrent: Bool = false) {
        while windowEndsAt <= time || includingCurrent {
            summary.series.arrivals.append(window.arrivals)
            summary.series.succeeded.append(window.succeeded)
            summary.series.failed.append(window.failed)
            summary.series.rejected.append(window.rejected)
            summary.series.p95LatencyMillis.append(window.latency.percentileMillis(95) ?? .nan)
            summary.series.meanLatencyMillis.append(window.latency.meanMillis ?? .nan)
            summary.series.queueDepth.append(queueDepth)
            summary.series.maxQueueDepth.append(max(window.maxQueueDepth, queueDepth))
            summary.series.inFlight.append(requests.inUse - queueDepth)
            summary.series.instances.append(instanceCount)
            summary.series.spendUSD.append(window.spend.dollars)
            summary.series.providerAttempts.append(window.providerAttempts)
            summary.series.providerFailures.append(window.providerFailures)
            let providers = window.providerAttempts.count
            window = WindowCounters(providers: providers)
            window.maxQueueDepth = queueDepth
            windowEndsAt += settings.seriesWindowNanos
            if includingCurrent { break }
        }
    }
}
