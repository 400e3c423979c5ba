/// One endpoint's circuit breaker: closed → open → (cooldown) → half-open probe → closed or open.
///
/// Outcomes are counted in a sliding window made of ten buckets, so recording and checking are O(1)
/// and memory is constant.
public struct CircuitBreaker: Hashable, Sendable {
    public enum State: Hashable, Sendable {
        case closed
        /// Refusing traffic until the given time.
        case open(until: Nanoseconds)
        /// One probe allowed; `probeInFlight` once it has been sent.
        case halfOpen(probeInFlight: Bool)
    }

    public private(set) var state: State = .closed
    public let policy: CircuitBreakerPolicy
    private var bucketStart: [Nanoseconds]
    private var bucketSuccesses: [Int]
    private var bucketFailures: [Int]
    private static let buckets = 10

    public init(policy: CircuitBreakerPolicy) {
        self.policy = policy
        bucketStart = Array(repeating: Nanoseconds.min, count: Self.buckets)
        bucketSuccesses = Array(repeating: 0, count: Self.buckets)
        bucketFailures = Array(repeating: 0, count: Self.buckets)
    }

    /// Whether a request may be sent now (an open breaker whose cooldown has passed admits a probe).
    public func isAvailable(at now: Nanoseconds) -> Bool {
        switch state {
        case .closed: true
        case .open(let until): now >= until
        case .halfOpen(let probeInFlight): !probeInFlight
        }
    }

    /// An attempt was sent: after the cooldown it becomes the half-open probe.
    public mutating func attemptStarted(at now: Nanoseconds) {
        switch state {
        case .open(let until) where now >= until: state = .halfOpen(probeInFlight: true)
        case .halfOpen: state = .halfOpen(probeInFlight: true)
        default: break
        }
    }

    /// Records an attempt's outcome. Returns the new state when it changed.
    @discardableResult
    public mutating func record(success: Bool, at now: Nanoseconds) -> State? {
        switch state {
        case .halfOpen:
            state = success ? .closed : .open(until: now + policy.cooldownNanos)
            if success { clearWindow() }
            return state
        case .open:
            // Outcomes of attempts sent before the breaker opened do not change an open breaker.
            return nil
        case .closed:
            add(success: success, at: now)
            let (successes, failures) = totals(at: now)
            let total = successes + failures
            if total >= policy.minimumRequests, Double(failures) >= policy.failureThreshold * Double(total) {
                state = .open(until: now + policy.cooldownNanos)
                clearWindow()
                return state
            }
            return nil
        }
    }

    /// A probe was abandoned without an outcome (e.g. a hedged attempt cancelled): allow another probe.
    public mutating func attemptCancelled() {
        if case .halfOpen(true) = state { state = .halfOpen(probeInFlight: false) }
    }

    /// Outcomes within the window ending at `now`: the buckets that start within it (the current one and
    /// the nine before), so an outcome never counts once it is a whole window old.
    public func totals(at now: Nanoseconds) -> (successes: Int, failures: Int) {
        var s = 0, f = 0
        for i in 0..<Self.buckets where bucketStart[i] != .min && bucketStart[i] > now - policy.windowNanos {
            s += bucketSuccesses[i]
            f += bucketFailures[i]
        }
        return (s, f)
    }

    private var bucketWidth: Nanoseconds { max(policy.windowNanos / Nanoseconds(Self.buckets), 1) }

    private mutating func add(success: Bool, at now: Nanoseconds) {
        let width = bucketWidth
        let start = now - ((now % width) + width) % width
        let i = Int((start / width) % Nanoseconds(Self.buckets))
        if bucketStart[i] != start {
            bucketStart[i] = start
            bucketSuccesses[i] = 0
            bucketFailures[i] = 0
        }
        if success { bucketSuccesses[i] += 1 } else { bucketFailures[i] += 1 }
    }

    private mutating func clearWindow() {
        for i in 0..<Self.buckets {
            bucketStart[i] = .min
            bucketSuccesses[i] = 0
            bucketFailures[i] = 0
        }
    }
}
