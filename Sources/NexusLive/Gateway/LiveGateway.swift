import AsyncHTTPClient
import Foundation
import Logging
import NexusGateway
import NexusScenario
import NexusSim

/// The live gateway: a scenario's gateway (tiers, routing, retries, fallbacks, breakers, hedging, data
/// classification, response cache, budgets) serving OpenAI-compatible calls against real upstreams.
///
/// It links the same ``Gateway`` state machine the simulator drives, compiled from the scenario by the same
/// ``SimulationPlan``; this type adds only what a live process needs: wall-clock time, HTTP attempts, client keys
/// and scopes, the audit log, persisted budget state and metrics.
public final class LiveGateway: Sendable {
    public let scenario: Scenario
    public let options: GatewayOptions
    let shared: SharedGateway
    let tierIndex: [String: Int]
    let tierNames: [String]
    let classes: [String: SimulationPlan.RequestClass]
    let endpointNames: [String]
    let prices: [ModelPrice]
    let hedgeDelays: [Nanoseconds?]
    let upstreams: UpstreamDirectory
    let upstreamClient: UpstreamClient
    let keys: ClientKeyStore
    let audit: AuditLog?
    let budgetStore: BudgetStateStore?
    let budgetCalendar: BudgetCalendar?
    let answers: AnswerStore
    let admission: AdmissionQueue
    let metrics: GatewayMetrics
    let identities: IdentityTable
    let autoscaler: LiveAutoscaler?
    let httpClient: HTTPClient
    let cacheTTLs: [Nanoseconds]?
    /// Gateway time (scenario time at `--speed K`), and the wall-clock instant its origin corresponds to.
    public let clock: GatewayClock
    let originEpochNanos: Int64
    public let logger: Logger
    /// What the gateway said at start-up (also logged): the loopback-only notice, restored spend.
    public let startupNotes: [String]

    /// Builds the gateway; reads the keys file, resolves upstreams and restores persisted budget spend.
    public init(scenario: Scenario, options: GatewayOptions, logger: Logger = Logger(label: "nexus.gateway")) throws(GatewayConfigurationError) {
        let clock = GatewayClock(speed: options.speed)
        let originEpoch = Int64(Date().timeIntervalSince1970 * 1e9)
        let plan = SimulationPlan(scenario)
        let tierNames = scenario.tiers.map(\.name)
        let tierIndex = Dictionary(uniqueKeysWithValues: tierNames.enumerated().map { ($1, $0) })
        let identities = IdentityTable()
        var notes: [String] = []

        let keys: ClientKeyStore
        if let path = options.keysFile {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw GatewayConfigurationError("cannot read the keys file '\(path)'")
            }
            do {
                keys = try ClientKeyStore(fileContents: Array(data), path: path, tierNames: Set(tierNames))
            } catch {
                throw GatewayConfigurationError(error.description)
            }
            notes.append("\(keys.keys.count) client key(s) from \(path)")
        } else {
            keys = try! ClientKeyStore(keys: [])
            notes.append("no client keys configured (--keys FILE): accepting loopback clients only")
        }
        let audit: AuditLog?
        do {
            audit = try options.auditLogPath.map { (path) throws(AuditLogError) in try AuditLog(path: path) }
        } catch {
            throw GatewayConfigurationError(error.description)
        }

