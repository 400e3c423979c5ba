import NexusGateway

/// The gateway model: instance slots and the FIFO queue (see ``InstancePool``).
extension Simulation {
    /// Gives the request an instance slot, or queues it, or refuses it when the queue is full.
    mutating func admit(_ slot: Int32) {
        let generation = requests.generation(of: slot)
        switch pool.admit(slot, generation: generation) {
        case .serve(let instance):
            startService(slot, on: instance)
        case .refused:
            finish(slot, failure: .queueFull)
        case .queued(let timeout):
            requests[slot].phase = .queued
            metrics.queued(depth: pool.queueDepth)
            if let timeout { events.schedule(.queueTimeout, at: now + timeout, slot: slot, generation: generation) }
        }
    }

    mutating func queueTimedOut(slot: Int32, generation: UInt32) {
        guard pool.queueTimerFired(slot, generation: generation) else { return }
        finish(slot, failure: .queueTimeout)
    }

    /// The request holding a slot on `instance` has ended: the pool hands the slot to a queued request or keeps it.
    mutating func releaseInstanceSlot(_ instance: Int32) {
        if case .serve(let next, let on) = pool.releaseSlot(on: instance, now: now) { startService(next, on: on) }
    }

    /// A slot on `instance` is free: the pool hands it to the oldest queued request or keeps it.
    mutating func offerSlot(_ instance: Int32) {
        if case .serve(let next, let on) = pool.offerSlot(on: instance) { startService(next, on: on) }
    }
}
