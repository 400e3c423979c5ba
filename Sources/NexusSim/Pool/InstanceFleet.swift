import Foundation
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
    /// CPU time charged to each instance since it was launched (a cumulative counter, as the kubelet's).
    var cpuNanos: [Int64] = []
    /// Each instance's `cpuNanos` when the current autoscaler interval began.
    var cpuNanosAtIntervalStart: [Int64] = []
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
        // The instances a run starts with are ready at time 0: their CPU samples count from the first interval.
        for _ in 0..<readyInstances {
            let id = launch(at: 0)
            markReady(id, at: 0)
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
        cpuNanosAtIntervalStart.append(0)
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

    /// Which instances to remove for a scale-in of `count`, in the order a ReplicaSet deletes pods
    /// (k8s.io/kubernetes pkg/controller/replicaset/replica_set.go `getPodsToDelete`, which sorts by
    /// pkg/controller/controller_utils.go `ActivePodsWithRanks.Less`, with `LogarithmicScaleDown` on as by default):
    ///
    /// 1. pending (starting) before running; 2. not ready before ready (the same here);
    /// 3. both ready: the more recently ready first, compared by `logarithmicRankDiff` — ⌊log₂(ns since ready)⌋,
    ///    so pods ready within the same power-of-two age are equal and the tie goes to the UID;
    /// 4. otherwise by creation time the same way, newer first.
    ///
    /// Nodes (`Rank`: pods doubled up on a node), deletion cost and restart counts do not exist here. Upstream
    /// breaks the remaining ties by the random pod UID; the simulator uses the instance id, newer first, so that
    /// runs stay reproducible.
    func victims(_ count: Int, now: Nanoseconds) -> [Int32] {
        let candidates = live.filter { state[Int($0)] == .starting || state[Int($0)] == .ready }
        func rank(_ t: Nanoseconds) -> Int64 {
            let d = now - t
            return d > 0 ? Int64(log2(Double(d))) : -1
        }
        let ordered = candidates.sorted { a, b in
            let i = Int(a), j = Int(b)
            let readyA = state[i] == .ready, readyB = state[j] == .ready
            if readyA != readyB { return !readyA }
            if readyA && readyAt[i] != readyAt[j] {
                let diff = rank(readyAt[i]) - rank(readyAt[j])
                return diff != 0 ? diff < 0 : a > b
            }
            if launchedAt[i] != launchedAt[j] {
                let diff = rank(launchedAt[i]) - rank(launchedAt[j])
                return diff != 0 ? diff < 0 : a > b
            }
            return a > b
        }
        return Array(ordered.prefix(count))
    }

    /// Requests in flight on ready instances.
    var inFlightOnReady: Int {
        live.reduce(0) { $0 + (state[Int($1)] == .ready ? Int(inFlight[Int($1)]) : 0) }
    }
}
