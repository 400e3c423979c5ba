import NexusGateway
import NexusScenario

/// A provider's account-wide (or one model's) limits: requests, tokens, input tokens and output tokens per
/// minute, requests per day, and concurrency. A request refused with 429 counts against none of them.
///
/// Per-minute limits are enforced continuously by default, a ``TokenBucket`` each (Anthropic: "capacity is
/// continuously replenished up to your maximum limit", <https://docs.anthropic.com/en/api/rate-limits>;
/// OpenAI: limits "may be quantized" to shorter periods and `x-ratelimit-reset-*` is the time until the
/// limit is back to its initial state, <https://platform.openai.com/docs/guides/rate-limits>), or, with
/// `algorithm: fixed_window`, counted in fixed calendar minutes. What counts against each:
/// - requests per minute: one per request;
/// - tokens per minute: prompt plus `max_tokens` (OpenAI's estimate of a request's usage, made when it is
///   admitted and not revised);
/// - input tokens per minute: the prompt, less the tokens the provider's prompt cache serves (Anthropic's
///   ITPM does not count cache reads);
/// - output tokens per minute: `max_tokens` when admitted, corrected to the tokens produced when the request
///   ends (Anthropic's OTPM estimate; a fixed window keeps the estimate).
///
/// Requests per day are counted per calendar day in UTC, resetting at UTC midnight of the scenario's
/// calendar (`simulation.start`), as OpenRouter resets its free-model daily limit
/// (<https://openrouter.ai/docs/api-reference/limits>). Concurrency counts requests in flight; over it the
/// provider answers 429 without `Retry-After`. Every operation is O(1).
public struct RateLimiter: Sendable {
    public let spec: RateLimitSpec
    private var requestBucket: TokenBucket?
    private var tokenBucket: TokenBucket?
    private var inputBucket: TokenBucket?
    private var outputBucket: TokenBucket?
    // Fixed windows: the calendar minute being counted and its counts.
    private var minute: Int64 = .min
    private var minuteRequests = 0
    private var minuteTokens = 0
    private var minuteInputTokens = 0
    private var minuteOutputTokens = 0
    /// UTC days of the scenario's calendar, for the daily limit.
    private let calendar: BudgetCalendar
    private var day: Int64 = .min
    private var dayRequests = 0
    public private(set) var inFlight = 0

    static let minuteNanos: Int64 = 60_000_000_000

    /// A limiter with full buckets at simulated time 0; `startEpochNanos` is the calendar instant of time 0
    /// (nanoseconds since 1970-01-01T00:00:00Z), which places UTC midnights and calendar minutes.
    public init(_ spec: RateLimitSpec, startEpochNanos: Int64 = 0) {
        self.spec = spec
        calendar = BudgetCalendar(epochNanos: startEpochNanos, utcOffsetSeconds: 0)
        guard spec.algorithm == .tokenBucket else { return }
        let bucket = { (limit: Int?) in limit.map { TokenBucket(limitPerMinute: $0, burstNanos: spec.burstNanos) } }
        requestBucket = bucket(spec.requestsPerMinute)
        tokenBucket = bucket(spec.tokensPerMinute)
        inputBucket = bucket(spec.inputTokensPerMinute)
        outputBucket = bucket(spec.outputTokensPerMinute)
    }

    /// What the limiter answers to a request.
    public enum Verdict: Equatable, Sendable {
        case admitted
        /// Refused; wait this long (`nil`: the provider sends no `Retry-After`, as for concurrency).
        case refused(retryAfter: Nanoseconds?)
    }

