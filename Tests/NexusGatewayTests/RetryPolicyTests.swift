import NexusGateway
import Testing

@Suite("RetryPolicy")
struct RetryPolicyTests {
    @Test("defaults: two retries, 250 ms base, 8 s cap, 429 and the usual 5xx, timeouts and connection errors")
    func defaults() {
        let p = RetryPolicy()
        #expect(p.maxRetries == 2)
        #expect(p.baseBackoffNanos == ms(250))
        #expect(p.maxBackoffNanos == s(8))
        #expect(p.retryableStatuses == [429, 500, 502, 503, 504])
        #expect(p.retryTimeouts && p.retryConnectionErrors && p.honorRetryAfter)
        #expect(RetryPolicy.none.maxRetries == 0)
        #expect(RetryPolicy.none == RetryPolicy(maxRetries: 0))
    }

    @Test("which errors the default policy retries", arguments: [
        (AttemptError.rateLimited(retryAfter: nil), true),
        (.rateLimited(retryAfter: s(3)), true),
        (.serverError(status: 500), true),
        (.serverError(status: 502), true),
        (.serverError(status: 503), true),
        (.serverError(status: 504), true),
        (.serverError(status: 501), false),
        (.serverError(status: 505), false),
        (.timeout, true),
        (.connectionError, true),
        (.contextWindowExceeded, false),
    ])
    func defaultRetryable(error: AttemptError, retryable: Bool) {
        #expect(RetryPolicy().isRetryable(error) == retryable)
    }

    @Test("a custom policy retries exactly what it lists")
    func customRetryable() {
        let p = RetryPolicy(retryableStatuses: [501], retryTimeouts: false, retryConnectionErrors: false)
        #expect(p.isRetryable(.serverError(status: 501)))
        #expect(!p.isRetryable(.serverError(status: 500)))
        #expect(!p.isRetryable(.rateLimited(retryAfter: nil)))
        #expect(!p.isRetryable(.timeout))
        #expect(!p.isRetryable(.connectionError))
        #expect(!p.isRetryable(.contextWindowExceeded))
        // Even a policy that lists 400 never retries a context-window error.
        #expect(!RetryPolicy(retryableStatuses: [400]).isRetryable(.contextWindowExceeded))
    }

    /// A draw as an exact fraction, so that the expected delay is computed in integers.
    struct Draw: Sendable, CustomTestStringConvertible {
        var numerator: Int64
        var denominator: Int64
        var value: Double { Double(numerator) / Double(denominator) }
        var testDescription: String { "\(value)" }
    }

    static let draws = [Draw(numerator: 0, denominator: 1), Draw(numerator: 1, denominator: 2), Draw(numerator: 999, denominator: 1000)]

    @Test("full jitter: delay == floor(draw × min(maxBackoff, base·2^k)), exactly", arguments: draws, [
        (ms(100), s(2)),        // ceilings 0.1, 0.2, 0.4, 0.8, 1.6, then the 2 s cap
        (ms(250), s(8)),        // the defaults: 0.25 … 8 s, the cap reached at k = 5
        (Nanoseconds(1), Nanoseconds(1)),
    ])
    func fullJitter(draw: Draw, bounds: (Nanoseconds, Nanoseconds)) {
        let (base, cap) = bounds
        let p = RetryPolicy(baseBackoffNanos: base, maxBackoffNanos: cap)
        for k in 0...7 {
            let ceiling = min(cap, base << Int64(k))
            let expected = ceiling * draw.numerator / draw.denominator
            #expect(p.backoff(retryIndex: k, draw: draw.value, retryAfter: nil) == expected, "k = \(k)")
        }
    }

    @Test("the cap is reached at k = 5 for 100 ms / 2 s and stays there")
    func capReached() {
        let p = RetryPolicy(baseBackoffNanos: ms(100), maxBackoffNanos: s(2))
        let ceilings = (0...8).map { p.backoff(retryIndex: $0, draw: 1, retryAfter: nil) }
        #expect(ceilings == [ms(100), ms(200), ms(400), ms(800), ms(1600), s(2), s(2), s(2), s(2)])
    }

    @Test("huge retry indices do not overflow", arguments: [62, 63, 64, 1000, Int.max])
    func hugeIndex(k: Int) {
        let p = RetryPolicy(baseBackoffNanos: ms(250), maxBackoffNanos: s(8))
        #expect(p.backoff(retryIndex: k, draw: 0.5, retryAfter: nil) == s(4))
    }

    @Test("draws outside [0, 1] are clamped", arguments: [(-1.0, Nanoseconds(0)), (-0.0, 0), (1.0, ms(250)), (7.5, ms(250))])
    func clampedDraw(draw: Double, expected: Nanoseconds) {
        #expect(RetryPolicy().backoff(retryIndex: 0, draw: draw, retryAfter: nil) == expected)
    }

    @Test("Retry-After: the delay is max(jitter, Retry-After); ignored when not honoured", arguments: [
        // (retry index, draw, Retry-After, honoured delay, jitter alone)
        (0, 0.5, s(5), s(5), ms(125)),
        (0, 0.5, ms(100), ms(125), ms(125)),
        (0, 0.5, ms(125), ms(125), ms(125)),
        (3, 0.999, s(1), 1_998_000_000, 1_998_000_000),
        (5, 0.0, ms(1), ms(1), 0),
        (5, 0.0, 0, 0, 0),
    ])
    func retryAfter(k: Int, draw: Double, retryAfter: Nanoseconds, honoured: Nanoseconds, jitter: Nanoseconds) {
        var p = RetryPolicy()
        #expect(p.backoff(retryIndex: k, draw: draw, retryAfter: retryAfter) == honoured)
        #expect(p.backoff(retryIndex: k, draw: draw, retryAfter: nil) == jitter)
        p.honorRetryAfter = false
        #expect(p.backoff(retryIndex: k, draw: draw, retryAfter: retryAfter) == jitter)
    }
}
