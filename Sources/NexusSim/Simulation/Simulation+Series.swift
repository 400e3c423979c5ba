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
        while windowEndsAt <= time || includingCurrent {
            var w = TimeSeries.Window()
            w.arrivals = Int32(clamping: window.arrivals)
            w.succeeded = Int32(clamping: window.succeeded)
            w.failed = Int32(clamping: window.failed)
            w.rejected = Int32(clamping: window.rejected)
            w.p95LatencyMillis = Float(window.latency.percentileMillis(95) ?? .nan)
            w.meanLatencyMillis = Float(window.latency.meanMillis ?? .nan)
            w.queueDepth = Int32(clamping: queueDepth)
            w.maxQueueDepth = Int32(clamping: max(window.maxQueueDepth, queueDepth))
            w.inFlight = Int32(clamping: requests.inUse - queueDepth)
            seriesGatewayWindow(&w, endingAt: includingCurrent ? max(now, windowEndsAt - settings.seriesWindowNanos) : windowEndsAt)
            w.spendUSD = window.spend.dollars
            summary.series.append(w, providerAttempts: window.providerAttempts, providerFailures: window.providerFailures)
            window.reset()
            window.maxQueueDepth = queueDepth
            windowEndsAt += settings.seriesWindowNanos
            if includingCurrent { break }
        }
    }
}

extension Simulation {
    /// The gateway's instance counts and utilisations for the window ending at `end`.
    mutating func seriesGatewayWindow(_ w: inout TimeSeries.Window, endingAt end: Nanoseconds) {
        fleet.advance(to: min(end, max(now, fleet.lastAdvanceAt)))
        let s = gatewaySpec
        w.instances = Int32(clamping: fleet.current)
        w.readyInstances = Int32(clamping: fleet.ready)
        w.startingInstances = Int32(clamping: fleet.starting)
        w.drainingInstances = Int32(clamping: fleet.draining)
        let readyNanos = fleet.readyInstanceNanos - windowStartReadyNanos
        let cpu = readyNanos > 0 ? Double(fleet.cpuNanosTotal - windowStartCPUNanos) / (readyNanos * s.vcpus) : .nan
        w.cpuUtilization = Float(cpu)
        windowStartReadyNanos = fleet.readyInstanceNanos
        windowStartCPUNanos = fleet.cpuNanosTotal
        // Without per-instance tracking every request in flight is on a ready instance.
        let onReady = tracksInstances ? fleet.inFlightOnReady : requests.inUse - queueDepth
        let ready = Double(fleet.ready)
        w.memoryUtilization = Float(ready > 0
            ? (s.memoryBaseMiB * ready + s.memoryPerRequestMiB * Double(onReady)) / (s.memoryLimitMiB * ready) : .nan)
        w.utilization = Float(ready > 0 ? Double(onReady) / (ready * Double(s.concurrencyPerInstance)) : .nan)
    }
}
