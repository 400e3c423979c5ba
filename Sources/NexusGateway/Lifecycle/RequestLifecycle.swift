/// The state of one request inside the gateway, from its arrival to its end: a small value the driver keeps
/// per request (in the simulator's slab, per HTTP request in a live gateway) and passes to every event of
/// ``Gateway``. It holds no references: copying it allocates nothing.
///
/// Read-only to drivers: every change goes through an event (``Gateway/arrived(_:lifecycle:now:draws:)``,
/// ``Gateway/attemptEnded(_:_:lifecycle:now:draws:)``, ``Gateway/timerFired(_:lifecycle:now:draws:)``,
/// ``Gateway/cancelled(lifecycle:now:)``), which returns the actions the driver carries out.
public struct RequestLifecycle: Sendable {
    /// Where the request is.
    public enum Phase: UInt8, Hashable, Sendable {
        /// Not started (``Gateway/arrived(_:lifecycle:now:draws:)`` not called yet).
        case idle
        /// One attempt or two (hedged) are running.
        case attempting
        /// Waiting for a retry timer; no attempt runs.
        case waitingToRetry
        /// An attempt answered; the other one is being cancelled, and `finish` follows its report.
        case answering
        /// The client went away; the running attempts are being cancelled, and `finish` follows their reports.
        case cancelling
        /// Over: a terminal action was returned.
        case finished
    }

    /// One attempt in flight: what is needed to observe, bill and settle it.
    struct InFlight: Sendable {
        var id: UInt32 = .max
        var endpoint: EndpointID = -1
        var startedAt: Nanoseconds = 0
        var reservation = BudgetGuard.Reservation.none
        var isEmpty: Bool { id == .max }
    }

    /// The request as it arrived.
    public internal(set) var request: GatewayRequest
    /// The tier it is routed in: the request's, or the budget's downgrade tier.
    public internal(set) var tier: Int
    public internal(set) var phase: Phase = .idle
    /// What the router remembers between attempts (deadline, models tried, retries).
    public internal(set) var routing = RequestRouting()
    /// What its attempts cost so far (what they produced, priced); final once the request is over.
    public internal(set) var cost = USD.zero
    /// The cost billed by the latest ``Gateway/attemptEnded(_:_:lifecycle:now:draws:)``.
    public internal(set) var lastAttemptCost = USD.zero
    /// When the answer's first token arrived; `nil` unless a model answered.
    public internal(set) var firstTokenAt: Nanoseconds?
    /// The endpoint that answered; `nil` unless a model answered.
    public internal(set) var answeredBy: EndpointID?
    /// The response cache's verdict; `nil` when the gateway has no cache.
    public internal(set) var cacheLookup: CacheLookup?
    /// The semantic cache's verdict after an exact miss; `nil` when there was no semantic lookup.
    public internal(set) var semanticLookup: SemanticLookup?
    /// What embedding the prompt for the semantic lookup cost (part of ``cost``).
    public internal(set) var embeddingCost = USD.zero
    /// Whether the budget moved it to the downgrade tier.
    public internal(set) var downgraded = false
    /// Whether the model that answered may not receive its classification: the compliance check, made on
    /// every answer independently of the router's filtering. Must never be true.
    public internal(set) var complianceViolation = false
    /// Attempts sent so far (retries, fallbacks and hedges included): the next attempt's number.
    public internal(set) var attemptsSent: UInt32 = 0
    /// Whether a hedged attempt has been sent (at most one per request).
    public internal(set) var hedged = false

    var storeInCache = false
    /// The failed attempt whose retry timer is pending (valid in `waitingToRetry`).
    var pendingRetry: UInt32 = .max
    /// What `finish` reports once the attempts being cancelled have been reported.
    var pendingOutcome = RequestOutcome.cancelled
    var first = InFlight()
    var second = InFlight()

    /// A lifecycle not started yet (``Phase/idle``): the value a driver's storage starts from.
    public init() {
        request = GatewayRequest(tier: 0, classification: .public, inputTokens: 0, maxOutputTokens: 0, receivedAt: 0)
        tier = 0
    }

    /// Starts the lifecycle of `request`, field by field in place (the value is large, and building a new one
    /// to copy over it showed in profiles).
    mutating func reset(for request: GatewayRequest) {
        self.request = request
        tier = request.tier
        phase = .idle
        routing = RequestRouting()
        cost = .zero
        lastAttemptCost = .zero
        firstTokenAt = nil
        answeredBy = nil
        cacheLookup = nil
        semanticLookup = nil
        embeddingCost = .zero
        downgraded = false
        complianceViolation = false
        attemptsSent = 0
        hedged = false
        storeInCache = false
        pendingRetry = .max
        pendingOutcome = .cancelled
        first = InFlight()
        second = InFlight()
    }

    /// Attempts running now (0, 1, or 2 while hedged).
    public var activeAttempts: Int { (first.isEmpty ? 0 : 1) + (second.isEmpty ? 0 : 1) }

    /// The attempts running now, oldest first.
    public var runningAttempts: [AttemptID] {
        [first, second].filter { !$0.isEmpty }.sorted { $0.id < $1.id }.map { AttemptID($0.id) }
    }

    /// The endpoint a running attempt was sent to; `nil` when `attempt` is not running.
    public func endpoint(of attempt: AttemptID) -> EndpointID? {
        if first.id == attempt.rawValue { return first.endpoint }
        if second.id == attempt.rawValue { return second.endpoint }
        return nil
    }

    /// What a running attempt holds against the budget (its reservation; zero without a budget or with
    /// reservation `none`); `nil` when `attempt` is not running.
    public func reservedAmount(of attempt: AttemptID) -> USD? {
        if first.id == attempt.rawValue { return first.reservation.amount }
        if second.id == attempt.rawValue { return second.reservation.amount }
        return nil
    }

    /// Whether the request is over.
    public var isFinished: Bool { phase == .finished }
}
