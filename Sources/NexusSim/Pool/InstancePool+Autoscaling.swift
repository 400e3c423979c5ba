import NexusGateway

/// The instance side of autoscaling: what the policy measures, its decision, launching and removing instances.
extension InstancePool {
    /// What a change of the instance count asks of the driver.
    public struct Scaling: Equatable, Sendable {
        /// Instances launched: each is ready after `startupNanos` (the driver starts a timer, or calls
        /// ``instanceStarted(_:now:)`` at once when it is 0).
        public var launched: [Int32] = []
        public var startupNanos: Nanoseconds = 0
        /// Instances removed that still have requests: each is terminated after `terminationGraceNanos` (the
        /// driver starts a timer, then calls ``terminationDue(_:)``), unless its requests are done by then.
        public var draining: [Int32] = []
        public var terminationGraceNanos: Nanoseconds = 0
        /// The instance count before and after.
        public var from: Int
        public var to: Int
    }

    /// Measures the interval just ended and asks the autoscaling policy for the instance count; `nil` when
    /// the gateway does not autoscale.
    public mutating func autoscalerDecision(now: Nanoseconds) -> ScaleDecision? {
        guard var policy = autoscaler else { return nil }
        let metrics = autoscalerMetrics(now: now)
        let decision = policy.decide(metrics, now: now)
        autoscaler = policy
        return decision
    }

    /// Starts the next autoscaler interval at `now`.
    public mutating func beginAutoscalerInterval(at now: Nanoseconds) {
        for id in fleet.live { fleet.cpuNanosAtIntervalStart[Int(id)] = fleet.cpuNanos[Int(id)] }
        intervalStartedAt = now
        intervalStartReadyNanos = fleet.readyInstanceNanos
        intervalStartCPUNanos = fleet.cpuNanosTotal
        intervalLatency.reset()
    }

    /// What the policy sees now (see ``AutoscalerMetrics``).
    public mutating func autoscalerMetrics(now: Nanoseconds) -> AutoscalerMetrics {
        fleet.advance(to: now)
        let vcpuMillis = spec.vcpus * 1000
        let memoryLimitKiB = Int64(spec.memoryLimitMiB * 1024)
        let published = publishedScrapes(now: now)
        var samples: [InstanceSample] = []
        samples.reserveCapacity(fleet.live.count)
        var memorySum = 0.0
        for id in fleet.live {
            let i = Int(id)
            let memoryNowMiB = memoryMiB(inFlight: fleet.inFlight[i])
            switch fleet.state[i] {
            case .starting:
                samples.append(InstanceSample(status: .pending, cpuRequestMillis: Int64(vcpuMillis), memoryRequest: memoryLimitKiB))
            case .draining, .gone:
                samples.append(InstanceSample(status: .deleting, cpuRequestMillis: Int64(vcpuMillis), memoryRequest: memoryLimitKiB))
            case .ready:
                memorySum += memoryNowMiB / spec.memoryLimitMiB
                var sample = InstanceSample(status: .ready, cpuRequestMillis: Int64(vcpuMillis), memoryRequest: memoryLimitKiB,
                                            inFlightMillis: Int64(fleet.inFlight[i]) * 1000)
                if metricsServer == nil {
                    // CPU averaged over the part of the interval the instance was ready. One that became ready
                    // during the interval has a sample that does not cover a full window since its readiness:
                    // Kubernetes ignores such CPU samples, so it is reported unready (its other metrics still count).
                    let since = max(intervalStartedAt, fleet.readyAt[i])
                    let span = Double(max(now - since, 1))
                    sample.cpuMillis = Int64((Double(fleet.cpuNanos[i] - fleet.cpuNanosAtIntervalStart[i]) / span * 1000).rounded())
                    sample.memory = Int64(memoryNowMiB * 1024)
                    if fleet.readyAt[i] > intervalStartedAt { sample.status = .unready }
                } else if let (older, newer) = published, let a = older.index(of: id), let b = newer.index(of: id) {
                    // The rate between the two scrapes; a window that began before the instance was ready is
                    // ignored for CPU as above.
                    let span = Double(newer.at - older.at)
                    sample.cpuMillis = Int64((Double(newer.cpuNanos[b] - older.cpuNanos[a]) / span * 1000).rounded())
                    sample.memory = Int64(memoryMiB(inFlight: newer.inFlight[b]) * 1024)
                    if fleet.readyAt[i] > older.at { sample.status = .unready }
                }
                // Otherwise metrics-server has no window for it yet: its CPU and memory are missing.
                samples.append(sample)
            }
        }
        let readyNanos = fleet.readyInstanceNanos - intervalStartReadyNanos
        let cpu = readyNanos > 0 ? Double(fleet.cpuNanosTotal - intervalStartCPUNanos) / (readyNanos * spec.vcpus) : 0
        return AutoscalerMetrics(
            currentInstances: fleet.current, readyInstances: fleet.ready, instances: samples,
            cpuUtilization: cpu, memoryUtilization: fleet.ready > 0 ? memorySum / Double(fleet.ready) : 0,
            queueDepth: queueDepth,
            responseTimeMeanMillis: intervalLatency.meanMillis, responseTimeP95Millis: intervalLatency.percentileMillis(95))
    }