        var budget: BudgetGuard?
        var calendar: BudgetCalendar?
        if let spec = scenario.budget {
            var policy = spec.policy
            // Budget windows follow the wall clock: gateway time 0 is the instant the gateway started.
            policy.calendar.epochNanos = originEpoch
            budget = BudgetGuard(policy: policy)
            calendar = policy.calendar
        }
        let store = try options.statePath.map { (path) throws(GatewayConfigurationError) in try BudgetStateStore(path: path) }
        if let store, let calendar, budget != nil {
            let today = calendar.day(at: 0)
            let date = CivilTime.date(days: today)
            let firstOfMonth = CivilTime.days(year: date.year, month: date.month, day: 1)
            let rows = try store.resume(fromDay: firstOfMonth)
            var restored = USD.zero
            // What the replay observes was reported before the restart.
            var replayed: [BudgetEvent] = []
            for row in rows {
                let amount = USD(row.settledUSD + row.reservedUSD)
                guard amount > .zero else { continue }
                let user = row.user.isEmpty ? -1 : identities.id(row.user)
                let team = row.team.isEmpty ? nil : identities.teamID(row.team)
                let at = calendar.start(ofDay: max(row.day, firstOfMonth))
                // Replayed through the guard's own rules, so month, day, user and team windows all resume.
                var reservation = budget!.reserve(amount, user: user, team: team, at: at, events: &replayed)
                if reservation == nil, let room = budget!.ceiling(user: user, team: team, at: at), room > .zero {
                    // The scenario's limit was lowered below what was spent: the window stays full.
                    reservation = budget!.reserve(room, user: user, team: team, at: at, events: &replayed)
                }
                if let reservation { budget!.settle(reservation, actualCost: reservation.amount, at: at, events: &replayed) }
                replayed.removeAll(keepingCapacity: true)
                restored = restored + amount
            }
            notes.append("budget state \(store.path): resumed $" + String(format: "%.6f", restored.dollars) + " spent this month")
        } else if let store {
            notes.append("budget state \(store.path): the scenario has no budget, nothing to resume")
        }