    /// Whether a request of `inputTokens` prompt tokens and `maxOutputTokens` would be admitted at `now`,
    /// without counting it. A refusal's `Retry-After` is the longest wait among the limits that refuse: the
    /// time until every one of them admits it (if nothing else is admitted meanwhile).
    public mutating func check(inputTokens: Int, maxOutputTokens: Int, now: Nanoseconds) -> Verdict {
        if spec.isUnlimited { return .admitted }
        let total = Self.sum(inputTokens, maxOutputTokens)
        var wait: Nanoseconds = -1
        if let cap = spec.requestsPerDay {
            let today = calendar.day(at: now)
            if today != day { day = today; dayRequests = 0 }
            if dayRequests >= cap { wait = max(wait, calendar.start(ofDay: today + 1) - now) }
        }
        if spec.algorithm == .tokenBucket {
            func need(_ bucket: inout TokenBucket?, _ amount: Int) {
                guard bucket != nil else { return }
                bucket!.refill(to: now)
                if !bucket!.admits(amount) { wait = max(wait, bucket!.wait(for: amount)) }
            }
            need(&requestBucket, 1)
            need(&tokenBucket, total)
            need(&inputBucket, inputTokens)
            need(&outputBucket, maxOutputTokens)
        } else {
            let (currentMinute, nextMinute) = minuteWindow(at: now)
            if currentMinute != minute {
                minute = currentMinute
                minuteRequests = 0; minuteTokens = 0; minuteInputTokens = 0; minuteOutputTokens = 0
            }
            // An amount larger than the whole limit is admitted alone in an empty minute (else it never runs).
            func over(_ cap: Int?, _ used: Int, _ amount: Int) -> Bool {
                guard let cap else { return false }
                return used > 0 && Self.sum(used, amount) > cap
            }
            if let cap = spec.requestsPerMinute, minuteRequests >= cap { wait = max(wait, nextMinute) }
            if over(spec.tokensPerMinute, minuteTokens, total) || over(spec.inputTokensPerMinute, minuteInputTokens, inputTokens)
                || over(spec.outputTokensPerMinute, minuteOutputTokens, maxOutputTokens) {
                wait = max(wait, nextMinute)
            }
        }
        if wait >= 0 { return .refused(retryAfter: wait) }
        if let cap = spec.concurrency, inFlight >= cap { return .refused(retryAfter: nil) }
        return .admitted
    }

    /// Counts an admitted request (after ``check(inputTokens:maxOutputTokens:now:)`` said `.admitted` at the
    /// same `now`).
    public mutating func commit(inputTokens: Int, maxOutputTokens: Int) {
        inFlight += 1
        if spec.isUnlimited { return }
        dayRequests += 1
        let total = Self.sum(inputTokens, maxOutputTokens)
        if spec.algorithm == .tokenBucket {
            requestBucket?.take(1)
            tokenBucket?.take(total)
            inputBucket?.take(inputTokens)
            outputBucket?.take(maxOutputTokens)
        } else {
            minuteRequests += 1
            minuteTokens = Self.sum(minuteTokens, total)
            minuteInputTokens = Self.sum(minuteInputTokens, inputTokens)
            minuteOutputTokens = Self.sum(minuteOutputTokens, maxOutputTokens)
        }
    }

    /// Admits and counts a request at `now`, or refuses it without counting it.
    public mutating func admit(inputTokens: Int, maxOutputTokens: Int = 0, now: Nanoseconds) -> Verdict {
        let verdict = check(inputTokens: inputTokens, maxOutputTokens: maxOutputTokens, now: now)
        if verdict == .admitted { commit(inputTokens: inputTokens, maxOutputTokens: maxOutputTokens) }
        return verdict
    }

    /// An admitted request's prompt had `cachedInputTokens` served from the provider's prompt cache at `now`:
    /// they no longer count against the input-token bucket.
    public mutating func servedFromCache(_ cachedInputTokens: Int, now: Nanoseconds) {
        guard cachedInputTokens > 0, inputBucket != nil else { return }
        inputBucket!.refill(to: now)
        inputBucket!.giveBack(cachedInputTokens)
    }

    /// An admitted request has finished (or been abandoned) at `now`, `unusedOutputTokens` of its `max_tokens`
    /// unproduced: its concurrency slot is freed and the output-token bucket gets the unused estimate back.
    public mutating func release(unusedOutputTokens: Int = 0, now: Nanoseconds = 0) {
        inFlight -= 1
        guard unusedOutputTokens > 0, outputBucket != nil else { return }
        outputBucket!.refill(to: now)
        outputBucket!.giveBack(unusedOutputTokens)
    }

