import Foundation
import Hummingbird
import Logging
import NexusGateway
import NexusScenario
import NexusSim
import NIOCore

/// Every provider of a scenario served as OpenAI-compatible HTTP endpoints, behaving as the simulator's providers
/// do, in wall time compressed `speed` times.
///
/// Routes: `POST /<provider>/v1/chat/completions` (the body's `model` is the scenario's model name, or its qualified
/// `provider/model` name; streamed as SSE when `stream` is true), `GET /<provider>/v1/models`, `GET /health`,
/// `GET /stats` (JSON per provider and model), `GET /metrics` (Prometheus).
///
/// Each request is decided when it arrives by ``SimulatedProviders`` at the current scenario time (outage, context
/// window, rate limits, background errors, time to first token, generation speed); the handler then waits for
/// the decided delays and answers. Scenario time starts when the server starts listening.
public final class ProviderEmulator: Sendable {
    /// The scenario's providers and models, compiled as the simulator compiles them.
    public let plan: SimulationPlan
    /// The run seed the providers' random streams are derived from (the scenario's unless overridden).
    public let seed: UInt64
    /// Scenario seconds per wall second.
    public let speed: Double
    /// What has been served so far.
    public let stats: EmulatorStats
    let providers: EmulatedProviders
    /// Endpoint index by provider, then by model name (both the model's own and its qualified name).
    let endpointIndex: [String: [String: Int]]
    let providerIndex: [String: Int]
    let requestCounter = RequestCounter()

    /// Compiles `scenario`'s providers. `seed` defaults to the scenario's; `speed` must lie in
    /// ``EmulatorClock/speedRange``.
    public init(scenario: Scenario, seed: UInt64? = nil, speed: Double = 1) throws(EmulatorError) {
        try EmulatorClock.validate(speed: speed)
        guard !scenario.providers.isEmpty else { throw .noProviders }
        let plan = SimulationPlan(scenario)
        self.plan = plan
        let runSeed = seed ?? scenario.simulation.seed
        self.seed = runSeed
        self.speed = speed
        let names = plan.endpoints.map { e in
            let provider = plan.providers[e.provider].name
            return (provider: provider, model: String(e.name.dropFirst(provider.count + 1)))
        }
        stats = EmulatorStats(endpoints: names)
        providers = EmulatedProviders(plan: plan, seed: runSeed)
        var index: [String: [String: Int]] = [:]
        for (i, e) in plan.endpoints.enumerated() {
            let provider = plan.providers[e.provider].name
            index[provider, default: [:]][names[i].model] = i
            index[provider, default: [:]][e.name] = i
        }
        endpointIndex = index
        providerIndex = Dictionary(uniqueKeysWithValues: plan.providers.enumerated().map { ($1.name, $0) })
    }

    /// Serves until the calling task is cancelled. `onListening` is called once the socket is bound, with the
    /// address actually bound (the port the system chose when `listen.port` is 0).
    ///
    /// `startAt` fixes scenario time 0 at a wall instant shared with the load generator (`--start-at`); without
    /// it scenario time 0 is the moment the socket is bound.
    public func run(
        listen: ListenAddress,
        startAt: StartTime? = nil,
        logger: Logger = ProviderEmulator.quietLogger,
        onListening: @escaping @Sendable (ListenAddress) async -> Void = { _ in }
    ) async throws {
        let clockBox = ClockBox(speed: speed)
        let router = makeRouter(clock: clockBox)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "nexus-sim-providers",
                                 backlog: Self.listenBacklog),
            onServerRunning: { channel in
                // Scenario time 0 is the moment the server can take connections, or the agreed start.
                clockBox.start(origin: startAt?.instant ?? .now)
                let port = channel.localAddress?.port ?? listen.port
                await onListening(ListenAddress(host: listen.host, port: port))
            },
            logger: logger)
        try await app.run()
    }

    /// Pending connections the socket queues: thousands of clients connecting at once (a load generator opening
    /// its streams) must not be refused by a short queue; the kernel caps it at `net.core.somaxconn`.
    static let listenBacklog = 4096

    /// A logger that reports only errors (a request log would cost more than the emulated work).
    public static var quietLogger: Logger {
        var logger = Logger(label: "nexus-sim.providers")
        logger.logLevel = .error
        return logger
    }
}

/// The emulator's clock, started when the server starts listening; until then scenario time is 0.
final class ClockBox: @unchecked Sendable {
    private let lock = NSLock()
    private var clock: EmulatorClock
    private var started = false

    init(speed: Double) { clock = EmulatorClock(speed: speed) }

    func start(origin: ContinuousClock.Instant = .now) {
        lock.withLock {
            clock = EmulatorClock(speed: clock.speed, origin: origin)
            started = true
        }
    }

    var current: EmulatorClock { lock.withLock { clock } }
}

/// Numbers requests as they arrive, for their ids.
final class RequestCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next: UInt64 = 0
    func take() -> UInt64 { lock.withLock { next += 1; return next } }
}
