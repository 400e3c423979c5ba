import NexusGateway
import NexusScenario

/// The gateway's instances as the load balancer sees them: free instance slots, the queues of requests
/// waiting for one (depth, limit and timeout), the fleet of instances and its autoscaler.
///
/// A state machine in the style of the gateway components: the driver tells it what happened (a request
/// arrived, a slot was released, a queue timer fired, an instance finished starting, the autoscaler is due)
/// and it answers with what to do (serve this request on this instance, refuse it, start this timer). The
/// driver owns the clock, the event queue and the requests; the pool knows requests only by their slab slot
/// and generation.
///
/// How an arrival finds an instance is ``LoadBalancing``: one shared FIFO queue that any free slot takes from
/// (`global_queue`, a worker pool), or a balancer that picks an instance on arrival — at random, in turn, or
/// the one with the fewest requests — after which the request waits in that instance's own queue, as behind
/// a Kubernetes Service.
public struct InstancePool {
    /// What to do with an arriving request.
    public enum Admission: Equatable, Sendable {
        /// Serve it now on `instance` (a slot there is now taken).
        case serve(instance: Int32)
        /// It waits in a queue; start its queue timer (`timeout` from now), unless `nil`.
        case queued(timeout: Nanoseconds?)
        /// The queue is full: the request fails with `queue_full`.
        case refused
    }

    /// What to do with a slot that just became free.
    public enum SlotHandOff: Equatable, Sendable {
        /// The queued request `request` takes the slot on `instance`.
        case serve(request: Int32, instance: Int32)
        /// Nobody waits for it: the slot is free (or, on an instance that is leaving, gone).
        case idle
    }

    let spec: GatewaySpec
    /// Requests one instance serves at once.
    public let concurrencyPerInstance: Int
    public let loadBalancing: LoadBalancing
    /// Whether each instance has its own queue (every mode but `global_queue`).
    let perInstanceQueues: Bool
    /// Whether requests are charged to their instance (autoscaling, CPU or memory per request, a balancer that
    /// counts connections); when not, the hot path skips the per-instance bookkeeping.
    public let tracksInstances: Bool
    /// Whether the gateway autoscales; a plain flag so the per-request path never copies the policy.
    public let isAutoscaled: Bool

    /// `global_queue`: a stack of free (instance, slot) capacity, one entry per free slot naming its instance.
    var freeInstanceSlots: [Int32] = []
    /// Requests waiting for any slot, first in first out: the queue of `global_queue`; with per-instance queues,
    /// where arrivals wait while no instance is ready. Entries of requests that left (queue timeout) stay until
    /// they reach the front and are skipped there.
    var queue = SlotQueue()
    /// Per-instance queues (by instance id), each instance's free slots and its live queued requests.
    var instanceQueues: [SlotQueue] = []
    var freeSlotsOn: [Int32] = []
    var queuedOn: [Int32] = []
    /// Ready instances in launch order: the balancer's endpoints.
    var endpoints: [Int32] = []
    /// The next endpoint in turn (`round_robin`, and ties of `least_connections`).
    var nextInTurn = 0
    /// The balancer's own random stream (`random` only): other streams are unaffected by its draws.
    let balancerStream: RandomStream?
    /// For each request slot, `generation + 1` while that request waits in a queue, 0 otherwise; and which
    /// instance's queue (-1: the shared one).
    var queuedGeneration: [UInt64] = []
    var queuedInstance: [Int32] = []
    /// Requests waiting in any queue now.
    public private(set) var queueDepth = 0

    /// Instances, their lifecycle and per-instance load.
    var fleet: InstanceFleet
    var autoscaler: AutoscalingPolicy?
    /// How the HPA's resource metrics are collected, and the scrapes it may still read.
    let metricsServer: MetricsServerSpec?
    var scrapes: [MetricsScrape] = []

    // The autoscaler interval being measured: when it started, the integrals then, and its answered requests.
    var intervalStartedAt: Nanoseconds = 0
    var intervalStartReadyNanos: Double = 0
    var intervalStartCPUNanos: Int64 = 0
    var intervalLatency = WindowLatency()
    // The series window being filled: the integrals at its start.
    var windowStartReadyNanos: Double = 0
    var windowStartCPUNanos: Int64 = 0

