import NexusGateway
import NexusScenario

/// The gateway's instances as the load balancer sees them: free instance slots, the queue of requests
/// waiting for one (its depth, limit and timeout), the fleet of instances and its autoscaler.
///
/// A state machine in the style of the gateway components: the driver tells it what happened (a request
/// arrived, a slot was released, a queue timer fired, an instance finished starting, the autoscaler is due)
/// and it answers with what to do (serve this request on this instance, refuse it, start this timer). The
/// driver owns the clock, the event queue and the requests; the pool only knows requests by their slab
/// slot and generation.
public struct InstancePool {
    /// What to do with an arriving request.
    public enum Admission: Equatable, Sendable {
        /// Serve it now on `instance` (a slot there is now taken).
        case serve(instance: Int32)
        /// It waits in the queue; start its queue timer (`timeout` from now), unless `nil`.
        case queued(timeout: Nanoseconds?)
        /// The queue is full: the request fails with `queue_full`.
        case refused
    }

    /// What to do with a slot that just became free.
    public enum SlotHandOff: Equatable, Sendable {
        /// The queued request `request` takes the slot on `instance`.
        case serve(request: Int32, instance: Int32)
        /// Nobody waits: the slot is free (or, on an instance that is leaving, gone).
        case idle
    }

    let spec: GatewaySpec
    /// Requests one instance serves at once.
    public let concurrencyPerInstance: Int
    /// Whether requests are charged to their instance (autoscaling, CPU or memory per request); when not,
    /// the hot path skips the per-instance bookkeeping and runs exactly as a fixed gateway.
    public let tracksInstances: Bool
    /// Whether the gateway autoscales; a plain flag so the per-request path never copies the policy.
    public let isAutoscaled: Bool

    /// A stack of free (instance, slot) capacity: one entry per free slot, naming its instance.
    var freeInstanceSlots: [Int32] = []
    /// Requests waiting for a slot, first in first out. Entries of requests that left (queue timeout) stay
    /// until they reach the front and are skipped there.
    var queue = SlotQueue()
    /// For each request slot, `generation + 1` while that request waits in the queue, 0 otherwise: tells
    /// live queue entries from stale ones without reading the requests.
    var queuedGeneration: [UInt64] = []
    /// Requests waiting in the queue now.
    public private(set) var queueDepth = 0

    /// Instances, their lifecycle and per-instance load.
    var fleet: InstanceFleet
    var autoscaler: AutoscalingPolicy?

    // The autoscaler interval being measured: when it started, the integrals then, and its answered requests.
    var intervalStartedAt: Nanoseconds = 0
    var intervalStartReadyNanos: Double = 0
    var intervalStartCPUNanos: Int64 = 0
    var intervalLatency = WindowLatency()
    // The series window being filled: the integrals at its start.
    var windowStartReadyNanos: Double = 0
    var windowStartCPUNanos: Int64 = 0

    /// A pool of `spec.instances` ready instances; instance-time is billed from `billingFrom` (the warm-up's end).
    public init(spec: GatewaySpec, billingFrom: Nanoseconds) {
        self.spec = spec
        concurrencyPerInstance = spec.concurrencyPerInstance
        tracksInstances = spec.autoscaling != nil || spec.cpuPerRequestNanos > 0 || spec.memoryPerRequestMiB > 0
        isAutoscaled = spec.autoscaling != nil
        autoscaler = spec.autoscaling?.policy
        fleet = InstanceFleet(readyInstances: spec.instances, billingFrom: billingFrom)
        // Slots are handed out instance by instance, lowest instance first.
        for instance in (0..<spec.instances).reversed() {
            for _ in 0..<spec.concurrencyPerInstance { freeInstanceSlots.append(Int32(instance)) }
        }
    }

    /// Instances the autoscaler owns (starting and ready).
    public var currentInstances: Int { fleet.current }
    public var readyInstances: Int { fleet.ready }
    public var startingInstances: Int { fleet.starting }
    public var drainingInstances: Int { fleet.draining }

    // MARK: Requests

    /// A request arrives (`request` is its slot, `generation` the slot's generation): a free slot takes it,
    /// or it queues, or it is refused when the queue is at its limit.
    @inline(__always)
    public mutating func admit(_ request: Int32, generation: UInt32) -> Admission {
        if let instance = freeInstanceSlots.popLast() { return .serve(instance: instance) }
        if let limit = spec.queueLimit, queueDepth >= limit { return .refused }
        queue.append(slot: request, generation: generation)
        let i = Int(request)
        if queuedGeneration.count <= i { queuedGeneration += Array(repeating: 0, count: i + 1 - queuedGeneration.count) }
        queuedGeneration[i] = UInt64(generation) + 1
        queueDepth += 1
        return .queued(timeout: spec.queueTimeoutNanos)
    }

    /// A queued request's queue timer fired. Returns whether it was still waiting (it has now left the
    /// queue and fails with `queue_timeout`); `false` for a request that was served meanwhile.
    public mutating func queueTimerFired(_ request: Int32, generation: UInt32) -> Bool {
        guard isQueued(request, generation: generation) else { return false }
        queuedGeneration[Int(request)] = 0
        queueDepth -= 1
        return true
    }

    @inline(__always)
    func isQueued(_ request: Int32, generation: UInt32) -> Bool {
        Int(request) < queuedGeneration.count && queuedGeneration[Int(request)] == UInt64(generation) + 1
    }

    /// The request now holding a slot on `instance` starts its work there: its CPU time is charged.
    @inline(__always)
    public mutating func startWork(on instance: Int32) {
        guard tracksInstances else { return }
        fleet.inFlight[Int(instance)] += 1
        fleet.cpuNanos[Int(instance)] += spec.cpuPerRequestNanos
        fleet.cpuNanosTotal += spec.cpuPerRequestNanos
    }

    /// A request holding a slot on `instance` has ended: the slot goes to the oldest waiting request, back to
    /// the free stack, or — on an instance that is leaving — away with the instance.
    @inline(__always)
    public mutating func releaseSlot(on instance: Int32, now: Nanoseconds) -> SlotHandOff {
        if tracksInstances {
            fleet.inFlight[Int(instance)] -= 1
            if fleet.state[Int(instance)] != .ready {
                // Draining: the slot is not offered again; the instance goes when its last request has.
                if fleet.inFlight[Int(instance)] == 0 {
                    fleet.advance(to: now)
                    fleet.retire(instance)
                }
                return .idle
            }
        }
        return offerSlot(on: instance)
    }

    /// A slot on `instance` is free: the oldest live queued request takes it, or it joins the free stack.
    @inline(__always)
    public mutating func offerSlot(on instance: Int32) -> SlotHandOff {
        while let entry = queue.popFirst() {
            guard isQueued(entry.slot, generation: entry.generation) else { continue }  // left by timing out
            queuedGeneration[Int(entry.slot)] = 0
            queueDepth -= 1
            return .serve(request: entry.slot, instance: instance)
        }
        freeInstanceSlots.append(instance)
        return .idle
    }

    /// Records the response time (arrival to first byte) of a request answered, for the autoscaler.
    @inline(__always)
    public mutating func recordResponseTime(nanos: Nanoseconds) {
        if isAutoscaled { intervalLatency.record(nanos: nanos) }
    }
}
