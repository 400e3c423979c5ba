import NexusGateway
import NexusScenario

/// One replication of a scenario: the discrete-event run loop and the state it drives.
///
/// The loop pops events in `(time, sequence)` order and switches on their kind; gateway components
/// (the ``Router``) are called with the current time and return decisions that the loop turns into
/// scheduled events. A struct with mutating methods, so the hot loop needs no dynamic exclusivity checks.
public struct Simulation {
    let plan: SimulationPlan
    let settings: SimulationSettings
    let gatewaySpec: GatewaySpec
    var summary: RunSummary

    // Randomness: one stream per source, seeded from the run seed and the stream's name.
    let arrivalStream: RandomStream
    let attributeStream: RandomStream
    let classChoice: WeightedChoice
    let latencyStreams: [RandomStream]
    let errorStreams: [RandomStream]

    // Engine state.
    var events = EventQueue()
    var requests = RequestSlab()
    var now: Nanoseconds = 0
    var started = false
    let meanInterarrivalSeconds: Double
    let arrivalsEndAt: Nanoseconds
    let runEndsAt: Nanoseconds

    // Gateway state: a stack of free (instance, slot) capacity, the FIFO queue and its live depth.
    var freeInstanceSlots: [Int32] = []
    var gatewayQueue = SlotQueue()
    var queueDepth = 0
    var instanceCount: Int

    // Time-series state for the window being filled.
    var windowEndsAt: Nanoseconds
    var windowLatency = LatencyHistogram(significantDigits: .two)
    var windowArrivals = 0, windowSucceeded = 0, windowFailed = 0, windowRejected = 0
    var windowMaxQueueDepth = 0
    var windowSpend = USD.zero

    /// Prepares replication `replication` of `plan`, with its run seed derived from `baseSeed`.
    public init(plan: SimulationPlan, baseSeed: UInt64, replication: Int = 0) {
        let seed = SeedDerivation.replicationSeed(baseSeed: baseSeed, index: replication)
        self.plan = plan
        settings = plan.scenario.simulation
        gatewaySpec = plan.scenario.gateway
        summary = RunSummary(scenarioName: plan.scenario.name, seed: seed, replication: replication,
                             seriesWindowNanos: settings.seriesWindowNanos)
        summary.byModel = plan.endpoints.map { ModelStats(name: $0.name, provider: $0.provider) }
        arrivalStream = RandomStream(runSeed: seed, name: "arrivals")
        attributeStream = RandomStream(runSeed: seed, name: "requests")
        classChoice = WeightedChoice(weights: plan.classShares)
        latencyStreams = plan.endpoints.map { RandomStream(runSeed: seed, name: "provider.\($0.name).latency") }
        errorStreams = plan.endpoints.map { RandomStream(runSeed: seed, name: "provider.\($0.name).errors") }
        meanInterarrivalSeconds = 1 / plan.arrivalRatePerSecond
        arrivalsEndAt = settings.durationNanos
        runEndsAt = settings.durationNanos + settings.drainNanos
        instanceCount = gatewaySpec.instances
        windowEndsAt = settings.seriesWindowNanos
        // Slots are handed out instance by instance, lowest instance first.
        for instance in (0..<gatewaySpec.instances).reversed() {
            for _ in 0..<gatewaySpec.concurrencyPerInstance { freeInstanceSlots.append(Int32(instance)) }
        }
        summary.minInstances = instanceCount
        summary.maxInstances = instanceCount
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
        }
        let limit = min(time, runEndsAt)
        while let next = events.nextTime, next <= limit {
            let event = events.popFirst()!
            now = event.time
            if now >= windowEndsAt { closeWindows(through: now) }
            summary.eventsProcessed += 1
            switch event.kind {
            case .arrival: arrive()
            case .attemptFinished: attemptFinished(slot: event.slot)
            case .queueTimeout: queueTimedOut(slot: event.slot, generation: event.generation)
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
        summary.unfinished = countUnfinished()
        summary.peakRequestsInFlight = requests.capacity
        summary.endedAtNanos = now
        return summary
    }

    // MARK: Arrivals

    mutating func scheduleNextArrival(after time: Nanoseconds) {
        let gap = Nanoseconds((arrivalStream.exponential(mean: meanInterarrivalSeconds) * 1e9).rounded())
        let at = time + gap
        if at < arrivalsEndAt { events.schedule(.arrival, at: at) }
    }

    mutating func arrive() {
        summary.requestsSimulated += 1
        windowArrivals += 1
        let classIndex = classChoice.choose(attributeStream)
        // Fields are read in place: copying a class out of the array would retain its name and samplers.
        let input = tokenCount(plan.classes[classIndex].inputTokens.sample(attributeStream))
        let maxOutput = plan.classes[classIndex].maxOutputTokens
        let output = min(tokenCount(plan.classes[classIndex].outputTokens.sample(attributeStream)), maxOutput)
        let slot = requests.allocate()
        requests[slot].arrivalAt = now
        requests[slot].firstTokenAt = -1
        requests[slot].cost = .zero
        requests[slot].classIndex = Int32(classIndex)
        requests[slot].inputTokens = Int32(input)
        requests[slot].outputTokens = Int32(output)
        requests[slot].maxOutputTokens = Int32(maxOutput)
        requests[slot].attempts = 0
        requests[slot].endpoint = -1
        requests[slot].counted = now >= settings.warmupNanos
        scheduleNextArrival(after: now)
        admit(slot)
    }

    @inline(__always) func tokenCount(_ x: Double) -> Int { x <= 0 ? 0 : Int(min(x.rounded(), 1e9)) }

    // MARK: Gateway

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
        let generation = requests[slot].generation
        gatewayQueue.append(slot: slot, generation: generation)
        queueDepth += 1
        if queueDepth > windowMaxQueueDepth { windowMaxQueueDepth = queueDepth }
        if let timeout = gatewaySpec.queueTimeoutNanos {
            events.schedule(.queueTimeout, at: now + timeout, slot: slot, generation: generation)
        }
    }

