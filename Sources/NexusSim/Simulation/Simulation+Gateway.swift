import NexusGateway

/// The gateway model: instance slots and the FIFO queue.
extension Simulation {
    /// Gives the request an instance slot, or queues it, or refuses it when the queue is full.
    mutating func admit(_ slot: Int32) {
        if let instance = freeInstanceSlots.popLast() {
            startService(slot, on: instance)
            return
        }
        if let limit = gatewaySpec.queueLimit, queueDepth >= limit {
            finish(slot, failure: .queueFull)
            return
        }
        requests[slot].phase = .queued
        let generation = requests.generation(of: slot)
        gatewayQueue.append(slot: slot, generation: generation)
        queueDepth += 1
        if queueDepth > window.maxQueueDepth { window.maxQueueDepth = queueDepth }
        if let timeout = gatewaySpec.queueTimeoutNanos {
            events.schedule(.queueTimeout, at: now + timeout, slot: slot, generation: generation)
        }
    }

    mutating func queueTimedOut(slot: Int32, generation: UInt32) {
        guard requests.isCurrent(slot, generation: generation), requests[slot].phase == .queued else { return }
        queueDepth -= 1
        finish(slot, failure: .queueTimeout)
    }

    /// A slot on `instance` is free: the oldest live queued request takes it.
    mutating func releaseInstanceSlot(_ instance: Int32) {
        if tracksInstances {
            fleet.inFlight[Int(instance)] -= 1
            if fleet.state[Int(instance)] != .ready {
                // Draining: the slot is not offered again; the instance goes when its last request has.
                if fleet.inFlight[Int(instance)] == 0 {
                    fleet.advance(to: now)
                    fleet.retire(instance)
                }
                return
            }
        }
        offerSlot(instance)
    }

    /// A slot on `instance` is free: the oldest live queued request takes it, or it joins the free stack.
    mutating func offerSlot(_ instance: Int32) {
        while let entry = gatewayQueue.popFirst() {
            guard requests.isCurrent(entry.slot, generation: entry.generation), requests[entry.slot].phase == .queued else {
                continue  // left the queue by timing out
            }
            queueDepth -= 1
            startService(entry.slot, on: instance)
            return
        }
        freeInstanceSlots.append(instance)
    }
}
