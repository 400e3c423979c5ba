import NexusGateway

/// One per-minute limit enforced continuously: a bucket that holds at most `capacity` units (requests or
/// tokens) and refills at `limitPerMinute` units a minute, as Anthropic documents its limits ("capacity is
/// continuously replenished up to your maximum limit") and as OpenAI's `x-ratelimit-reset-*` headers
/// (time until the limit is back to its initial state) imply.
///
/// The capacity is the limit's `burst` worth of refill: with the default burst of one minute a full bucket
/// admits a whole minute's limit at once (Anthropic); a burst of one second quantises a 60,000/min limit to
/// 1,000 a second, as OpenAI documents. Under saturation a bucket of capacity `b` requests refilled at
/// `r` a second therefore admits exactly `b + floor(r·t)` requests in `t` seconds.
///
/// An amount larger than the whole capacity is admitted when the bucket is full (else it could never run),
/// leaving the level negative until the refill catches up. Levels are doubles; comparisons allow a
/// millionth of a unit, so an amount admitted at the exact refill time is admitted whatever the rounding.
/// Every operation is O(1).
public struct TokenBucket: Hashable, Sendable {
    /// Units per minute: the refill rate, and the limit providers report in `x-ratelimit-limit-*`.
    public let limitPerMinute: Int
    /// Most units the bucket holds: `limitPerMinute × burst / 1 min`.
    public let capacity: Double
    /// Units available at the last update (may be negative after an oversized amount).
    public private(set) var level: Double
    private var updatedAt: Nanoseconds

    static let tolerance = 1e-6
    static let nanosPerMinute = 60e9

    /// A full bucket at time `start`.
    public init(limitPerMinute: Int, burstNanos: Nanoseconds, at start: Nanoseconds = 0) {
        self.limitPerMinute = limitPerMinute
        capacity = Double(limitPerMinute) * Double(burstNanos) / Self.nanosPerMinute
        level = capacity
        updatedAt = start
    }

    /// Adds the refill since the last update (never beyond the capacity). A time before the last update
    /// (a wall-clock driver's clocks may disagree slightly) adds nothing.
    public mutating func refill(to now: Nanoseconds) {
        guard now > updatedAt else { return }
        if level < capacity {
            // The product is exact for the gaps and limits of tests (below 2^53); the division rounds once.
            let added = Double(now - updatedAt) * Double(limitPerMinute) / Self.nanosPerMinute
            level = added >= capacity - level ? capacity : level + added
        }
        updatedAt = now
    }

    /// Whether `amount` units are available (an amount above the capacity: whether the bucket is full).
    public func admits(_ amount: Int) -> Bool {
        level + Self.tolerance >= min(Double(amount), capacity)
    }

    /// Time from the last update until ``admits(_:)`` holds for `amount`, rounded up to a nanosecond: the
    /// `Retry-After` of a refusal: at most the burst, unless an oversized amount left the bucket in debt.
    public func wait(for amount: Int) -> Nanoseconds {
        let missing = min(Double(amount), capacity) - level
        return missing <= Self.tolerance ? 0 : Self.nanos(missing * Self.nanosPerMinute / Double(limitPerMinute))
    }

    /// Takes `amount` units (after ``admits(_:)``).
    public mutating func take(_ amount: Int) { level -= Double(amount) }

    /// Gives back `amount` units taken too many (an estimate corrected), never beyond the capacity.
    public mutating func giveBack(_ amount: Int) { level = min(capacity, level + Double(amount)) }

    /// Whole units available now (`x-ratelimit-remaining-*`), at least 0.
    public var remaining: Int { level <= 0 ? 0 : Int(min(level + Self.tolerance, 1e15).rounded(.down)) }

    /// Time from the last update until the bucket is full again (`x-ratelimit-reset-*`).
    public var untilFull: Nanoseconds {
        level >= capacity ? 0 : Self.nanos((capacity - level) * Self.nanosPerMinute / Double(limitPerMinute))
    }

    /// A duration rounded up to a nanosecond (a thousandth of a nanosecond of rounding noise is not a
    /// nanosecond more), capped at about 31 years: a debt larger than any real request still gives a time the
    /// clock can hold.
    static func nanos(_ x: Double) -> Nanoseconds { Nanoseconds(min(max(0, (x - 1e-3).rounded(.up)), 1e18)) }
}