    mutating func queueTimedOut(slot: Int32, generation: UInt32) {
        guard requests[slot].generation == generation, requests[slot].phase == .queued else { return }
        queueDepth -= 1
        finish(slot, failure: .queueTimeout)
    }

    /// The instance routes the request and sends its first attempt.
    mutating func startService(_ slot: Int32, on instance: Int32) {
        requests[slot].phase = .inFlight
        requests[slot].instance = instance
        switch plan.router.route(routeRequest(slot), now: now) {
        case let .dispatch(endpoint, position):
            startAttempt(slot, endpoint: endpoint, position: position, at: now + gatewaySpec.overheadNanos)
        case .fail(let reason):
            finish(slot, failure: reason)
        }
    }

    func routeRequest(_ slot: Int32) -> RouteRequest {
        let r = requests[slot]
        let classIndex = Int(r.classIndex)
        return RouteRequest(tier: plan.classes[classIndex].tier, classification: plan.classes[classIndex].classification,
                            inputTokens: Int(r.inputTokens), maxOutputTokens: Int(r.maxOutputTokens))
    }

    // MARK: Providers

    /// Sends an attempt to `endpoint` at time `start`; its outcome is decided now and delivered by an
    /// `attemptFinished` event when the last token (or the error) arrives.
    mutating func startAttempt(_ slot: Int32, endpoint: EndpointID, position: Int, at start: Nanoseconds) {
        let counted = requests[slot].counted
        if counted {
            if requests[slot].endpoint != Int32(endpoint) { summary.byModel[endpoint].requests += 1 }
            summary.byModel[endpoint].attempts += 1
        }
        requests[slot].endpoint = Int32(endpoint)
        requests[slot].routePosition = Int32(position)
        requests[slot].attempts &+= 1
        requests[slot].attemptStartedAt = start
        let failsWithError = errorStreams[endpoint].bernoulli(plan.endpoints[endpoint].errorRate)
        let latency = latencyStreams[endpoint]
        let ttft = Nanoseconds((plan.endpoints[endpoint].timeToFirstToken.sample(latency) * 1e9).rounded())
        var finishAt = start + ttft
        if failsWithError {
            requests[slot].firstTokenAt = -1
        } else {
            requests[slot].firstTokenAt = start + ttft
            if requests[slot].outputTokens > 0, let speed = plan.endpoints[endpoint].tokensPerSecond?.sample(latency) {
                let tokensPerSecond = max(speed, 1e-3)
                finishAt += Nanoseconds((Double(requests[slot].outputTokens) / tokensPerSecond * 1e9).rounded())
            }
        }
        events.schedule(.attemptFinished, at: finishAt, slot: slot)
    }

