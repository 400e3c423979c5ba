import NexusGateway
import NexusScenario

/// One replication of a scenario: the discrete-event run loop and the state it drives.
///
/// The loop pops events in `(time, sequence)` order and switches on their kind. The gateway's real
/// ``Gateway`` (router, cache, budget) runs each request's ``RequestLifecycle``: it is called with the
/// current time and returns actions (send an attempt with a timeout, start a retry or hedge timer, cancel
/// the losing hedge, answer from the cache, refuse, finish) that the loop turns into scheduled events and
/// measurements. A struct with mutating methods, so the hot loop needs no dynamic exclusivity checks.
public struct Simulation: ~Copyable {
    let plan: SimulationPlan
    let settings: SimulationSettings
    let gatewaySpec: GatewaySpec
    /// What the run measures (summary, series window, budget log).
    var metrics: MetricsRecorder
    /// The gateway's real components and rules (router, response cache, budget guard), driven per request
    /// through its ``RequestLifecycle``.
    var gateway: Gateway
    /// The prefix blocks of the requests in flight, by request slot (only traces with block ids have them),
    /// for the providers' prompt-prefix caches.
    var prefixBlocks: [[Int64]?] = []

    // Randomness: one stream per source, seeded from the run seed and the stream's name. The streams own
    // the generators; the loop draws through their plain handles (no reference counting per draw).
    let ownedStreams: [RandomStream]
    let routingStream: RandomSource

    // Engine state.
    var events = EventQueue()
    /// Requests and attempts in flight. Reference types (see ``Slab``): a copy of a simulation would share
    /// them, which is why a simulation cannot be copied (`~Copyable`): one owner runs it.
    let requests: Slab<RequestRecord>
    let attempts: Slab<AttemptRecord>
    var now: Nanoseconds = 0
    var started = false
    /// Where requests come from, and the arrival scheduled next (one at a time). The next arrival stays
    /// out of the heap — one push and pop fewer per request — but keeps an event's `(time, sequence)`
    /// order: `pendingArrivalAt` is `.max` when no arrival is pending.
    let traffic: TrafficSource
    var pendingArrival = Arrival()
    var pendingArrivalAt: Nanoseconds = .max
    var pendingArrivalSequence: UInt64 = 0
    let arrivalsEndAt: Nanoseconds
    let runEndsAt: Nanoseconds

    /// The gateway's instances, their slots, queue and autoscaler (see ``InstancePool``).
    var pool: InstancePool
    /// Whether the gateway autoscales (the autoscaler event is scheduled).
    let autoscalingIntervalNanos: Nanoseconds?

    /// The simulated providers: outages, limits, latency, errors and prompt caches.
    var providers: SimulatedProviders

    /// Prepares replication `replication` of `plan`, with its run seed derived from `baseSeed`.
    public init(plan: SimulationPlan, baseSeed: UInt64, replication: Int = 0) {
        let seed = SeedDerivation.replicationSeed(baseSeed: baseSeed, index: replication)
        self.plan = plan
        requests = Slab(empty: RequestRecord())
        attempts = Slab(empty: AttemptRecord())
        settings = plan.scenario.simulation
        gatewaySpec = plan.scenario.gateway
        gateway = plan.gateway
        metrics = MetricsRecorder(plan: plan, seed: seed, replication: replication)
        let router = RandomStream(runSeed: seed, name: "router")
        ownedStreams = [router]
        routingStream = router.source
        arrivalsEndAt = settings.durationNanos
        // A trace that cannot be read is reported before any run (``SimulationPlan/trace``); were one run
        // anyway, it would get the scenario's synthetic arrivals.
        traffic = TrafficSource(plan: plan, baseSeed: baseSeed, replication: replication)
        runEndsAt = settings.durationNanos + settings.drainNanos
        pool = InstancePool(spec: gatewaySpec, billingFrom: settings.warmupNanos, runSeed: seed)
        autoscalingIntervalNanos = gatewaySpec.autoscaling?.intervalNanos
        providers = SimulatedProviders(plan: plan, runSeed: seed, runEnd: settings.durationNanos + settings.drainNanos)
        metrics.summary.minInstances = pool.currentInstances
        metrics.summary.maxInstances = pool.currentInstances
    }

    /// Runs to the end: arrivals over the scenario's duration, then in-flight requests drain
    /// for at most the drain period. Consumes the simulation and returns what it measured.
    public consuming func run() -> RunSummary {
        run(until: runEndsAt)
        return finish()
    }

