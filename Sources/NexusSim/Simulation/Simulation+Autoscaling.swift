import NexusGateway

/// The autoscaler in the run loop: every interval the pool measures and asks its policy; the loop carries out
/// the launches and records the scale event.
extension Simulation {
    mutating func autoscale() {
        guard let interval = autoscalingIntervalNanos, let decision = pool.autoscalerDecision(now: now) else { return }
        scale(to: decision.desiredInstances, reason: decision.reason)
        pool.beginAutoscalerInterval(at: now)
        // Keep evaluating while there is traffic to come or in flight.
        if now < arrivalsEndAt || requests.inUse > 0 { events.schedule(.autoscale, at: now + interval) }
    }

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
        summary.scaleEvents.append(ScaleEvent(atNanos: now, from: scaling.from, to: scaling.to, reason: reason))
        summary.minInstances = min(summary.minInstances, desired)
        summary.maxInstances = max(summary.maxInstances, desired)
    }

    /// A starting instance has booted: its slots take queued requests first, then join the free stack.
    mutating func instanceReady(_ id: Int32) {
        guard pool.instanceStarted(id, now: now) else { return }  // cancelled while starting
        for _ in 0..<pool.concurrencyPerInstance { offerSlot(id) }
    }
}
