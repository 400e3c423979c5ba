import NexusGateway
import NexusScenario
import NexusSim
import Testing

private let second: Nanoseconds = 1_000_000_000
private let minute: Nanoseconds = 60 * second
private let hour: Nanoseconds = 60 * minute
private let day: Nanoseconds = 24 * hour

/// Provider limits with `algorithm: fixed_window`: calendar minutes, and UTC days, of the scenario's calendar
/// (here simulated time 0 is a UTC midnight).
@Suite("RateLimiter (fixed window)")
struct RateLimiterTests {
    @Test("requests per minute: N admitted, the next refused until the minute boundary", arguments: [1, 3, 20])
    func requestsPerMinute(cap: Int) {
        var limiter = RateLimiter(RateLimitSpec(requestsPerMinute: cap, algorithm: .fixedWindow))
        for i in 0..<cap {
            #expect(limiter.admit(inputTokens: 1_000_000, now: 10 * second + Nanoseconds(i)) == .admitted)
        }
        #expect(limiter.inFlight == cap)
        #expect(limiter.admit(inputTokens: 1, now: 10 * second) == .refused(retryAfter: 50 * second))
        #expect(limiter.admit(inputTokens: 1, now: 30 * second + 500_000_000) == .refused(retryAfter: 29 * second + 500_000_000))
        #expect(limiter.admit(inputTokens: 1, now: minute - 1) == .refused(retryAfter: 1))
        // Refusals are not counted and do not hold a slot.
        #expect(limiter.inFlight == cap)
        // A new minute starts afresh: N more.
        for i in 0..<cap {
            #expect(limiter.admit(inputTokens: 1, now: minute + Nanoseconds(i)) == .admitted)
        }
        #expect(limiter.admit(inputTokens: 1, now: minute + 59 * second) == .refused(retryAfter: second))
        // A minute with no traffic in between changes nothing.
        #expect(limiter.admit(inputTokens: 1, now: 5 * minute + 7 * second) == .admitted)
    }

    @Test("releasing does not give back a request of the minute")
    func releaseIsNotARefund() {
        var limiter = RateLimiter(RateLimitSpec(requestsPerMinute: 1, algorithm: .fixedWindow))
        #expect(limiter.admit(inputTokens: 1, now: 0) == .admitted)
        limiter.release()
        #expect(limiter.inFlight == 0)
        #expect(limiter.admit(inputTokens: 1, now: second) == .refused(retryAfter: 59 * second))
    }

    @Test("tokens per minute: the sum may reach the limit, not exceed it")
    func tokensPerMinute() {
        var limiter = RateLimiter(RateLimitSpec(tokensPerMinute: 1000, algorithm: .fixedWindow))
        #expect(limiter.admit(inputTokens: 600, now: 0) == .admitted)
        #expect(limiter.admit(inputTokens: 401, now: second) == .refused(retryAfter: 59 * second))
        #expect(limiter.admit(inputTokens: 400, now: 2 * second) == .admitted)       // exactly 1000
        #expect(limiter.admit(inputTokens: 1, now: 3 * second) == .refused(retryAfter: 57 * second))
        #expect(limiter.admit(inputTokens: 0, now: 3 * second) == .admitted)        // nothing to count
        #expect(limiter.admit(inputTokens: 1000, now: minute) == .admitted)
        #expect(limiter.admit(inputTokens: 1, now: minute) == .refused(retryAfter: minute))
    }

    /// The rule in `RateLimiter.admit`: a request larger than the whole limit is refused only when the
    /// minute already has tokens, so it is admitted alone in an empty minute (else it could never run).
    @Test("tokens per minute: a request larger than the limit is admitted in an empty minute")
    func oversizedRequest() {
        var limiter = RateLimiter(RateLimitSpec(tokensPerMinute: 1000, algorithm: .fixedWindow))
        #expect(limiter.admit(inputTokens: 5000, now: 0) == .admitted)
        #expect(limiter.admit(inputTokens: 1, now: second) == .refused(retryAfter: 59 * second))
        #expect(limiter.admit(inputTokens: 1, now: minute) == .admitted)
        // Now the minute has tokens: the oversized request must wait for the next one.
        #expect(limiter.admit(inputTokens: 5000, now: minute + second) == .refused(retryAfter: 59 * second))
        #expect(limiter.admit(inputTokens: 5000, now: 2 * minute) == .admitted)
    }

