import Foundation
import NexusGateway
import NexusScenario
import NexusSim

/// Turns what the load generator saw on the wire into the ``RunSummary`` a simulation of the same scenario
/// produces, so that every command reading runs (report, gate, compare, merge) works on live runs unchanged.
///
/// Times are in scenario time: a wall-clock interval × the speed factor K. Counting follows DESIGN's
/// definitions: requests scheduled after the warm-up and answered before the end of the run (duration + drain);
/// latency and TTFT run from the request's *scheduled* send time, so a target that makes requests wait cannot
/// hide it (no coordinated omission). Shared by the generator's event loops (each call takes a lock).
final class LoadRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var summary: RunSummary
    /// The series: closed windows, and the one being filled. Arrivals and answers are recorded at the current
    /// scenario time, so a window is complete once time has passed its end; only the current one keeps a
    /// latency histogram (memory does not grow with the run's length). An event for a closed window (event
    /// loops racing at a boundary) adds to its counts.
    private var closed: [(window: TimeSeries.Window, attempts: [Int], failures: [Int])] = []
    private var current: WindowCounters
    private var currentIndex = 0
    private let plan: SimulationPlan
    private let speed: Double
    private let endpointIndex: [String: Int]
    private var inFlight = 0

    init(plan: SimulationPlan, seed: UInt64, target: String, speed: Double, connections: Int) {
        self.plan = plan
        self.speed = speed
        let scenario = plan.scenario
        var summary = RunSummary(scenarioName: scenario.name, seed: SeedDerivation.replicationSeed(baseSeed: seed, index: 0),
                                 replication: 0, seriesWindowNanos: scenario.simulation.seriesWindowNanos)
        summary.costByTier = Array(repeating: .zero, count: scenario.tiers.count)
        summary.byClass = Array(repeating: RequestGroupStats(), count: max(plan.classes.count, 1))
        summary.byModel = plan.endpoints.map { ModelStats(name: $0.name, provider: plan.providers[$0.provider].name) }
        summary.series.providers = plan.providers.map(\.name)
        summary.traffic.users = .init(population: scenario.traffic.users?.count ?? 0)
        summary.live = LiveStats(target: target, speed: speed, connections: connections)
        self.summary = summary
        current = WindowCounters(providers: plan.providers.count)
        endpointIndex = Self.endpointIndex(scenario)
    }

    /// Every name a target may give a scenario model by: its qualified name `provider/model`, and its bare model
    /// name when only one provider offers a model of that name.
    static func endpointIndex(_ scenario: Scenario) -> [String: Int] {
        var index: [String: Int] = [:]
        var bare: [String: [Int]] = [:]
        for (i, m) in scenario.qualifiedModels.enumerated() {
            index[m.name] = i
            bare[m.model.name, default: []].append(i)
        }
        for (name, ids) in bare where ids.count == 1 && index[name] == nil { index[name] = ids[0] }
        return index
    }

    /// The scenario model a target's name refers to, if any.
    func endpoint(named name: String?) -> Int? {
        guard let name else { return nil }
        if let i = endpointIndex[name] { return i }
        // `provider/model` with a provider prefix the target adds (LiteLLM's `openai/gpt-4o`), or a bare name.
        if let slash = name.lastIndex(of: "/") { return endpointIndex[String(name[name.index(after: slash)...])] }
        return nil
    }

    private func windowIndex(at scenarioNanos: Nanoseconds) -> Int {
        Int(min(max(scenarioNanos, 0) / summary.series.windowNanos, Int64(Int32.max)))
    }

    /// Closes windows until `index` is the current one.
    private func advance(to index: Int) {
        while currentIndex < index {
            var w = TimeSeries.Window()
            current.fill(&w)
            closed.append((w, current.providerAttempts, current.providerFailures))
            current.reset()
            currentIndex += 1
        }
    }

    private enum WindowEvent { case arrival, answer(latency: Nanoseconds), failure, rejection }

    private func record(_ event: WindowEvent, at scenarioNanos: Nanoseconds, spend: Double = 0, provider: Int? = nil, providerFailed: Bool = false) {
        let index = windowIndex(at: scenarioNanos)
        advance(to: index)
        if index == currentIndex {
            switch event {
            case .arrival: current.arrivals += 1
            case .answer(let latency): current.succeeded += 1; current.latency.record(nanos: latency)
            case .failure: current.failed += 1
            case .rejection: current.rejected += 1
            }
            current.spend += USD(spend)
            if let provider {
                current.providerAttempts[provider] += 1
                if providerFailed { current.providerFailures[provider] += 1 }
            }
        } else {
            switch event {
            case .arrival: closed[index].window.arrivals &+= 1
            case .answer: closed[index].window.succeeded &+= 1
            case .failure: closed[index].window.failed &+= 1
            case .rejection: closed[index].window.rejected &+= 1
            }
            closed[index].window.spendUSD += spend
            if let provider {
                closed[index].attempts[provider] += 1
                if providerFailed { closed[index].failures[provider] += 1 }
            }
        }
    }

    /// A request of this generator's share was scheduled (warm-up included): counted as an arrival.
    func scheduled(_ arrival: Arrival) {
        lock.lock(); defer { lock.unlock() }
        summary.requestsSimulated += 1
        summary.traffic.inputTokens += Int(arrival.inputTokens)
        summary.traffic.outputTokens += Int(arrival.outputTokens)
        summary.live!.scheduled += 1
        record(.arrival, at: arrival.time)
    }

    /// The request's head was written `lagNanos` (wall) after its scheduled time.
    func sent(lagNanos: Int64) {
        lock.lock(); defer { lock.unlock() }
        summary.live!.sent += 1
        summary.live!.sendLag.record(nanos: lagNanos)
        inFlight += 1
        summary.live!.peakInFlight = max(summary.live!.peakInFlight, inFlight)
    }

    /// A request ended. `latencyWallNanos` / `ttftWallNanos` run from its scheduled send time; `sent` says
    /// whether its head was ever written (a connection that failed first was never in flight).
    func finished(_ arrival: Arrival, outcome: LiveOutcome, latencyWallNanos: Int64, ttftWallNanos: Int64, sent: Bool) {
        let latency = scenarioNanos(latencyWallNanos), ttft = scenarioNanos(ttftWallNanos)
        let endsAt = arrival.time &+ latency
        let settings = plan.scenario.simulation
        let counted = arrival.time >= settings.warmupNanos
        let klass = Int(arrival.classIndex)
        let endpoint = endpoint(named: outcome.model)
        var cost = USD.zero
        if let endpoint, let usage = outcome.usage {
            cost = plan.endpoints[endpoint].price.cost(inputTokens: usage.promptTokens, outputTokens: usage.completionTokens,
                                                      cachedInputTokens: usage.cachedPromptTokens ?? 0)
        }
        let failure = outcome.failure

        lock.lock(); defer { lock.unlock() }
        if sent { inFlight -= 1 }
        if outcome.status == nil && !outcome.cutOffAtEnd { summary.live!.clientErrors += 1 }
        if outcome.model != nil && endpoint == nil && outcome.usage != nil { summary.live!.unpricedResponses += 1 }
        // Requests the end of the run cut off, or answered after it, are unfinished as in a simulation.
        if outcome.cutOffAtEnd || endsAt > settings.durationNanos + settings.drainNanos {
            if counted { summary.unfinished += 1 }
            return
        }
        let event: WindowEvent = failure.map { $0.isRejection ? .rejection : .failure } ?? .answer(latency: latency)
        record(event, at: endsAt, spend: cost.dollars, provider: endpoint.map { plan.endpoints[$0].provider },
               providerFailed: outcome.attemptFailure != nil)
        guard counted else { return }
        let tier = klass < plan.classes.count ? plan.classes[klass].tier : .max
        summary.countRequest(failure: failure, cost: cost, tier: tier, classIndex: klass < plan.classes.count ? klass : .max,
                             latencyNanos: latency, ttftNanos: ttft, lastTurn: arrival.lastTurn, user: arrival.user)
        if failure == nil {
            summary.latency.record(nanos: latency)
            summary.ttft.record(nanos: ttft)
        }
        if let endpoint {
            summary.byModel[endpoint].countAttempt(isFirstOnModel: true)
            if let attemptFailure = outcome.attemptFailure {
                summary.byModel[endpoint].failures[attemptFailure.index] += 1
            } else {
                summary.byModel[endpoint].countSuccess(latencyNanos: latency)
            }
            if let usage = outcome.usage {
                summary.byModel[endpoint].bill(inputTokens: usage.promptTokens, outputTokens: usage.completionTokens, cost: cost)
            }
        }
        switch outcome.cache {
        case "hit"?: summary.cacheHits += 1
        case "miss"?: summary.cacheMisses += 1
        default: break
        }
    }

    /// A wall-clock interval in scenario time (× K), saturating.
    func scenarioNanos(_ wall: Int64) -> Nanoseconds {
        let scaled = Double(max(wall, 0)) * speed
        return scaled >= Double(Int64.max) ? .max : Nanoseconds(scaled)
    }

    /// The run's summary once every request has ended; `wallNanos` is how long the load took.
    func finish(wallNanos: Int64) -> RunSummary {
        lock.lock(); defer { lock.unlock() }
        var result = summary
        let settings = plan.scenario.simulation
        advance(to: windowIndex(at: settings.durationNanos + settings.drainNanos - 1) + 1)
        for w in closed { result.series.append(w.window, providerAttempts: w.attempts, providerFailures: w.failures) }
        result.groupClassesIntoTiers(classTiers: plan.classes.map(\.tier), tierCount: plan.scenario.tiers.count)
        result.peakRequestsInFlight = result.live!.peakInFlight
        result.endedAtNanos = settings.durationNanos + settings.drainNanos
        result.live!.wallNanos = wallNanos
        return result
    }
}
