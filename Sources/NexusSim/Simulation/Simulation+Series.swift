import NexusGateway

/// Counters of the time-series window being filled.
struct WindowCounters {
    var arrivals = 0, succeeded = 0, failed = 0, rejected = 0
    var maxQueueDepth = 0
    var spend = USD.zero
    var latency = WindowLatency()
    var providerAttempts: [Int]
    var providerFailures: [Int]

    init(providers: Int) {
        providerAttempts = Array(repeating: 0, count: providers)
        providerFailures = Array(repeating: 0, count: providers)
    }

    /// Starts the next window, reusing the histogram's and the arrays' storage.
    mutating func reset() {
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

extension Simulation {
    /// Appends every window that ended at or before `time` (and the current one when `includingCurrent`).
    mutating func closeWindows(through time: Nanoseconds, includingCurrent: Bool = false) {
        while metrics.windowEndsAt <= time || includingCurrent {
            let windowEndsAt = metrics.windowEndsAt
            var w = TimeSeries.Window()
            w.queueDepth = Int32(clamping: pool.queueDepth)
            w.inFlight = Int32(clamping: requests.inUse - pool.queueDepth)
            pool.fillSeriesWindow(&w, endingAt: includingCurrent ? max(now, windowEndsAt - settings.seriesWindowNanos) : windowEndsAt,
                                  now: now, requestsInService: requests.inUse - pool.queueDepth)
            metrics.closeWindow(w, queueDepth: pool.queueDepth)
            if includingCurrent { break }
        }
    }
}
