import NexusGateway

/// The gateway's instances: each one's lifecycle (starting → ready → draining → gone), requests in flight
/// and CPU time, plus the time integrals that CPU %, instance-hours and the series need.
///
/// Instance ids are never reused, so a stale reference (e.g. the ready event of an instance cancelled while
/// starting) is recognised by its state. Counts change only at scale events, so `advance(to:)` — which
/// integrates the counts over time — runs a few times per autoscaler interval, never per request.
struct InstanceFleet {
    enum State: UInt8 { case starting, ready, draining, gone }

    var state: [State] = []
    var inFlight: [Int32] = []
    /// CPU time charged to each instance since the last autoscaler evaluation.
    var cpuNanos: [Int64] = []
    var launchedAt: [Nanoseconds] = []
    var readyAt: [Nanoseconds] = []
    /// Ids of instances not yet gone, in launch order.
    var live: [Int32] = []

    var starting = 0, ready = 0, draining = 0
    /// What the autoscaler owns: starting and ready instances.
    var current: Int { starting + ready }

    // Time integrals.
    var lastAdvanceAt: Nanoseconds = 0
    /// ∫ ready instances dt over the whole run (denominator of CPU %).
    var readyInstanceNanos: Double = 0
    /// ∫ running instances (starting, ready, draining) dt from `billingFrom`: instance-time billed.
    var billedInstanceNanos: Double = 0
    let billingFrom: Nanoseconds
    /// CPU time charged over the whole run.
    var cpuNanosTotal: Int64 = 0

    init(readyInstances: Int, billingFrom: Nanoseconds) {
        self.billingFrom = billingFrom
        for _ in 0..<readyInstances {
            _ = launch(at: 0)
            state[state.count - 1] = .ready
            starting -= 1
            ready += 1
        }
    }

    /// Integrates the counts up to `now`; call before any count changes and before reading the integrals.
    mutating func advance(to now: Nanoseconds) {
        guard now > lastAdvanceAt else { return }
        readyInstanceNanos += Double(ready) * Double(now - lastAdvanceAt)
        let from = max(lastAdvanceAt, billingFrom)
        if now > from { billedInstanceNanos += Double(starting + ready + draining) * Double(now - from) }
        lastAdvanceAt = now
    }

    /// A new instance in state `starting`; returns its id.
    mutating func launch(at now: Nanoseconds) -> Int32 {
        let id = Int32(state.count)
        state.append(.starting)
        inFlight.append(0)
        cpuNanos.append(0)
        launchedAt.append(now)
        readyAt.append(.max)
        live.append(id)
        starting += 1
        return id
    }

    mutating func markReady(_ id: Int32, at now: Nanoseconds) {
        state[Int(id)] = .ready
        readyAt[Int(id)] = now
        starting -= 1
        ready += 1
    }

    /// Stops a ready instance taking requests; it is gone once its in-flight requests have finished.
    mutating func startDraining(_ id: Int32) {
        state[Int(id)] = .draining
        ready -= 1
        draining += 1
        if inFlight[Int(id)] == 0 { retire(id) }
    }

    /// Cancels a starting instance (it never served).
    mutating func cancel(_ id: Int32) {
        state[Int(id)] = .gone
        starting -= 1
        live.removeAll { $0 == id }
    }

    mutating func retire(_ id: Int32) {
        state[Int(id)] = .gone
        draining -= 1
        live.removeAll { $0 == id }
    }

    /// Which instances to remove for a scale-in of `count`: starting ones first (newest first), then the ready
    /// ones with the fewest requests in flight (newest first among equals) — what a ReplicaSet prefers too.
    func victims(_ count: Int) -> [Int32] {
        let startingIds = live.filter { state[Int($0)] == .starting }.reversed()
        let readyIds = live.filter { state[Int($0)] == .ready }
            .sorted { inFlight[Int($0)] != inFlight[Int($1)] ? inFlight[Int($0)] < inFlight[Int($1)] : $0 > $1 }
        return Array((Array(startingIds) + readyIds).prefix(count))
    }

    /// Requests in flight on ready instances.
    var inFlightOnReady: Int {
        live.reduce(0) { $0 + (state[Int($1)] == .ready ? Int(inFlight[Int($1)]) : 0) }
    }
}
