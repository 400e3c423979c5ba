/// The gateway's shared state and rules: the router, the response cache, the budget guard and the per-tier
/// policy tables, driven through the events of ``RequestLifecycle``.
///
/// A state machine in the style of async-http-client's `HTTPConnectionPool.StateMachine`: each event
/// (``arrived(_:lifecycle:now:draws:)``, ``attemptEnded(_:_:lifecycle:now:draws:)``,
/// ``timerFired(_:lifecycle:now:draws:)``, ``cancelled(lifecycle:now:)``) is told the time and what happened, updates
/// the shared components and the request's ``RequestLifecycle``, and returns ``LifecycleActions`` — answer from
/// the cache, send an attempt with a timeout, start a timer, cancel an attempt, refuse, finish. The driver owns
/// clocks, I/O, timers and randomness (``UniformDraws``), so the same value runs in the simulator and behind a
/// lock in a live gateway, with each request's lifecycle kept apart. Events allocate nothing on the heap.
///
/// The rules it owns: the cache key, look-up and store (only answers whose look-up missed are stored); a budget
/// reservation of each attempt's worst case (prompt + `max_tokens`) before it is sent, settled to what it
/// produced when it ends; refusal (`budget_exceeded`) and the `downgrade` action; the deadline and the
/// attempt timeout (as the `timeout` of ``LifecycleAction/send(_:to:maxTokens:timeout:after:kind:)``); retries
/// with their backoff timers, fallbacks, hedging and cancelling the losing hedge; the gateway's overhead before
/// a request's first attempt; and the compliance check on every answer.
public struct Gateway: Sendable {
    public var router: Router
    /// The response cache, when the gateway has one.
    public var cache: ResponseCache?
    /// The budget guard, when the gateway has a budget.
    public var budget: BudgetGuard?
    /// What the budget observed during the events since the driver last called ``clearBudgetEvents()``
    /// (alerts, exhaustion, overspend, settlements), in order. The driver keeps its own log of them; the
    /// gateway keeps none beyond this outbox.
    public internal(set) var budgetEvents: [BudgetEvent] = []
    /// The gateway's own work before a request's first attempt leaves (routing, caching, authentication).
    public let overheadNanos: Nanoseconds
    /// The tier the budget's `downgrade` action moves a request to; `nil`: no downgrade.
    public let downgradeTier: Int?
    /// Size of a cached answer per output token, for the cache's byte capacity.
    public let cacheBytesPerOutputToken: Int

    // Hot-path tables as plain arrays: reading them out of the router's tiers and endpoints would copy and
    // reference-count their strings and arrays on every attempt. Plain flags for the optionals, because
    // testing the large optionals went through an outlined copy.
    @usableFromInline let hasCache: Bool
    @usableFromInline let hasBudget: Bool
    @usableFromInline let attemptTimeouts: [Nanoseconds?]
    @usableFromInline let deadlines: [Nanoseconds?]
    @usableFromInline let hedgeDelays: [Nanoseconds?]
    @usableFromInline let prices: [ModelPrice]
    @usableFromInline let compliance: [ClassificationSet]

    /// - Parameters:
    ///   - router: the router over the gateway's endpoints and tiers; the tiers' policies give the attempt
    ///     timeouts, deadlines and hedge delays.
    ///   - compliance: per endpoint, the classifications its provider may receive, for the compliance check
    ///     (from the provider's configuration, not the router's view); default: the router's endpoints'.
    ///   - downgradeTier: the tier the budget's `downgrade` action routes to (used only with that action).
    public init(router: Router, cache: ResponseCache? = nil, budget: BudgetGuard? = nil, overheadNanos: Nanoseconds = 0,
                downgradeTier: Int? = nil, cacheBytesPerOutputToken: Int = 4, compliance: [ClassificationSet]? = nil) {
        precondition(overheadNanos >= 0, "negative gateway overhead")
        precondition(downgradeTier.map(router.tiers.indices.contains) ?? true, "the downgrade tier does not exist")
        self.router = router
        self.cache = cache
        self.budget = budget
        self.overheadNanos = overheadNanos
        self.downgradeTier = budget?.policy.action == .downgrade ? downgradeTier : nil
        self.cacheBytesPerOutputToken = cacheBytesPerOutputToken
        hasCache = cache != nil
        hasBudget = budget != nil
        attemptTimeouts = router.tiers.map(\.policy.attemptTimeoutNanos)
        deadlines = router.tiers.map(\.policy.deadlineNanos)
        hedgeDelays = router.tiers.map(\.policy.hedgeAfterNanos)
        prices = router.endpoints.map(\.price)
        let allowed = compliance ?? router.endpoints.map(\.allowedClassifications)
        precondition(allowed.count == router.endpoints.count, "one compliance set per endpoint")
        self.compliance = allowed
        if hasBudget { budgetEvents.reserveCapacity(16) }
    }

    /// Empties ``budgetEvents`` once the driver has read them (keeping its storage, so events allocate nothing).
    public mutating func clearBudgetEvents() {
        if !budgetEvents.isEmpty { budgetEvents.removeAll(keepingCapacity: true) }
    }
}
