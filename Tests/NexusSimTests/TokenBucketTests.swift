import NexusGateway
import NexusScenario
import NexusSim
import Testing

private let ms: Nanoseconds = 1_000_000
private let second: Nanoseconds = 1_000_000_000
private let minute: Nanoseconds = 60 * second
private let hour: Nanoseconds = 60 * minute

/// Per-minute limits as continuously refilled buckets (Anthropic's documented rule; OpenAI's reset headers),
/// checked against the closed forms: a bucket of `b` holding `L`/min admits `b + floor(L·t/60)` in `t` s.
@Suite("RateLimiter (token bucket)")
struct TokenBucketTests {
    @Test("a 60/min bucket with a burst of b seconds admits exactly b + floor(t) requests in t seconds of saturation",
          arguments: [1, 5, 60])
    func saturation(burstSeconds: Int) {
        var limiter = RateLimiter(RateLimitSpec(requestsPerMinute: 60, burstNanos: Nanoseconds(burstSeconds) * second))
        var admitted = 0
        // Requests offered every 10 ms for 150 s until one is refused; the count is checked at every whole
        // and half second.
        for step in 0...15_000 {
            let t = Nanoseconds(step) * 10 * ms
            while limiter.admit(inputTokens: 1, now: t) == .admitted {
                admitted += 1
                limiter.release(now: t)
            }
            if step % 50 == 0 { #expect(admitted == burstSeconds + step / 100, "at \(Double(step) / 100) s") }
        }
    }

    @Test("the fixed window the bucket replaces admits the whole minute's 60 in its first second, then none")
    func fixedWindowContrast() {
        var fixed = RateLimiter(RateLimitSpec(requestsPerMinute: 60, algorithm: .fixedWindow))
        var bucket = RateLimiter(RateLimitSpec(requestsPerMinute: 60))
        var (fixedCount, bucketCount) = (0, 0)
        for step in 0..<5_900 {  // every 10 ms up to 59 s
            let t = Nanoseconds(step) * 10 * ms
            if fixed.admit(inputTokens: 1, now: t) == .admitted { fixedCount += 1 }
            if bucket.admit(inputTokens: 1, now: t) == .admitted { bucketCount += 1 }
        }
        #expect(fixedCount == 60)
        #expect(bucketCount == 60 + 58)  // the full bucket, then one a second
    }

    @Test("Retry-After is the time to refill what is missing, and a retry after exactly that long is admitted")
    func retryAfterIsTimeToRefill() {
        var limiter = RateLimiter(RateLimitSpec(requestsPerMinute: 60))
        for _ in 0..<60 { #expect(limiter.admit(inputTokens: 1, now: 0) == .admitted) }
        #expect(limiter.admit(inputTokens: 1, now: 250 * ms) == .refused(retryAfter: 750 * ms))
        #expect(limiter.admit(inputTokens: 1, now: second) == .admitted)
        #expect(limiter.admit(inputTokens: 1, now: second + 1) == .refused(retryAfter: second - 1))
        // Tokens per minute: 1000/min refills a token every 60 ms.
        var tokens = RateLimiter(RateLimitSpec(tokensPerMinute: 1000))
        #expect(tokens.admit(inputTokens: 500, maxOutputTokens: 100, now: 0) == .admitted)
        #expect(tokens.admit(inputTokens: 401, now: 0) == .refused(retryAfter: 60 * ms))
        #expect(tokens.admit(inputTokens: 401, now: 60 * ms) == .admitted)
    }

    @Test("Retry-After is the longest wait among the limits that refuse")
    func longestWait() {
        var limiter = RateLimiter(RateLimitSpec(requestsPerMinute: 60, tokensPerMinute: 600))
        #expect(limiter.admit(inputTokens: 600, now: 0) == .admitted)  // tokens empty, 59 requests left
        // One request is there; 100 tokens take 10 s to refill.
        #expect(limiter.admit(inputTokens: 100, now: 0) == .refused(retryAfter: 10 * second))
        #expect(limiter.admit(inputTokens: 100, now: 10 * second) == .admitted)
    }

    @Test("a request larger than the bucket is admitted when it is full and leaves it in debt")
    func oversized() {
        var limiter = RateLimiter(RateLimitSpec(tokensPerMinute: 1000))
        #expect(limiter.admit(inputTokens: 5000, now: 0) == .admitted)
        // Level −4000: a 1-token request waits for 4001 tokens, 60 ms each.
        #expect(limiter.admit(inputTokens: 1, now: 0) == .refused(retryAfter: 4001 * 60 * ms))
        // Another oversized one waits for a full bucket: 5000 tokens.
        #expect(limiter.admit(inputTokens: 5000, now: 0) == .refused(retryAfter: 5 * minute))
        #expect(limiter.admit(inputTokens: 5000, now: 5 * minute) == .admitted)
    }

    @Test("output tokens: max_tokens counted when admitted, the unused part given back when the call ends")
    func outputEstimateCorrected() {
        var limiter = RateLimiter(RateLimitSpec(outputTokensPerMinute: 1000))
        #expect(limiter.admit(inputTokens: 50_000, maxOutputTokens: 800, now: 0) == .admitted)
        #expect(limiter.admit(inputTokens: 0, maxOutputTokens: 800, now: 0) == .refused(retryAfter: 600 * 60 * ms))
        limiter.release(unusedOutputTokens: 700, now: 0)  // produced 100 of 800
        #expect(limiter.admit(inputTokens: 0, maxOutputTokens: 900, now: 0) == .admitted)
        #expect(limiter.inFlight == 1)
    }

    @Test("input tokens: prompt tokens read from the cache are given back")
    func cachedInputNotCounted() {
        var limiter = RateLimiter(RateLimitSpec(inputTokensPerMinute: 1000))
        #expect(limiter.admit(inputTokens: 1000, maxOutputTokens: 4096, now: 0) == .admitted)
        limiter.servedFromCache(600, now: 0)
        #expect(limiter.admit(inputTokens: 600, now: 0) == .admitted)
        #expect(limiter.admit(inputTokens: 1, now: 0) == .refused(retryAfter: 60 * ms))
    }

    @Test("requests per day reset at UTC midnight of the scenario's calendar, not at simulated time 0")
    func dayAtUTCMidnight() {
        // Simulated time 0 is 2026-01-01T18:00:00Z: the day ends after 6 simulated hours.
        let start: Int64 = 1_767_225_600 * 1_000_000_000 + 18 * 3_600 * 1_000_000_000
        var limiter = RateLimiter(RateLimitSpec(requestsPerMinute: 20, requestsPerDay: 2), startEpochNanos: start)
        #expect(limiter.admit(inputTokens: 1, now: 0) == .admitted)
        #expect(limiter.admit(inputTokens: 1, now: hour) == .admitted)
        #expect(limiter.admit(inputTokens: 1, now: 2 * hour) == .refused(retryAfter: 4 * hour))
        #expect(limiter.admit(inputTokens: 1, now: 6 * hour) == .admitted)
        #expect(limiter.admit(inputTokens: 1, now: 6 * hour + second) == .admitted)
        #expect(limiter.admit(inputTokens: 1, now: 6 * hour + 2 * second) == .refused(retryAfter: 24 * hour - 2 * second))
    }

    @Test("readings: limit, remaining and time to full, as x-ratelimit-* headers report them")
    func readings() {
        var limiter = RateLimiter(RateLimitSpec(requestsPerMinute: 60, tokensPerMinute: 6000, requestsPerDay: 50))
        for _ in 0..<3 { _ = limiter.admit(inputTokens: 100, maxOutputTokens: 100, now: 0) }
        #expect(limiter.readings(at: 0) == [
            RateLimitReading(kind: .requests, limit: 60, remaining: 57, resetAfter: 3 * second),
            RateLimitReading(kind: .tokens, limit: 6000, remaining: 5400, resetAfter: 6 * second),
            RateLimitReading(kind: .requestsPerDay, limit: 50, remaining: 47, resetAfter: 24 * hour),
        ])
        #expect(limiter.readings(at: 2 * second)[0] == RateLimitReading(kind: .requests, limit: 60, remaining: 59, resetAfter: second))
        var fixed = RateLimiter(RateLimitSpec(requestsPerMinute: 10, algorithm: .fixedWindow))
        _ = fixed.admit(inputTokens: 1, now: 15 * second)
        #expect(fixed.readings(at: 20 * second) == [RateLimitReading(kind: .requests, limit: 10, remaining: 9, resetAfter: 40 * second)])
        #expect(fixed.readings(at: minute) == [RateLimitReading(kind: .requests, limit: 10, remaining: 10, resetAfter: 0)])
    }
}