    /// The state of every per-minute and per-day limit at `now`, for `x-ratelimit-*` headers: each limit,
    /// what remains of it, and the time until it is back to its initial state.
    public mutating func readings(at now: Nanoseconds) -> [RateLimitReading] {
        var out: [RateLimitReading] = []
        if spec.algorithm == .tokenBucket {
            func read(_ kind: RateLimitReading.Kind, _ bucket: inout TokenBucket?) {
                guard bucket != nil else { return }
                bucket!.refill(to: now)
                out.append(RateLimitReading(kind: kind, limit: bucket!.limitPerMinute, remaining: bucket!.remaining, resetAfter: bucket!.untilFull))
            }
            read(.requests, &requestBucket)
            read(.tokens, &tokenBucket)
            read(.inputTokens, &inputBucket)
            read(.outputTokens, &outputBucket)
        } else {
            let (currentMinute, nextMinute) = minuteWindow(at: now)
            let fresh = currentMinute != minute
            func read(_ kind: RateLimitReading.Kind, _ cap: Int?, _ used: Int) {
                guard let cap else { return }
                let u = fresh ? 0 : used
                out.append(RateLimitReading(kind: kind, limit: cap, remaining: max(0, cap - u), resetAfter: u == 0 ? 0 : nextMinute))
            }
            read(.requests, spec.requestsPerMinute, minuteRequests)
            read(.tokens, spec.tokensPerMinute, minuteTokens)
            read(.inputTokens, spec.inputTokensPerMinute, minuteInputTokens)
            read(.outputTokens, spec.outputTokensPerMinute, minuteOutputTokens)
        }
        if let cap = spec.requestsPerDay {
            let today = calendar.day(at: now)
            let used = today == day ? dayRequests : 0
            out.append(RateLimitReading(kind: .requestsPerDay, limit: cap, remaining: max(0, cap - used),
                                        resetAfter: used == 0 ? 0 : calendar.start(ofDay: today + 1) - now))
        }
        return out
    }

    /// The calendar minute containing `now` and the time from `now` to the next one.
    private func minuteWindow(at now: Nanoseconds) -> (minute: Int64, untilNext: Nanoseconds) {
        let instant = calendar.epochNanos + now
        let m = instant >= 0 ? instant / Self.minuteNanos : -((-instant + Self.minuteNanos - 1) / Self.minuteNanos)
        return (m, (m + 1) * Self.minuteNanos - instant)
    }

    /// Token sums saturate instead of trapping.
    static func sum(_ a: Int, _ b: Int) -> Int {
        let (s, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : s
    }
}

/// One limit's state, as a provider reports it in its rate-limit headers.
public struct RateLimitReading: Hashable, Sendable {
    /// Which limit: the suffix of OpenAI's `x-ratelimit-{limit,remaining,reset}-*` headers (`requests`,
    /// `tokens`) and of Anthropic's `anthropic-ratelimit-*` (`input-tokens`, `output-tokens`).
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case requests
        case tokens
        case inputTokens = "input-tokens"
        case outputTokens = "output-tokens"
        /// Requests per UTC day (OpenRouter's free-model daily limit).
        case requestsPerDay = "requests-day"
    }

    public var kind: Kind
    /// The limit per minute (per day for `requestsPerDay`): `x-ratelimit-limit-*`.
    public var limit: Int
    /// What may still be used now: `x-ratelimit-remaining-*`.
    public var remaining: Int
    /// Time until the limit is back to its initial state: `x-ratelimit-reset-*`.
    public var resetAfter: Nanoseconds

    public init(kind: Kind, limit: Int, remaining: Int, resetAfter: Nanoseconds) {
        self.kind = kind
        self.limit = limit
        self.remaining = remaining
        self.resetAfter = resetAfter
    }
}
