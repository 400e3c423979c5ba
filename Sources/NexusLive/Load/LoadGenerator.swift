import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NexusGateway
import NexusResults
import NexusScenario
import NexusSim

/// The open-loop load generator: replays a scenario's arrivals — the very ones `run` simulates with the same
/// seed — against an OpenAI-compatible endpoint and measures what a simulation measures.
///
/// **Open loop.** Arrival k is due at wall time `start + t_k / K`; it is sent then, however many requests are
/// still outstanding, and its latency and TTFT are measured from that scheduled time. A target that slows down
/// therefore shows its queueing in the latency instead of slowing the generator down (no coordinated
/// omission). How late requests actually left is reported as the send lag.
///
/// Each of the generator's event loops replays the whole arrival stream and sends every `eventLoops`-th of
/// this shard's arrivals; with `--shard i/N` a generator sends arrival k when `k mod N = i − 1`. The run ends
/// at `duration + drain` scenario time after the start: requests still outstanding then are cut off and
/// counted as unfinished, as in a simulation.
public enum LoadGenerator {
    /// Runs the load and returns its summary (replication 0 of the seed, with ``RunSummary/live`` set).
    public static func run(scenario: Scenario, configuration: LoadConfiguration) async throws -> RunSummary {
        try configuration.check()
        do {
            _ = try HTTPClient.Request(url: configuration.chatCompletionsURL, method: .POST)
        } catch {
            throw LoadConfigurationError("--target \(configuration.target): not a URL requests can be sent to (\(error))")
        }
        let plan = SimulationPlan(scenario)
        if case .failure(let error)? = plan.trace { throw error }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.eventLoops)
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60),
                                                   concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.connections)
        // A refused connection fails its request at once (a client error), not after retries.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        clientConfiguration.timeout.connect = .seconds(10)
        clientConfiguration.decompression = .disabled
        let client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: clientConfiguration)
        let recorder = LoadRecorder(plan: plan, seed: configuration.seed, target: configuration.target,
                                    speed: configuration.speed, connections: configuration.connections)
        // Everyone starts together a little ahead, so the first arrivals are not late by the set-up time; or at
        // the start agreed with the emulator and the other shards.
        let start = configuration.startAt.map { NIODeadline.uptimeNanoseconds($0.uptimeNanoseconds) } ?? NIODeadline.now() + .milliseconds(50)
        let summary: RunSummary
        do {
            let loops = Array(group.makeIterator())
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for (lane, loop) in loops.enumerated() {
                    tasks.addTask {
                        let promise = loop.makePromise(of: Void.self)
                        loop.execute {
                            LoadLane(plan: plan, configuration: configuration, lane: lane, lanes: loops.count, loop: loop,
                                     client: client, recorder: recorder, start: start, done: promise).begin()
                        }
                        try await promise.futureResult.get()
                    }
                }
                try await tasks.waitForAll()
            }
            summary = recorder.finish(wallNanos: Int64(NIODeadline.now().uptimeNanoseconds &- start.uptimeNanoseconds))
        } catch {
            try? await client.shutdown()
            try? await group.shutdownGracefully()
            throw error
        }
        try await client.shutdown()
        try await group.shutdownGracefully()
        return summary
    }
}

/// One event loop's share of the load: its own copy of the traffic source, a timer for the next due arrival,
/// and the count of its requests outstanding. Touched only on `loop`.
final class LoadLane: @unchecked Sendable {
    private let plan: SimulationPlan
    private let configuration: LoadConfiguration
    private let lane: Int, lanes: Int
    private let loop: EventLoop
    private let client: HTTPClient
    private let recorder: LoadRecorder
    private let start: NIODeadline
    private let done: EventLoopPromise<Void>
    private let traffic: TrafficSource
    /// The request every send copies (its URL parsed once: parsing it per request costs more than the send).
    private let template: HTTPClient.Request?
    private let models: [String]
    private let streams: [Bool]
    private let headers: [HTTPHeaders]
    /// The scenario's number of teams (user i in team i mod it), sent as `x-nexus-team`.
    private let teamCount: Int?
    /// Whether each request names its prompt's intent (`x-nexus-intent`), for a semantic cache.
    private let sendsIntent: Bool
    private let endsAt: NIODeadline

    /// Index of the next arrival in the whole stream, and of this shard's next arrival.
    private var streamIndex = 0
    private var shardIndex = 0
    private var pending: Arrival?
    private var outstanding = 0
    private var exhausted = false