    /// Processes every event due at or before `time` (capped at the end of the run), in
    /// `(time, sequence)` order. Can be called repeatedly with increasing times, e.g. to report progress;
    /// stepping gives exactly the same result as one call.
    public mutating func run(until time: Nanoseconds) {
        if !started {
            started = true
            scheduleNextArrival(after: 0)
            // Scrapes at whole multiples of the resolution from time 0 (so the first evaluation has a window),
            // evaluations at multiples of the interval.
            if pool.metricsScrapeIntervalNanos != nil { events.schedule(.metricsScrape, at: 0) }
            if let interval = autoscalingIntervalNanos { events.schedule(.autoscale, at: interval) }
        }
        let limit = min(time, runEndsAt)
        while true {
            if let first = events.first, first.time < pendingArrivalAt
                || (first.time == pendingArrivalAt && first.sequence < pendingArrivalSequence) {
                guard first.time <= limit else { break }
            } else {
                guard pendingArrivalAt <= limit else { break }
                now = pendingArrivalAt
                pendingArrivalAt = .max
                if now >= metrics.windowEndsAt { closeWindows(through: now) }
                metrics.summary.eventsProcessed += 1
                arrive()
                continue
            }
            let event = events.popFirst()!
            now = event.time
            if now >= metrics.windowEndsAt { closeWindows(through: now) }
            metrics.summary.eventsProcessed += 1
            switch event.kind {
            case .attemptFinished: attemptFinished(event.slot, generation: event.generation)
            case .queueTimeout: queueTimedOut(slot: event.slot, generation: event.generation)
            case .retryDue: retryDue(event.slot, generation: event.generation)
            case .hedgeDue: hedgeDue(event.slot, generation: event.generation)
            case .cacheAnswer: cacheAnswered(event.slot, generation: event.generation)
            case .autoscale: autoscale()
            case .instanceReady: instanceReady(event.slot)
            case .instanceTerminated: instanceTerminationDue(event.slot)
            case .metricsScrape: scrapeMetrics()
            }
        }
    }

    /// Simulated time of the last event processed.
    public var currentTime: Nanoseconds { now }

    /// Whether nothing is left to simulate (no pending events, or the run's end has passed).
    public var isFinished: Bool { started && min(events.nextTime ?? .max, pendingArrivalAt) > runEndsAt }

    /// Closes the last time-series window and returns the measurements.
    public consuming func finish() -> RunSummary {
        closeWindows(through: now, includingCurrent: true)
        var summary = metrics.finish(plan: plan, hasBudget: gateway.budget != nil)
        summary.instanceHours = pool.billedInstanceHours(now: now)
        summary.infrastructureCost = USD(summary.instanceHours * gatewaySpec.instancePricePerHour.dollars)
        summary.unfinished = requests.live.filter(\.counted).count
        summary.peakRequestsInFlight = requests.capacity
        summary.endedAtNanos = now
        if let cache = gateway.cache { summary.cacheByClass = cache.stats }
        summary.traffic.skippedRows = traffic.skippedRows
        summary.traffic.users.population = max(summary.traffic.users.population, traffic.userCount)
        summary.series.providerOutageIntervals = providers.outages.map(\.mergedIntervals)
        return summary
    }

    // MARK: Arrivals

    /// Asks the traffic source for the next arrival and schedules it. `time` is the current time (arrivals come
    /// in time order, so the next is never earlier).
    mutating func scheduleNextArrival(after time: Nanoseconds) {
        // The arrival is written in place; one past the end is left there unscheduled.
        guard traffic.next(into: &pendingArrival), pendingArrival.time < arrivalsEndAt else { return }
        pendingArrivalAt = max(pendingArrival.time, time)
        pendingArrivalSequence = events.takeSequence()
    }

    mutating func arrive() {
        // Fields are read in place: copying the arrival would reference-count its prefix blocks.
        metrics.arrived(inputTokens: pendingArrival.inputTokens, outputTokens: pendingArrival.outputTokens)
        // Written field by field into the slab (no copy-on-write there), not built and then copied in.
        let slot = requests.allocate { $0.prepareForNextRequest() }
        requests[slot].arrivalAt = now
        requests[slot].classIndex = pendingArrival.classIndex
        requests[slot].inputTokens = pendingArrival.inputTokens
        requests[slot].outputTokens = pendingArrival.outputTokens
        requests[slot].maxOutputTokens = pendingArrival.maxOutputTokens
        requests[slot].user = pendingArrival.user
        requests[slot].conversation = pendingArrival.conversation
        requests[slot].turn = pendingArrival.turn
        requests[slot].lastTurn = pendingArrival.lastTurn
        requests[slot].promptID = pendingArrival.promptID
        requests[slot].counted = now >= settings.warmupNanos
        if pendingArrival.prefixBlocks != nil {
            if prefixBlocks.count <= Int(slot) { prefixBlocks += Array(repeating: nil, count: Int(slot) + 1 - prefixBlocks.count) }
            prefixBlocks[Int(slot)] = pendingArrival.prefixBlocks
        }
        scheduleNextArrival(after: now)
        admit(slot)
    }

    @inline(__always) func tokenCount(_ x: Double) -> Int { x <= 0 ? 0 : Int(min(x.rounded(), 1e9)) }
}
