import NexusGateway

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
