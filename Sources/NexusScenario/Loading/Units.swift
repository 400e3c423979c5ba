import Foundation

/// Parsers for the units a scenario is written in. Each returns `nil` when the text is not in its
/// format, so that the caller can report what was expected next to what was found.
enum Units {
    /// The longest duration a scenario may give anywhere: 100 years. Any simulated time plus any such
    /// duration stays far inside 64-bit nanoseconds (292 years).
    static let maximumDurationSeconds = 36_525 * 86_400.0
    /// The highest arrival rate (also after profiles and spikes): one million a second, a mean gap of 1 µs,
    /// so that gaps in whole nanoseconds do not round to zero and stop the clock.
    static let maximumRatePerSecond = 1e6
    /// Slowest rate accepted: one arrival in the longest run (100 years).
    static let minimumRatePerSecond = 1 / maximumDurationSeconds
    /// The largest amount of money a scenario may give (a price, a budget, an instance price).
    static let maximumDollars = 1e9
    /// The largest token count, token speed or number of turns a scenario may give.
    static let maximumAmount = 1e9

    /// A number for messages: whole numbers without a fraction, others with up to 6 significant digits.
    static func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(format: "%g", v)
    }

    /// Nanoseconds for messages, in the largest unit that divides them.
    static func formatNanos(_ nanos: Int64) -> String {
        for (unit, size) in [("d", Int64(86_400_000_000_000)), ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000),
                             ("ms", 1_000_000), ("µs", 1_000)] where nanos != 0 && nanos % size == 0 {
            return "\(nanos / size)\(unit)"
        }
        return "\(nanos)ns"
    }

    /// A plain number: `12`, `0.5`, `1e-3`, `1_000_000`.
    static func number(_ text: String) -> Double? {
        let cleaned = text.trimmingWhitespace.replacingUnderscores
        guard !cleaned.isEmpty, let value = Double(cleaned), value.isFinite else { return nil }
        return value
    }

    /// A number with an optional metric suffix: `4k` = 4000, `1.5M` = 1 500 000, `2B`.
    static func count(_ text: String) -> Double? {
        let t = text.trimmingWhitespace
        guard let last = t.last else { return nil }
        let multipliers: [Character: Double] = ["k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9]
        if let m = multipliers[last], let v = number(String(t.dropLast())) {
            // `1e308k` overflows to infinity, which no count or rate may be.
            return (v * m).isFinite ? v * m : nil
        }
        return number(t)
    }

    /// Durations in seconds for each accepted unit name.
    static let durationUnits: [(String, Double)] = [
        ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3),
        ("s", 1), ("sec", 1), ("m", 60), ("min", 60), ("h", 3600), ("d", 86_400), ("day", 86_400), ("days", 86_400),
    ]

    /// A duration: `250ms`, `1.5s`, `5m`, `24h`, `7d`. A bare `0` is accepted. Returns seconds.
    static func durationSeconds(_ text: String) -> Double? {
        let t = text.trimmingWhitespace
        if let v = number(t), v == 0 { return 0 }
        guard let (value, unit) = splitNumber(t),
              let scale = durationUnits.first(where: { $0.0 == unit })?.1 else { return nil }
        return value * scale
    }

    /// A rate: `12/s`, `1M/day`, `600/min`, `5/h`. Returns events per second.
    static func ratePerSecond(_ text: String) -> Double? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let amount = count(String(parts[0])) else { return nil }
        let unit = String(parts[1]).trimmingWhitespace
        let per: [String: Double] = [
            "s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60,
            "h": 3600, "hour": 3600, "d": 86_400, "day": 86_400,
        ]
        guard let seconds = per[unit] else { return nil }
        return amount / seconds
    }

    /// Money: `$50`, `$0.01`, `$1,000`. Returns dollars.
    static func dollars(_ text: String) -> Double? {
        let t = text.trimmingWhitespace
        guard t.hasPrefix("$") else { return nil }
        return number(String(t.dropFirst()).replacingOccurrences(of: ",", with: ""))
    }

    /// A fraction: `70%` or a bare number in [0, 1]. Returns the fraction; range is checked by the caller.
    static func fraction(_ text: String) -> Double? {
        let t = text.trimmingWhitespace
        if t.hasSuffix("%") { return number(String(t.dropLast())).map { $0 / 100 } }
        return number(t)
    }

    /// Splits `250ms` into (250, "ms").
    private static func splitNumber(_ t: String) -> (Double, String)? {
        // The unit starts at the first letter (units never start with "e", so exponents are not supported here).
        guard let idx = t.firstIndex(where: { $0.isLetter || $0 == "µ" }) else { return nil }
        guard let value = number(String(t[..<idx])) else { return nil }
        return (value, String(t[idx...]).trimmingWhitespace)
    }
}

extension String {
    var trimmingWhitespace: String { trimmingCharacters(in: .whitespaces) }
    var replacingUnderscores: String { replacingOccurrences(of: "_", with: "") }
}
