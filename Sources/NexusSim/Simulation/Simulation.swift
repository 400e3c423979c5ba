import NexusGateway
import NexusScenario

/// One replication of a scenario: the discrete-event run loop and the state it drives.
///
/// The loop pops events in `(time, sequence)` order and switches on their kind. The gateway's real
/// ``Router`` is called with the current time and returns decisions (dispatch, retry after a backoff,
/// fail) that the loop turns into scheduled events. A struct with mutating methods, so the hot loop
/// needs no dynamic exclusivity checks.
public struct Simulation {
    let plan: SimulationPlan
    let settings: SimulationSettings
    let gatewaySpec: GatewaySpec
    var summary: RunSummary
    var router: Router
    /// The budget guard, when the scenario has a budget; and the tier its `downgrade` action routes to.
    var budget: BudgetGuard?
    /// The response cache, when the scenario has one.
    var cache: ResponseCache?
    /// Each provider's prompt-prefix cache (nil for providers without one), and the prefix blocks of the
    /// requests in flight, by request slot (only traces with block ids have them).
    var prefixCaches: [PromptPrefixCache?]
    var prefixBlocks: [[Int64]?] = []
    let downgradeTier: Int32?

    // Randomness: one stream per source, seeded from the run seed and the stream's name.
    let routingStream: RandomStream
    let latencyStreams: [RandomStream]
    let errorStreams: [RandomStream]

    // Engine state.
    var events = EventQueue()
    var requests = Slab(empty: RequestRecord())
    var attempts = Slab(empty: AttemptRecord())
    var now: Nanoseconds = 0
    var started = false
    /// Where requests come from, and the arrival scheduled next (one at a time).
    let traffic: TrafficSource
    var pendingArrival = Arrival()
    let arrivalsEndAt: Nanoseconds
    let runEndsAt: Nanoseconds

    // Gateway state: a stack of free (instance, slot) capacity, the FIFO queue and its live depth.
    var freeInstanceSlots: [Int32] = []
    var gatewayQueue = SlotQueue()
    var queueDepth = 0
    /// Instances, their lifecycle and per-instance load (see ``InstanceFleet``).
    var fleet: InstanceFleet
    /// Whether requests are charged to their instance (autoscaling, CPU or memory per request); when not,
    /// the hot path skips the per-instance bookkeeping and runs exactly as a fixed gateway.
    let tracksInstances: Bool
    var autoscaler: AutoscalingPolicy?
    /// Whether the gateway autoscales; a plain flag so the per-request path never copies the policy.
    let isAutoscaled: Bool
    let cpuPerRequestNanos: Int64
    // The autoscaler interval being measured: when it started, the integrals then, and its answered requests.
    var intervalStartedAt: Nanoseconds = 0
    var intervalStartReadyNanos: Double = 0
    var intervalStartCPUNanos: Int64 = 0
    var intervalLatency = LatencyHistogram(significantDigits: .two)
    // The series window being filled: the integrals at its start.
    var windowStartReadyNanos: Double = 0
    var windowStartCPUNanos: Int64 = 0

    // Provider state.
    var providerLimits: [RateLimiter]
    var modelLimits: [RateLimiter]
    let outages: [OutageSchedule]

    // Time-series state for the window being filled.
    var windowEndsAt: Nanoseconds
    var window = WindowCounters(providers: 0)