    /// A pool of `spec.instances` ready instances; instance-time is billed from `billingFrom` (the warm-up's
    /// end); `runSeed` seeds the `random` balancer's stream.
    public init(spec: GatewaySpec, billingFrom: Nanoseconds, runSeed: UInt64) {
        self.spec = spec
        concurrencyPerInstance = spec.concurrencyPerInstance
        loadBalancing = spec.loadBalancing
        perInstanceQueues = spec.loadBalancing != .globalQueue
        tracksInstances = spec.autoscaling != nil || spec.cpuPerRequestNanos > 0 || spec.memoryPerRequestMiB > 0 || perInstanceQueues
        isAutoscaled = spec.autoscaling != nil
        autoscaler = spec.autoscaling?.policy
        metricsServer = spec.autoscaling?.metricsServer
        balancerStream = spec.loadBalancing == .random ? RandomStream(runSeed: runSeed, name: "gateway.load_balancer") : nil
        fleet = InstanceFleet(readyInstances: spec.instances, billingFrom: billingFrom)
        if perInstanceQueues {
            for id in 0..<spec.instances { addInstanceState(); freeSlotsOn[id] = Int32(spec.concurrencyPerInstance); endpoints.append(Int32(id)) }
        } else {
            // Slots are handed out instance by instance, lowest instance first.
            for instance in (0..<spec.instances).reversed() {
                for _ in 0..<spec.concurrencyPerInstance { freeInstanceSlots.append(Int32(instance)) }
            }
        }
    }

    private mutating func addInstanceState() {
        instanceQueues.append(SlotQueue())
        freeSlotsOn.append(0)
        queuedOn.append(0)
    }

    /// Instances the autoscaler owns (starting and ready).
    public var currentInstances: Int { fleet.current }
    public var readyInstances: Int { fleet.ready }
    public var startingInstances: Int { fleet.starting }
    public var drainingInstances: Int { fleet.draining }
    /// Requests in flight on `instance` (counted when instances are tracked).
    public func inFlight(on instance: Int32) -> Int { Int(fleet.inFlight[Int(instance)]) }
    /// Requests waiting in `instance`'s own queue.
    public func queued(on instance: Int32) -> Int { perInstanceQueues ? Int(queuedOn[Int(instance)]) : 0 }

    // MARK: Requests

    /// A request arrives (`request` is its slot, `generation` the slot's generation): the balancer gives it a
    /// slot, or it queues, or it is refused when the queue it would join is at its limit.
    @inline(__always)
    public mutating func admit(_ request: Int32, generation: UInt32) -> Admission {
        if !perInstanceQueues {
            if let instance = freeInstanceSlots.popLast() {
                occupy(instance)
                return .serve(instance: instance)
            }
            return enqueue(request, generation: generation, on: -1)
        }
        guard !endpoints.isEmpty else { return enqueue(request, generation: generation, on: -1) }
        let instance = chooseEndpoint()
        if freeSlotsOn[Int(instance)] > 0 {
            freeSlotsOn[Int(instance)] -= 1
            occupy(instance)
            return .serve(instance: instance)
        }
        return enqueue(request, generation: generation, on: instance)
    }

    /// The balancer's pick among the ready instances.
    mutating func chooseEndpoint() -> Int32 {
        switch loadBalancing {
        case .globalQueue, .random:
            // kube-proxy (iptables `statistic --mode random`, nftables `numgen random`): uniform, blind to load.
            return endpoints[balancerStream!.index(below: endpoints.count)]
        case .roundRobin:
            let i = nextInTurn % endpoints.count
            nextInTurn = i + 1
            return endpoints[i]
        case .leastConnections:
            // Fewest requests in flight or queued; ties go to the next in turn (NGINX `least_conn`).
            let n = endpoints.count
            var best = -1, bestLoad = Int32.max
            for k in 0..<n {
                let i = (nextInTurn + k) % n
                let id = Int(endpoints[i])
                let load = fleet.inFlight[id] + queuedOn[id]
                if load < bestLoad { best = i; bestLoad = load }
            }
            nextInTurn = best + 1
            return endpoints[best]
        }
    }

    private mutating func enqueue(_ request: Int32, generation: UInt32, on instance: Int32) -> Admission {
        let depth = instance >= 0 ? Int(queuedOn[Int(instance)]) : queueDepthShared
        if let limit = spec.queueLimit, depth >= limit { return .refused }
        if instance >= 0 {
            instanceQueues[Int(instance)].append(slot: request, generation: generation)
            queuedOn[Int(instance)] += 1
        } else {
            queue.append(slot: request, generation: generation)
        }
        let i = Int(request)
        if queuedGeneration.count <= i {
            let grow = i + 1 - queuedGeneration.count
            queuedGeneration += Array(repeating: 0, count: grow)
            queuedInstance += Array(repeating: -1, count: grow)
        }
        queuedGeneration[i] = UInt64(generation) + 1
        queuedInstance[i] = instance
        queueDepth += 1
        return .queued(timeout: spec.queueTimeoutNanos)
    }

    /// Requests waiting in the shared queue (all of them under `global_queue`).
    var queueDepthShared: Int {
        perInstanceQueues ? queueDepth - queuedOn.reduce(0) { $0 + Int($1) } : queueDepth
    }