        let gateway = Gateway(
            router: plan.router,
            cache: scenario.cache.map { ResponseCache(policy: $0.policy) },
            budget: budget,
            // The live gateway's own work takes real time; no simulated overhead is added.
            overheadNanos: 0,
            downgradeTier: scenario.budget?.downgradeTier.flatMap { tierIndex[$0] },
            cacheBytesPerOutputToken: scenario.cache?.bytesPerOutputToken ?? 4,
            compliance: plan.endpoints.map(\.allowedClassifications))

        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        configuration.timeout = .init(connect: .seconds(10), read: nil)
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)

        self.scenario = scenario
        self.options = options
        self.logger = logger
        self.clock = clock
        originEpochNanos = originEpoch
        self.tierNames = tierNames
        self.tierIndex = tierIndex
        classes = Dictionary(scenario.traffic.classes.map(\.name).enumerated().map { ($1, plan.classes[$0]) }, uniquingKeysWith: { a, _ in a })
        endpointNames = plan.endpoints.map(\.name)
        prices = plan.endpoints.map(\.price)
        hedgeDelays = plan.hedgeDelays
        upstreams = try UpstreamDirectory(scenario: scenario, upstreamsBase: options.upstreamsBase, environment: options.environment)
        self.keys = keys
        self.audit = audit
        budgetStore = store
        budgetCalendar = calendar
        self.identities = identities
        let metrics = GatewayMetrics()
        self.metrics = metrics
        shared = SharedGateway(gateway) { event in
            metrics.budgetEvent(event)
            if case .alert(let alert) = event {
                logger.warning("budget alert: \(alert.window.rawValue) spend $\(String(format: "%.6f", alert.spent.dollars)) reached \(Int((alert.threshold * 100).rounded())) % of $\(String(format: "%.6f", alert.limit.dollars))")
            }
        }
        cacheTTLs = scenario.cache?.policy.ttlNanos
        answers = AnswerStore(capacity: scenario.cache?.policy.capacityEntries ?? 100_000)
        admission = AdmissionQueue(
            slots: scenario.gateway.concurrencyPerInstance, queueLimit: scenario.gateway.queueLimit,
            queueTimeoutNanos: scenario.gateway.queueTimeoutNanos, clock: clock)
        autoscaler = scenario.gateway.autoscaling.map { LiveAutoscaler(spec: $0, gateway: scenario.gateway) }
        self.httpClient = httpClient
        upstreamClient = UpstreamClient(
            http: httpClient, clock: clock, maximumBodyBytes: 16 << 20)
        startupNotes = notes
    }

    /// Gateway time: nanoseconds since the gateway started (monotonic; scenario time at `--speed K`).
    func now() -> Nanoseconds { clock.now() }

    /// Wall-clock nanoseconds since 1970 at gateway time `time`.
    func epochNanos(at time: Nanoseconds) -> Int64 { originEpochNanos + time }

    /// The TTL of a cache class; nil without a cache.
    func cacheTTL(cacheClass: Int) -> Nanoseconds? {
        guard let ttls = cacheTTLs, ttls.indices.contains(cacheClass) else { return nil }
        return ttls[cacheClass]
    }

    /// Stops the upstream client (after the server has drained).
    public func shutdown() async {
        try? await httpClient.shutdown()
    }

    /// Checks the caller's key: with keys configured, a valid `Authorization: Bearer KEY` is required (401);
    /// without any, only loopback clients are served (403).
    public func authorize(authorization: String?, remoteIsLoopback: Bool) -> Result<ClientKey?, OpenAIError> {
        guard !keys.isEmpty else {
            return remoteIsLoopback ? .success(nil) : .failure(OpenAIError(
                status: 403, message: "This gateway has no client keys configured and serves loopback clients only.",
                type: "permission_error", code: "loopback_only"))
        }
        guard let authorization, authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else {
            return .failure(OpenAIError(
                status: 401, message: "You didn't provide an API key. Send it as 'Authorization: Bearer KEY'.",
                type: "invalid_request_error", code: "missing_api_key"))
        }
        let presented = String(authorization.dropFirst(7)).trimmingSpaces
        guard let key = keys.key(presented: presented) else {
            return .failure(OpenAIError(status: 401, message: "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key"))
        }
        return .success(key)
    }

    /// `GET /v1/models`: the tiers, which are the models clients ask for.
    public func modelsJSON() -> [UInt8] {
        let created = Int(originEpochNanos / 1_000_000_000)
        return JSONWriter.bytes(.object([
            "object": .string("list"),
            "data": .array(tierNames.map { .object(["id": .string($0), "object": .string("model"), "created": .integer(created), "owned_by": .string("nexus")]) }),
        ]))
    }

    /// `GET /metrics`.
    public func metricsExposition() -> [UInt8] {
        let now = now()
        let (spend, breakers) = shared.withGateway { gateway -> ([(window: String, spent: Double, remaining: Double?)], [(endpoint: String, state: Double)]) in
            var spend: [(window: String, spent: Double, remaining: Double?)] = []
            if var budget = gateway.budget {
                _ = budget.ceiling(user: -1, at: now)
                spend.append(("month", budget.monthSpend.dollars, budget.policy.monthlyLimit.map { ($0 - budget.monthSpend).dollars }))
                spend.append(("day", budget.daySpend.dollars, budget.policy.dailyLimit.map { ($0 - budget.daySpend).dollars }))
            }
            let breakers = zip(endpointNames, gateway.router.breakers).compactMap { name, breaker -> (endpoint: String, state: Double)? in
                guard let breaker else { return nil }
                switch breaker.state {
                case .closed: return (name, 0)
                case .open: return (name, 1)
                case .halfOpen: return (name, 2)
                }
            }
            return (spend, breakers)
        }
        metrics.refresh(inFlight: admission.inFlight, queueDepth: admission.depth, recommendedInstances: autoscaler?.recommendation,
                        spend: spend, breakers: breakers)
        return metrics.exposition()
    }
}

/// User and team names as the small integers the budget guard keys its windows by.
final class IdentityTable: @unchecked Sendable {
    private let lock = NSLock()
    private var users: [String: Int] = [:]
    private var teams: [String: Int] = [:]

    func id(_ user: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        if let id = users[user] { return id }
        let id = users.count
        users[user] = id
        return id
    }

    func teamID(_ team: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        if let id = teams[team] { return id }
        let id = teams.count
        teams[team] = id
        return id
    }
}