    /// Prepares replication `replication` of `plan`, with its run seed derived from `baseSeed`.
    public init(plan: SimulationPlan, baseSeed: UInt64, replication: Int = 0) {
        let seed = SeedDerivation.replicationSeed(baseSeed: baseSeed, index: replication)
        self.plan = plan
        settings = plan.scenario.simulation
        gatewaySpec = plan.scenario.gateway
        router = plan.router
        budget = plan.scenario.budget.map { BudgetGuard(policy: $0.policy) }
        cache = plan.scenario.cache.map { ResponseCache(policy: $0.policy) }
        prefixCaches = plan.scenario.providers.map { p in p.promptCache.map { PromptPrefixCache(blockTokens: $0.blockTokens, ttlNanos: $0.ttlNanos) } }
        downgradeTier = plan.scenario.budget.flatMap { $0.policy.action == .downgrade ? $0.downgradeTier : nil }.flatMap { name in
            plan.scenario.tiers.firstIndex { $0.name == name }.map(Int32.init)
        }
        summary = RunSummary(scenarioName: plan.scenario.name, seed: seed, replication: replication,
                             seriesWindowNanos: settings.seriesWindowNanos)
        summary.costByTier = Array(repeating: .zero, count: plan.scenario.tiers.count)
        summary.byModel = plan.endpoints.map { ModelStats(name: $0.name, provider: plan.providers[$0.provider].name) }
        summary.series.providers = plan.providers.map(\.name)
        routingStream = RandomStream(runSeed: seed, name: "router")
        latencyStreams = plan.endpoints.map { RandomStream(runSeed: seed, name: "provider.\($0.name).latency") }
        errorStreams = plan.endpoints.map { RandomStream(runSeed: seed, name: "provider.\($0.name).errors") }
        arrivalsEndAt = settings.durationNanos
        // A trace that cannot be read is reported before any run (``SimulationPlan/trace``); were one run
        // anyway, it would get the scenario's synthetic arrivals.
        traffic = TrafficSource(plan: plan, baseSeed: baseSeed, replication: replication)
        summary.traffic.users = TrafficStats.UserCosts(population: plan.scenario.traffic.users?.count ?? 0)
        runEndsAt = settings.durationNanos + settings.drainNanos
        fleet = InstanceFleet(readyInstances: gatewaySpec.instances, billingFrom: settings.warmupNanos)
        autoscaler = gatewaySpec.autoscaling?.policy
        isAutoscaled = gatewaySpec.autoscaling != nil
        cpuPerRequestNanos = gatewaySpec.cpuPerRequestNanos
        tracksInstances = gatewaySpec.autoscaling != nil || gatewaySpec.cpuPerRequestNanos > 0 || gatewaySpec.memoryPerRequestMiB > 0
        windowEndsAt = settings.seriesWindowNanos
        window = WindowCounters(providers: plan.providers.count)
        providerLimits = plan.providers.map { RateLimiter($0.limits) }
        modelLimits = plan.endpoints.map { RateLimiter($0.limits) }
        var schedules: [OutageSchedule] = []
        for provider in plan.providers {
            let stream = RandomStream(runSeed: seed, name: "provider.\(provider.name).outages")
            schedules.append(OutageSchedule(provider: provider.spec, runEnd: settings.durationNanos + settings.drainNanos, stream: stream))
        }
        outages = schedules
        // Slots are handed out instance by instance, lowest instance first.
        for instance in (0..<gatewaySpec.instances).reversed() {
            for _ in 0..<gatewaySpec.concurrencyPerInstance { freeInstanceSlots.append(Int32(instance)) }
        }
        summary.minInstances = fleet.current
        summary.maxInstances = fleet.current
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
            if let spec = gatewaySpec.autoscaling { events.schedule(.autoscale, at: spec.intervalNanos) }
        }
        let limit = min(time, runEndsAt)
        while let next = events.nextTime, next <= limit {
            let event = events.popFirst()!
            now = event.time
            if now >= windowEndsAt { closeWindows(through: now) }
            summary.eventsProcessed += 1
            switch event.kind {
            case .arrival: arrive()
            case .attemptFinished: attemptFinished(event.slot, generation: event.generation)
            case .queueTimeout: queueTimedOut(slot: event.slot, generation: event.generation)
            case .retryDue: retryDue(event.slot, generation: event.generation)
            case .hedgeDue: hedgeDue(event.slot, generation: event.generation)
            case .cacheAnswer: cacheAnswered(event.slot, generation: event.generation)
            case .autoscale: autoscale()
            case .instanceReady: instanceReady(event.slot)
            }
        }
    }

    /// Simulated time of the last event processed.
    public var currentTime: Nanoseconds { now }

    /// Whether nothing is left to simulate (no pending events, or the run's end has passed).
    public var isFinished: Bool { started && (events.nextTime.map { $0 > runEndsAt } ?? true) }

    /// Closes the last time-series window and returns the measurements.
    public consuming func finish() -> RunSummary {
        closeWindows(through: now, includingCurrent: true)
        fleet.advance(to: now)
        summary.instanceHours = fleet.billedInstanceNanos / 3.6e12
        summary.infrastructureCost = USD(summary.instanceHours * gatewaySpec.instancePricePerHour.dollars)
        summary.unfinished = requests.live.filter(\.counted).count
        summary.peakRequestsInFlight = requests.capacity
        summary.endedAtNanos = now
        if let cache { summary.cacheByClass = cache.stats }
        if let budget {
            summary.budgetAlerts = budget.alerts
            summary.budgetExhaustedAt = budget.firstExhaustion?.at
            summary.budgetExhaustedWindow = budget.firstExhaustion?.window
            summary.budgetExhaustedAtByWindow = budget.firstExhaustionByWindow
            summary.overspend = budget.overspend
            summary.usersAtCap = budget.usersAtCap.count
            summary.dailySpend = budget.dailySpend.keys.sorted().map { DailySpend(day: $0, spend: budget.dailySpend[$0]!) }
        }
        summary.traffic.skippedRows = traffic.skippedRows
        summary.traffic.users.population = max(summary.traffic.users.population, traffic.userCount)
        let windows = summary.series.windowCount
        summary.series.providerOutage = outages.map { $0.coverage(windows: windows, width: settings.seriesWindowNanos) }
        return summary
    }

    // MARK: Arrivals

    /// Asks the traffic source for the next arrival and schedules it. `time` is the current time (arrivals come
    /// in time order, so the next is never earlier).
    mutating func scheduleNextArrival(after time: Nanoseconds) {
        guard let next = traffic.next(), next.time < arrivalsEndAt else { return }
        pendingArrival = next
        events.schedule(.arrival, at: max(next.time, time))
    }

    mutating func arrive() {
        summary.requestsSimulated += 1
        window.arrivals += 1
        let a = pendingArrival
        summary.traffic.inputTokens += Int(a.inputTokens)
        summary.traffic.outputTokens += Int(a.outputTokens)
        let slot = requests.allocate()
        requests[slot].arrivalAt = now
        requests[slot].classIndex = a.classIndex
        requests[slot].tier = Int32(plan.classes[Int(a.classIndex)].tier)
        requests[slot].inputTokens = a.inputTokens
        requests[slot].outputTokens = a.outputTokens
        requests[slot].maxOutputTokens = a.maxOutputTokens
        requests[slot].user = a.user
        requests[slot].conversation = a.conversation
        requests[slot].turn = a.turn
        requests[slot].lastTurn = a.lastTurn
        requests[slot].promptID = a.promptID
        if let blocks = a.prefixBlocks {
            if prefixBlocks.count <= Int(slot) { prefixBlocks += Array(repeating: nil, count: Int(slot) + 1 - prefixBlocks.count) }
            prefixBlocks[Int(slot)] = blocks
        }
        requests[slot].counted = now >= settings.warmupNanos
        scheduleNextArrival(after: now)
        admit(slot)
    }

    /// A counted request ended: its cost goes to its user, and a last turn finishes a conversation.
    mutating func countTraffic(_ record: RequestRecord) {
        if record.lastTurn { summary.traffic.conversations += 1 }
        if record.user >= 0 { summary.traffic.users.add(record.cost.dollars, user: Int(record.user)) }
    }

    @inline(__always) func tokenCount(_ x: Double) -> Int { x <= 0 ? 0 : Int(min(x.rounded(), 1e9)) }
}
