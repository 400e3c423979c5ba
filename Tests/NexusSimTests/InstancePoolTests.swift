import NexusGateway
import NexusScenario
import NexusSim
import Testing

/// The instance pool as a state machine: each test states the exact actions it returns for a sequence of events,
/// without running a simulation.
@Suite struct InstancePoolTests {
    static func gateway(_ yaml: String) throws -> GatewaySpec {
        try ScenarioLoader.parse(text: """
            name: pool-test
            simulation: {duration: 1m}
            gateway: {\(yaml)}
            providers:
              - name: a
                classifications: [public]
                models: [{name: m, price: {input_per_mtok: $1, output_per_mtok: $1}, ttft: 1s}]
            tiers: [{name: t, models: [a/m]}]
            traffic:
              arrivals: {process: poisson, rate: 1/s}
              classes: [{name: c, share: 100%, tier: t, input_tokens: 1, output_tokens: 1}]
            """).gateway
    }

    static let second: Nanoseconds = 1_000_000_000

    /// `global_queue`: slots go lowest instance first; a full gateway queues FIFO; a released slot serves the oldest
    /// waiting request; the queue limit refuses.
    @Test func globalQueueHandsOutSlotsAndServesFIFO() throws {
        var pool = InstancePool(spec: try Self.gateway("instances: 2, concurrency: 1, queue_limit: 2, queue_timeout: 5s"), billingFrom: 0, runSeed: 1)
        #expect(pool.admit(0, generation: 1) == .serve(instance: 0))
        #expect(pool.admit(1, generation: 1) == .serve(instance: 1))
        #expect(pool.admit(2, generation: 1) == .queued(timeout: 5 * Self.second))
        #expect(pool.admit(3, generation: 1) == .queued(timeout: 5 * Self.second))
        #expect(pool.admit(4, generation: 1) == .refused)
        #expect(pool.queueDepth == 2)
        #expect(pool.releaseSlot(on: 1, now: Self.second) == .serve(request: 2, instance: 1))
        // Request 3 times out: its timer reports it; a second report (stale) does not.
        let first = pool.queueTimerFired(3, generation: 1), second = pool.queueTimerFired(3, generation: 1)
        #expect(first && !second)
        #expect(pool.queueDepth == 0)
        // Its entry is skipped: the freed slot becomes free.
        #expect(pool.releaseSlot(on: 0, now: 2 * Self.second) == .idle)
        #expect(pool.admit(5, generation: 3) == .serve(instance: 0))
    }

    /// `round_robin`: instances in turn, whatever their load; a busy one queues its own requests and never hands
    /// them to an idle neighbour.
    @Test func roundRobinQueuesPerInstance() throws {
        var pool = InstancePool(spec: try Self.gateway("instances: 3, concurrency: 1, load_balancing: round_robin"), billingFrom: 0, runSeed: 1)
        #expect(pool.admit(0, generation: 1) == .serve(instance: 0))
        #expect(pool.admit(1, generation: 1) == .serve(instance: 1))
        #expect(pool.admit(2, generation: 1) == .serve(instance: 2))
        #expect(pool.admit(3, generation: 1) == .queued(timeout: nil))   // instance 0's queue
        #expect(pool.queued(on: 0) == 1 && pool.queued(on: 1) == 0)
        // Instance 1 frees first: its own queue is empty, so its slot stays free — request 3 waits for instance 0.
        #expect(pool.releaseSlot(on: 1, now: Self.second) == .idle)
        #expect(pool.releaseSlot(on: 0, now: Self.second) == .serve(request: 3, instance: 0))
        #expect(pool.admit(4, generation: 1) == .serve(instance: 1))
    }

    /// `least_connections`: the instance with the fewest in flight plus queued; ties in turn.
    @Test func leastConnectionsPicksTheLeastLoaded() throws {
        var pool = InstancePool(spec: try Self.gateway("instances: 3, concurrency: 2, load_balancing: least_connections"), billingFrom: 0, runSeed: 1)
        #expect(pool.admit(0, generation: 1) == .serve(instance: 0))
        #expect(pool.admit(1, generation: 1) == .serve(instance: 1))
        #expect(pool.admit(2, generation: 1) == .serve(instance: 2))
        #expect(pool.releaseSlot(on: 1, now: Self.second) == .idle)   // loads: 1, 0, 1
        #expect(pool.admit(3, generation: 1) == .serve(instance: 1))  // loads: 1, 1, 1
        #expect(pool.admit(4, generation: 1) == .serve(instance: 2))  // the tie goes on in turn after 1
        #expect(pool.inFlight(on: 2) == 2)
    }