    mutating func attemptFinished(slot: Int32) {
        let endpoint = Int(requests[slot].endpoint)
        let counted = requests[slot].counted
        guard requests[slot].firstTokenAt >= 0 else {
            // The attempt failed: ask the router where to go next.
            if counted { summary.byModel[endpoint].failures[0] += 1 }
            let decision = plan.router.fallback(for: routeRequest(slot), after: Int(requests[slot].routePosition), now: now)
            switch decision {
            case let .dispatch(next, position): startAttempt(slot, endpoint: next, position: position, at: now)
            case .fail(let reason): finish(slot, failure: reason)
            }
            return
        }
        let input = Int(requests[slot].inputTokens), output = Int(requests[slot].outputTokens)
        let cost = plan.endpoints[endpoint].price.cost(inputTokens: input, outputTokens: output)
        requests[slot].cost += cost
        if counted {
            summary.byModel[endpoint].successes += 1
            summary.byModel[endpoint].inputTokens += input
            summary.byModel[endpoint].outputTokens += output
            summary.byModel[endpoint].cost += cost
            summary.byModel[endpoint].latency.record(nanos: now - requests[slot].attemptStartedAt)
            // Compliance is checked here, independently of the router's filtering.
            let classification = plan.classes[Int(requests[slot].classIndex)].classification
            if !plan.endpoints[endpoint].allowedClassifications.contains(classification) { summary.complianceViolations += 1 }
        }
        finish(slot, failure: nil)
    }

    // MARK: Completion

    /// Ends a request (`failure == nil` means answered), records it, and frees its slots.
    mutating func finish(_ slot: Int32, failure: FailureReason?) {
        let record = requests[slot]
        if record.counted {
            summary.requests += 1
            if let failure {
                summary.outcomes[failure.index] += 1
                if failure.isRejection { summary.rejected += 1 } else { summary.failed += 1 }
            } else {
                summary.succeeded += 1
                let latency = now - record.arrivalAt
                summary.latency.record(nanos: latency)
                summary.ttft.record(nanos: record.firstTokenAt - record.arrivalAt)
            }
        }
        // The series cover every request, warm-up included.
        if let failure {
            if failure.isRejection { windowRejected += 1 } else { windowFailed += 1 }
        } else {
            windowSucceeded += 1
            windowLatency.record(nanos: now - record.arrivalAt)
        }
        windowSpend += record.cost
        if record.instance >= 0 { releaseInstanceSlot(record.instance) }
        requests.release(slot)
    }

    /// A slot on `instance` is free: the oldest live queued request takes it.
    mutating func releaseInstanceSlot(_ instance: Int32) {
        while let entry = gatewayQueue.popFirst() {
            guard requests[entry.slot].generation == entry.generation, requests[entry.slot].phase == .queued else {
                continue  // left the queue by timing out
            }
            queueDepth -= 1
            startService(entry.slot, on: instance)
            return
        }
        freeInstanceSlots.append(instance)
    }

    func countUnfinished() -> Int {
        var n = 0
        for record in requests.records where record.phase != .free && record.counted { n += 1 }
        return n
    }

    // MARK: Time series

    mutating func closeWindows(through time: Nanoseconds, includingCurrent: Bool = false) {
        while windowEndsAt <= time || includingCurrent {
            summary.series.arrivals.append(windowArrivals)
            summary.series.succeeded.append(windowSucceeded)
            summary.series.failed.append(windowFailed)
            summary.series.rejected.append(windowRejected)
            summary.series.p95LatencyMillis.append(windowLatency.percentileMillis(95) ?? .nan)
            summary.series.meanLatencyMillis.append(windowLatency.meanMillis ?? .nan)
            summary.series.queueDepth.append(queueDepth)
            summary.series.maxQueueDepth.append(max(windowMaxQueueDepth, queueDepth))
            summary.series.inFlight.append(requests.inUse - queueDepth)
            summary.series.instances.append(instanceCount)
            summary.series.spendUSD.append(windowSpend.dollars)
            windowArrivals = 0; windowSucceeded = 0; windowFailed = 0; windowRejected = 0
            windowMaxQueueDepth = queueDepth
            windowSpend = .zero
            windowLatency.reset()
            windowEndsAt += settings.seriesWindowNanos
            if includingCurrent { break }
        }
    }
}

extension FailureReason {
    /// Position in `allCases`, for counters kept in arrays.
    @inlinable public var index: Int {
        switch self {
        case .providerError: 0
        case .queueTimeout: 1
        case .queueFull: 2
        case .noCompliantRoute: 3
        case .budgetExceeded: 4
        }
    }
}