    init(plan: SimulationPlan, configuration: LoadConfiguration, lane: Int, lanes: Int, loop: EventLoop, client: HTTPClient,
         recorder: LoadRecorder, start: NIODeadline, done: EventLoopPromise<Void>) {
        self.plan = plan
        self.configuration = configuration
        self.lane = lane
        self.lanes = lanes
        self.loop = loop
        self.client = client
        self.recorder = recorder
        self.start = start
        self.done = done
        traffic = TrafficSource(plan: plan, baseSeed: configuration.seed)
        template = try? HTTPClient.Request(url: configuration.chatCompletionsURL, method: .POST)
        let scenario = plan.scenario
        models = scenario.traffic.classes.map { configuration.modelMap[$0.name] ?? $0.tier }
        streams = scenario.traffic.classes.map { $0.stream ?? scenario.traffic.stream }
        teamCount = plan.teamCount
        sendsIntent = plan.hasSemanticCache
        headers = scenario.traffic.classes.map { spec in
            var h = HTTPHeaders()
            h.add(name: "content-type", value: "application/json")
            h.add(name: "x-nexus-class", value: spec.name)
            h.add(name: "x-nexus-classification", value: spec.classification.rawValue)
            if let key = configuration.apiKey { h.add(name: "authorization", value: "Bearer \(key)") }
            return h
        }
        let settings = scenario.simulation
        endsAt = start + .nanoseconds(Self.wallNanos(settings.durationNanos + settings.drainNanos, speed: configuration.speed))
    }

    /// Scenario nanoseconds as wall nanoseconds at speed K (saturating).
    static func wallNanos(_ scenario: Nanoseconds, speed: Double) -> Int64 {
        let wall = Double(scenario) / speed
        return wall >= 9.0e18 ? 9_000_000_000_000_000_000 : Int64(wall)
    }

    /// Most requests sent in one go before the loop reads answers again.
    static let burstLimit = 128

    func begin() {
        advance()
        tick()
    }

    /// Moves `pending` to this lane's next arrival.
    private func advance() {
        var arrival = Arrival()
        while traffic.next(into: &arrival) {
            let k = streamIndex
            streamIndex += 1
            guard configuration.shard.owns(job: k) else { continue }
            let mine = shardIndex % lanes == lane
            shardIndex += 1
            if mine {
                pending = arrival
                return
            }
        }
        pending = nil
        exhausted = true
    }

    private func dueAt(_ arrival: Arrival) -> NIODeadline {
        start + .nanoseconds(Self.wallNanos(arrival.time, speed: configuration.speed))
    }

    /// Sends every arrival that is due, then sleeps until the next one is.
    private func tick() {
        let now = NIODeadline.now()
        var burst = 0
        while let arrival = pending {
            let due = dueAt(arrival)
            guard due <= now else {
                loop.scheduleTask(deadline: due) { self.tick() }
                return
            }
            // A generator that fell behind sends in bursts, letting the loop read answers in between.
            guard burst < Self.burstLimit else {
                loop.execute { self.tick() }
                return
            }
            burst += 1
            send(arrival, scheduledAt: due)
            advance()
        }
        finishIfDone()
    }

    private func send(_ arrival: Arrival, scheduledAt due: NIODeadline) {
        recorder.scheduled(arrival)
        let c = Int(arrival.classIndex)
        var h = headers[c]
        h.add(name: "x-nexus-input-tokens", value: String(arrival.inputTokens))
        h.add(name: "x-nexus-output-tokens", value: String(arrival.outputTokens))
        if arrival.user >= 0 { h.add(name: "x-nexus-user", value: "user-\(arrival.user)") }
        if let teams = teamCount, arrival.user >= 0 { h.add(name: "x-nexus-team", value: "team-\(Int(arrival.user) % teams)") }
        if sendsIntent { h.add(name: "x-nexus-intent", value: "i\(Arrival.intent(of: arrival.promptID))") }
        let body = ByteBuffer(bytes: ChatRequestBody.encode(model: models[c], arrival: arrival, stream: streams[c]))
        let collector = ResponseCollector(arrival: arrival, scheduledAt: due.uptimeNanoseconds, stream: streams[c],
                                          recorder: recorder) { [self] in
            // Called on `loop`: the collector's delegate callbacks run there.
            ended()
        }
        outstanding += 1
        if var request = template {
            request.headers = h
            request.body = .byteBuffer(body)
            _ = client.execute(request: request, delegate: collector, eventLoop: .delegate(on: loop), deadline: endsAt)
        } else {
            // The URL was checked before the run, so this is not expected; the request counts as a client error.
            recorder.finished(arrival, outcome: LiveOutcome(), latencyWallNanos: 0, ttftWallNanos: 0, sent: false)
            ended()
        }
    }

    private func ended() {
        outstanding -= 1
        finishIfDone()
    }

    private var finished = false

    private func finishIfDone() {
        guard exhausted, outstanding == 0, !finished else { return }
        finished = true
        done.succeed(())
    }
}
