import NexusGateway

/// The autoscaler in the run loop: every interval the pool measures and asks its policy; the loop carries out
/// the launches and records the scale event.
extension Simulation {
    mutating func autoscale() {
        guard let interval = autoscalingIntervalNanos else { return }
        // A scrape due at this very time is taken first, whichever of the two events the queue holds first.
        if let resolution = pool.metricsScrapeIntervalNanos, now % resolution == 0 { pool.scrapeMetrics(now: now) }
        guard let decision = pool.autoscalerDecision(now: now) else { return }
        scale(to: decision.desiredInstances, reason: decision.reason.text)
        pool.beginAutoscalerInterval(at: now)
        // Keep evaluating while there is traffic to come or in flight.
        if isBusy { events.schedule(.autoscale, at: now + interval) }
    }

    /// metrics-server's scrape of the instances, every resolution while the autoscaler evaluates.
    mutating func scrapeMetrics() {
        guard let resolution = pool.metricsScrapeIntervalNanos else { return }
        pool.scrapeMetrics(now: now)
        if isBusy { events.schedule(.metricsScrape, at: now + resolution) }
    }

    /// Whether traffic is still to come or in flight (the autoscaler's timers run until it is not).
    private var isBusy: Bool { now < arrivalsEndAt || requests.inUse > 0 }

    /// Has the pool launch or remove instances until the autoscaler owns `desired`, and records the scale event.
    mutating func scale(to desired: Int, reason: String) {
        guard let scaling = pool.scale(to: desired, now: now) else { return }
        for id in scaling.launched {
            if scaling.startupNanos == 0 {
                instanceReady(id)
            } else {
                events.schedule(.instanceReady, at: now + scaling.startupNanos, slot: id)
            }
        }
        for id in scaling.draining {
            events.schedule(.instanceTerminated, at: now + scaling.terminationGraceNanos, slot: id)
        }
        metrics.scaled(ScaleEvent(atNanos: now, from: scaling.from, to: scaling.to, reason: reason), desired: desired)
    }

    /// A removed instance's grace period is over (Kubernetes' `terminationGracePeriodSeconds`, then SIGKILL):
    /// what still waits in its queue or runs on it fails with `instance_terminated`. Queued requests go first,
    /// so that no slot freed by the others hands one of them work on the dying instance.
    mutating func instanceTerminationDue(_ id: Int32) {
        guard pool.terminationDue(id) else { return }  // finished its requests in time
        let slots = requests.liveSlots
        for slot in slots where pool.isQueued(slot, generation: requests.generation(of: slot), on: id) {
            pool.leaveQueue(slot)
            finish(slot, failure: .instanceTerminated)
        }
        for slot in slots where requests.generation(of: slot) & 1 == 1 && requests[slot].phase == .inFlight && requests[slot].instance == id {
            terminate(slot)
        }
        pool.terminated(id, now: now)
    }

    /// Ends a request on a terminated instance: the lifecycle cancels its running attempts (each billed for what
    /// it produced) and the request fails with `instance_terminated`. A request with nothing running (a cache
    /// answer on its way) ends at once.
    private mutating func terminate(_ slot: Int32) {
        let record = requests.address(of: slot)
        let actions = gateway.cancelled(lifecycle: &record.pointee.lifecycle, now: now)
        if actions.isEmpty { finish(slot, failure: .instanceTerminated) } else { perform(actions, for: slot) }
    }

    /// A starting instance has booted: its slots take queued requests first, then join the free stack.
    mutating func instanceReady(_ id: Int32) {
        guard pool.instanceStarted(id, now: now) else { return }  // cancelled while starting
        for _ in 0..<pool.concurrencyPerInstance { offerSlot(id) }
    }
}