    @Test("requests per day: refused until the next day boundary, even in a fresh minute")
    func requestsPerDay() {
        var limiter = RateLimiter(RateLimitSpec(requestsPerMinute: 10, requestsPerDay: 2, algorithm: .fixedWindow))
        #expect(limiter.admit(inputTokens: 1, now: hour) == .admitted)
        #expect(limiter.admit(inputTokens: 1, now: 2 * hour) == .admitted)
        #expect(limiter.admit(inputTokens: 1, now: 3 * hour) == .refused(retryAfter: 21 * hour))
        #expect(limiter.admit(inputTokens: 1, now: day - 1) == .refused(retryAfter: 1))
        #expect(limiter.admit(inputTokens: 1, now: day) == .admitted)
        #expect(limiter.admit(inputTokens: 1, now: day + 1) == .admitted)
        #expect(limiter.admit(inputTokens: 1, now: day + 2) == .refused(retryAfter: day - 2))
        #expect(limiter.admit(inputTokens: 1, now: 5 * day + 3 * hour) == .admitted)
    }

    @Test("when both the day and the minute are used up, Retry-After points at the day boundary")
    func dayBeforeMinute() {
        var limiter = RateLimiter(RateLimitSpec(requestsPerMinute: 1, requestsPerDay: 1, algorithm: .fixedWindow))
        #expect(limiter.admit(inputTokens: 1, now: 0) == .admitted)
        #expect(limiter.admit(inputTokens: 1, now: second) == .refused(retryAfter: day - second))
    }

    @Test("concurrency: refused without Retry-After until a slot is released")
    func concurrency() {
        var limiter = RateLimiter(RateLimitSpec(concurrency: 2, algorithm: .fixedWindow))
        #expect(limiter.admit(inputTokens: 1, now: 0) == .admitted)
        #expect(limiter.admit(inputTokens: 1, now: 0) == .admitted)
        #expect(limiter.admit(inputTokens: 1, now: 0) == .refused(retryAfter: nil))
        #expect(limiter.admit(inputTokens: 1, now: day) == .refused(retryAfter: nil))   // time does not help
        #expect(limiter.inFlight == 2)
        limiter.release()
        #expect(limiter.inFlight == 1)
        #expect(limiter.admit(inputTokens: 1, now: day) == .admitted)
        #expect(limiter.admit(inputTokens: 1, now: day) == .refused(retryAfter: nil))
    }

    @Test("a concurrency refusal does not use up the minute's requests")
    func concurrencyRefusalNotCounted() {
        var limiter = RateLimiter(RateLimitSpec(requestsPerMinute: 3, concurrency: 1, algorithm: .fixedWindow))
        #expect(limiter.admit(inputTokens: 1, now: 0) == .admitted)
        for _ in 0..<5 { #expect(limiter.admit(inputTokens: 1, now: second) == .refused(retryAfter: nil)) }
        limiter.release()
        #expect(limiter.admit(inputTokens: 1, now: 2 * second) == .admitted)
        limiter.release()
        #expect(limiter.admit(inputTokens: 1, now: 3 * second) == .admitted)
        limiter.release()
        #expect(limiter.admit(inputTokens: 1, now: 4 * second) == .refused(retryAfter: 56 * second))
    }

    @Test("an unlimited spec admits everything and still counts what is in flight")
    func unlimited() {
        let spec = RateLimitSpec()
        #expect(spec.isUnlimited)
        #expect(!RateLimitSpec(concurrency: 1).isUnlimited)
        #expect(!RateLimitSpec(requestsPerDay: 1).isUnlimited)
        var limiter = RateLimiter(spec)
        for _ in 0..<10_000 { #expect(limiter.admit(inputTokens: Int.max / 4, now: 0) == .admitted) }
        #expect(limiter.inFlight == 10_000)
        limiter.release()
        #expect(limiter.inFlight == 9_999)
        #expect(limiter.spec == spec)
    }
}
