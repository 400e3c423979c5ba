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
            seriesGatewayWindow(endingAt: includingCurrent ? max(now, windowEndsAt - settings.seriesWindowNanos) : windowEndsAt)
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

extension Simulation {
    /// The gateway's instance counts and utilisations for the window ending at `end`.
    mutating func seriesGatewayWindow(endingAt end: Nanoseconds) {
        fleet.advance(to: min(end, max(now, fleet.lastAdvanceAt)))
        let s = gatewaySpec
        summary.series.instances.append(fleet.current)
        summary.series.readyInstances.append(fleet.ready)
        summary.series.startingInstances.append(fleet.starting)
        summary.series.drainingInstances.append(fleet.draining)
        let readyNanos = fleet.readyInstanceNanos - windowStartReadyNanos
        let cpu = readyNanos > 0 ? Double(fleet.cpuNanosTotal - windowStartCPUNanos) / (readyNanos * s.vcpus) : .nan
        summary.series.cpuUtilization.append(cpu)
        windowStartReadyNanos = fleet.readyInstanceNanos
        windowStartCPUNanos = fleet.cpuNanosTotal
        // Without per-instance tracking every request in flight is on a ready instance.
        let onReady = tracksInstances ? fleet.inFlightOnReady : requests.inUse - queueDepth
        let ready = Double(fleet.ready)
        summary.series.memoryUtilization.append(ready > 0
            ? (s.memoryBaseMiB * ready + s.memoryPerRequestMiB * Double(onReady)) / (s.memoryLimitMiB * ready) : .nan)
        summary.series.utilization.append(ready > 0 ? Double(onReady) / (ready * Double(s.concurrencyPerInstance)) : .nan)
    }
}