    /// `random`: every ready instance is chosen, about equally often (a multinomial check at 5 sd), and the
    /// draws are the same for the same seed.
    @Test func randomSpreadsUniformly() throws {
        let spec = try Self.gateway("instances: 4, concurrency: 100000, load_balancing: random")
        func counts(seed: UInt64) -> [Int] {
            var pool = InstancePool(spec: spec, billingFrom: 0, runSeed: seed)
            var c = [0, 0, 0, 0]
            for r in 0..<40_000 {
                guard case .serve(let i) = pool.admit(Int32(r), generation: 1) else { return [] }
                c[Int(i)] += 1
            }
            return c
        }
        let c = counts(seed: 11)
        #expect(c == counts(seed: 11))
        #expect(c != counts(seed: 12))
        // Binomial(40 000, 1/4): sd ≈ 86.6.
        for n in c { #expect(abs(n - 10_000) < 433, "\(c)") }
    }

    /// Scale-in order, as a ReplicaSet deletes pods: starting before ready; among ready, the more recently ready
    /// first by power-of-two age (`logarithmicRankDiff`), then the newer id.
    @Test func removalOrderFollowsTheReplicaSet() throws {
        var pool = InstancePool(spec: try Self.gateway("""
            instances: 2, concurrency: 1, startup_time: 10s,
            autoscaling: {policy: step, min_instances: 1, max_instances: 10}
            """), billingFrom: 0, runSeed: 1)
        // Launch three at 100 s; instance 3 becomes ready at 110 s, instance 2 at 150 s; 4 is still starting.
        let scalingAction = pool.scale(to: 5, now: 100 * Self.second)
        let scaling = try #require(scalingAction)
        #expect(scaling.launched == [2, 3, 4])
        let started3 = pool.instanceStarted(3, now: 110 * Self.second), started2 = pool.instanceStarted(2, now: 150 * Self.second)
        #expect(started3 && started2)
        // At 200 s: 2 has been ready 50 s (⌊log₂ 5e10 ns⌋ = 35), 3 for 90 s (36), 0 and 1 for 200 s (37): the more
        // recently ready go first even against id order; 0 and 1 tie on every key, the newer id first.
        #expect(pool.removalOrder(now: 200 * Self.second) == [4, 2, 3, 1, 0])
        // At 1000 s every ready one is in rank 39 (850 s to 1000 s): the ranks tie, the newer id goes first.
        #expect(pool.removalOrder(now: 1000 * Self.second) == [4, 3, 2, 1, 0])
        // Removing two takes the starting one and the most recently ready.
        let downAction = pool.scale(to: 3, now: 200 * Self.second)
        let down = try #require(downAction)
        #expect(down.from == 5 && down.to == 3 && down.draining.isEmpty)   // 2 had nothing in flight: gone at once
        #expect(pool.currentInstances == 3 && pool.startingInstances == 0 && pool.drainingInstances == 0)
    }

    /// A draining instance takes nothing new; with per-instance queues it still serves what it had queued, and is
    /// gone once empty.
    @Test func drainingServesItsOwnQueueThenLeaves() throws {
        var pool = InstancePool(spec: try Self.gateway("""
            instances: 2, concurrency: 1, load_balancing: round_robin,
            autoscaling: {policy: step, min_instances: 1, max_instances: 2}
            """), billingFrom: 0, runSeed: 1)
        #expect(pool.admit(0, generation: 1) == .serve(instance: 0))
        #expect(pool.admit(1, generation: 1) == .serve(instance: 1))
        #expect(pool.admit(2, generation: 1) == .queued(timeout: nil))  // on instance 0
        #expect(pool.admit(3, generation: 1) == .queued(timeout: nil))  // on instance 1
        // Scale to 1 at 10 s: both ready since 0 with the same rank — the newer id, 1, is removed.
        let scalingAction = pool.scale(to: 1, now: 10 * Self.second)
        let scaling = try #require(scalingAction)
        #expect(scaling.draining == [1] && scaling.terminationGraceNanos == 30 * Self.second)
        #expect(pool.drainingInstances == 1 && pool.readyInstances == 1)
        // New arrivals all go to instance 0.
        #expect(pool.admit(4, generation: 1) == .queued(timeout: nil))
        #expect(pool.queued(on: 0) == 2 && pool.queued(on: 1) == 1)
        #expect(pool.releaseSlot(on: 1, now: 11 * Self.second) == .serve(request: 3, instance: 1))
        #expect(pool.terminationDue(1))
        #expect(pool.releaseSlot(on: 1, now: 12 * Self.second) == .idle)
        #expect(pool.drainingInstances == 0 && !pool.terminationDue(1))
    }
}
