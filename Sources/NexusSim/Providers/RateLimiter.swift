import NexusGateway
import NexusScenario

/// A provider's (or one model's) limits: requests and tokens per minute, requests per day, concurrency.
///
/// Windows are fixed calendar windows of simulated time (minute and day boundaries from time 0), as
/// providers document their limits; a request refused with 429 does not count against them.
/// Every operation is O(1).
public struct RateLimiter: Sendable {
    public let spec: RateLimitSpec
    private var minute: Nanoseconds = -1
    private var minuteRequests = 0
    private var minuteTokens = 0
    private var day: Nanoseconds = -1
    private var dayRequests = 0
    public private(set) var inFlight = 0

    static let minuteNanos: Nanoseconds = 60_000_000_000
    static let dayNanos: Nanoseconds = 86_400_000_000_000

    public init(_ spec: RateLimitSpec) { self.spec = spec }

    /// What the limiter answers to a request.
    public enum Verdict: Equatable, Sendable {
        case admitted
        /// Refused; wait this long (`nil`: the provider sends no `Retry-After`, as for concurrency).
        case refused(retryAfter: Nanoseconds?)
    }

    /// Whether a request of `tokens` (prompt + max output) would be admitted at `now`, without counting it.
    public mutating func check(tokens: Int, now: Nanoseconds) -> Verdict {
        if spec.isUnlimited { return .admitted }
        let currentMinute = now / Self.minuteNanos, currentDay = now / Self.dayNanos
        if currentMinute != minute { minute = currentMinute; minuteRequests = 0; minuteTokens = 0 }
        if currentDay != day { day = currentDay; dayRequests = 0 }
        let nextMinute = (currentMinute + 1) * Self.minuteNanos - now
        if let cap = spec.requestsPerDay, dayRequests >= cap {
            return .refused(retryAfter: (currentDay + 1) * Self.dayNanos - now)
        }
        if let cap = spec.requestsPerMinute, minuteRequests >= cap { return .refused(retryAfter: nextMinute) }
        // A request larger than the whole per-minute budget is admitted alone in an empty minute.
        if let cap = spec.tokensPerMinute, minuteTokens + tokens > cap, minuteTokens > 0 { return .refused(retryAfter: nextMinute) }
        if let cap = spec.concurrency, inFlight >= cap { return .refused(retryAfter: nil) }
        return .admitted
    }

    /// Counts an admitted request (after ``check(tokens:now:)`` said `.admitted` at the same `now`).
    public mutating func commit(tokens: Int) {
        inFlight += 1
        if spec.isUnlimited { return }
        minuteRequests += 1
        let (sum, overflow) = minuteTokens.addingReportingOverflow(tokens)
        minuteTokens = overflow ? Int.max : sum
        dayRequests += 1
    }

    /// Admits and counts a request of `tokens` at `now`, or refuses it without counting it.
    public mutating func admit(tokens: Int, now: Nanoseconds) -> Verdict {
        let verdict = check(tokens: tokens, now: now)
        if verdict == .admitted { commit(tokens: tokens) }
        return verdict
    }

    /// An admitted request has finished (or been abandoned).
    public mutating func release() { inFlight -= 1 }
}