    /// Launches or removes instances until the autoscaler owns `desired`; `nil` when it already does.
    /// Removed starting instances are cancelled; removed ready ones drain (no new request, gone when empty).
    public mutating func scale(to desired: Int, now: Nanoseconds) -> Scaling? {
        let current = fleet.current
        guard desired != current else { return nil }
        fleet.advance(to: now)
        var scaling = Scaling(startupNanos: spec.startupNanos, terminationGraceNanos: spec.terminationGraceNanos, from: current, to: desired)
        if desired > current {
            for _ in current..<desired {
                scaling.launched.append(fleet.launch(at: now))
                if perInstanceQueues { instanceQueues.append(SlotQueue()); freeSlotsOn.append(0); queuedOn.append(0) }
            }
        } else {
            var drained = false
            for id in fleet.victims(current - desired, now: now) {
                if fleet.state[Int(id)] == .starting {
                    fleet.cancel(id)
                } else {
                    // Out of the Service's endpoints at once; it finishes what it holds, within its grace period.
                    fleet.startDraining(id)
                    drained = true
                    if perInstanceQueues {
                        endpoints.removeAll { $0 == id }
                        freeSlotsOn[Int(id)] = 0
                    }
                    if fleet.state[Int(id)] == .draining { scaling.draining.append(id) }
                }
            }
            // A draining instance takes no new request: drop its free slots from the stack.
            if drained && !perInstanceQueues { freeInstanceSlots.removeAll { fleet.state[Int($0)] != .ready } }
        }
        return scaling
    }

    /// A launched instance has finished starting. Returns whether it is now ready (`false` for one removed
    /// while starting); its ``concurrencyPerInstance`` slots are then offered with ``offerSlot(on:)``.
    public mutating func instanceStarted(_ id: Int32, now: Nanoseconds) -> Bool {
        guard fleet.state[Int(id)] == .starting else { return false }
        fleet.advance(to: now)
        fleet.markReady(id, at: now)
        if perInstanceQueues { endpoints.append(id) }
        return true
    }

    /// A draining instance's termination grace period is over. Returns whether it is still there: the driver
    /// then fails the requests waiting in its queue (``isQueued(_:generation:on:)``) and those in flight on it
    /// with `instance_terminated`, and calls ``terminated(_:now:)``.
    public func terminationDue(_ id: Int32) -> Bool { fleet.state[Int(id)] == .draining }

    /// Removes a terminated instance, whatever it still held.
    public mutating func terminated(_ id: Int32, now: Nanoseconds) {
        guard fleet.state[Int(id)] == .draining else { return }
        fleet.advance(to: now)
        fleet.retire(id)
    }

    /// The order in which a scale-in would remove the starting and ready instances now, first first.
    public func removalOrder(now: Nanoseconds) -> [Int32] { fleet.victims(fleet.current, now: now) }

    // MARK: Measurements

    /// Instance-hours billed up to `now`.
    public mutating func billedInstanceHours(now: Nanoseconds) -> Double {
        fleet.advance(to: now)
        return fleet.billedInstanceNanos / 3.6e12
    }

    /// The instance counts and utilisations of the series window ending at `end`; `requestsInService` is
    /// what the driver counts in service (used when instances are not tracked one by one).
    mutating func fillSeriesWindow(_ w: inout TimeSeries.Window, endingAt end: Nanoseconds, now: Nanoseconds, requestsInService: Int) {
        fleet.advance(to: min(end, max(now, fleet.lastAdvanceAt)))
        let s = spec
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
        let onReady = tracksInstances ? fleet.inFlightOnReady : requestsInService
        let ready = Double(fleet.ready)
        w.memoryUtilization = Float(ready > 0
            ? (s.memoryBaseMiB * ready + s.memoryPerRequestMiB * Double(onReady)) / (s.memoryLimitMiB * ready) : .nan)
        w.utilization = Float(ready > 0 ? Double(onReady) / (ready * Double(s.concurrencyPerInstance)) : .nan)
    }
}