    /// A queued request's queue timer fired. Returns whether it was still waiting (it has now left its queue
    /// and fails with `queue_timeout`); `false` for a request served meanwhile.
    public mutating func queueTimerFired(_ request: Int32, generation: UInt32) -> Bool {
        guard isQueued(request, generation: generation) else { return false }
        leaveQueue(request)
        return true
    }

    /// Whether the request waits in `instance`'s own queue.
    public func isQueued(_ request: Int32, generation: UInt32, on instance: Int32) -> Bool {
        isQueued(request, generation: generation) && queuedInstance[Int(request)] == instance
    }

    /// Takes a waiting request out of its queue (its entry is skipped when it reaches the front).
    public mutating func leaveQueue(_ request: Int32) {
        let i = Int(request)
        queuedGeneration[i] = 0
        if queuedInstance[i] >= 0 { queuedOn[Int(queuedInstance[i])] -= 1 }
        queueDepth -= 1
    }

    @inline(__always)
    func isQueued(_ request: Int32, generation: UInt32) -> Bool {
        Int(request) < queuedGeneration.count && queuedGeneration[Int(request)] == UInt64(generation) + 1
    }

    /// A slot on `instance` is taken.
    @inline(__always)
    mutating func occupy(_ instance: Int32) {
        if tracksInstances { fleet.inFlight[Int(instance)] += 1 }
    }

    /// The request now holding a slot on `instance` starts its work there (it was not answered from the
    /// response cache): its CPU time is charged.
    @inline(__always)
    public mutating func startWork(on instance: Int32) {
        guard tracksInstances, spec.cpuPerRequestNanos > 0 else { return }
        fleet.cpuNanos[Int(instance)] += spec.cpuPerRequestNanos
        fleet.cpuNanosTotal += spec.cpuPerRequestNanos
    }

    /// A request holding a slot on `instance` has ended: the slot goes to the oldest request waiting for it, back
    /// to the free slots, or — on an instance that is leaving and has nothing left to do — away with it.
    @inline(__always)
    public mutating func releaseSlot(on instance: Int32, now: Nanoseconds) -> SlotHandOff {
        if tracksInstances {
            fleet.inFlight[Int(instance)] -= 1
            if fleet.state[Int(instance)] != .ready {
                // Draining: it takes nothing new, but serves the requests already queued on it.
                if perInstanceQueues, let next = popLive(on: instance) {
                    queuedOn[Int(instance)] -= 1
                    occupy(instance)
                    return .serve(request: next, instance: instance)
                }
                if fleet.inFlight[Int(instance)] == 0 && fleet.state[Int(instance)] == .draining {
                    fleet.advance(to: now)
                    fleet.retire(instance)
                }
                return .idle
            }
        }
        return offerSlot(on: instance)
    }

    /// A slot on ready `instance` is free: its oldest queued request takes it (its own queue first, then the
    /// shared one), or it stays free.
    @inline(__always)
    public mutating func offerSlot(on instance: Int32) -> SlotHandOff {
        if perInstanceQueues {
            if let next = popLive(on: instance) {
                queuedOn[Int(instance)] -= 1
                occupy(instance)
                return .serve(request: next, instance: instance)
            }
            if let next = popLiveShared() {
                occupy(instance)
                return .serve(request: next, instance: instance)
            }
            freeSlotsOn[Int(instance)] += 1
            return .idle
        }
        if let next = popLiveShared() {
            occupy(instance)
            return .serve(request: next, instance: instance)
        }
        freeInstanceSlots.append(instance)
        return .idle
    }

    /// The oldest live entry of the shared queue (stale ones, left by a timeout, are dropped), now out of it.
    @inline(__always)
    private mutating func popLiveShared() -> Int32? {
        while let entry = queue.popFirst() {
            if take(entry) { return entry.slot }
        }
        return nil
    }

    /// The oldest live entry of `instance`'s own queue, now out of it.
    @inline(__always)
    private mutating func popLive(on instance: Int32) -> Int32? {
        while let entry = instanceQueues[Int(instance)].popFirst() {
            if take(entry) { return entry.slot }
        }
        return nil
    }

    /// Whether a popped entry is a request still waiting (then it no longer is); `false` for a stale one.
    @inline(__always)
    private mutating func take(_ entry: (slot: Int32, generation: UInt32)) -> Bool {
        guard isQueued(entry.slot, generation: entry.generation) else { return false }
        queuedGeneration[Int(entry.slot)] = 0
        queueDepth -= 1
        return true
    }

    /// Records the response time (arrival to first byte) of a request answered, for the autoscaler.
    @inline(__always)
    public mutating func recordResponseTime(nanos: Nanoseconds) {
        if isAutoscaled { intervalLatency.record(nanos: nanos) }
    }
}
