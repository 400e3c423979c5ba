import NexusGateway

/// Exact parsing of recorded timestamps into integer nanoseconds (no floating point, so a replay keeps
/// every digit the trace has).
public enum TimestampParser {
    /// `YYYY-MM-DD[T| ]hh:mm:ss[.fraction][Z|±hh:mm]` → nanoseconds since the Unix epoch (UTC; no zone means UTC).
    /// At most 9 fractional digits are kept exactly; more are rejected. Returns `nil` when malformed, or outside
    /// the years ``CivilTime/representableYears`` (1678–2261, where nanoseconds since 1970 fit 64 bits).
    public static func iso8601Nanos<S: Collection<UInt8>>(_ text: S) -> Int64? where S.Index == Int {
        var i = text.startIndex
        let end = text.endIndex
        func digits(_ n: Int) -> Int? {
            guard text.distance(from: i, to: end) >= n else { return nil }
            var v = 0
            for _ in 0..<n {
                let c = text[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
                i += 1
            }
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < end, text[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(UInt8(ascii: "-")), let month = digits(2), expect(UInt8(ascii: "-")),
              let day = digits(2), (1...12).contains(month), (1...31).contains(day),
              CivilTime.representableYears.contains(year) else { return nil }
        guard i < end, text[i] == UInt8(ascii: "T") || text[i] == UInt8(ascii: " ") else { return nil }
        i += 1
        guard let hour = digits(2), expect(UInt8(ascii: ":")), let minute = digits(2), expect(UInt8(ascii: ":")),
              let second = digits(2), hour < 24, minute < 60, second < 61 else { return nil }
        var nanos: Int64 = 0
        if i < end, text[i] == UInt8(ascii: ".") {
            i += 1
            var count = 0
            while i < end, text[i] >= 48, text[i] <= 57 {
                guard count < 9 else { return nil }
                nanos = nanos * 10 + Int64(text[i] - 48)
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<9 { nanos *= 10 }
        }
        var offsetSeconds = 0
        if i < end {
            if text[i] == UInt8(ascii: "Z") {
                i += 1
            } else if text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-") {
                let sign = text[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let oh = digits(2) else { return nil }
                _ = expect(UInt8(ascii: ":"))
                guard let om = digits(2) else { return nil }
                offsetSeconds = sign * (oh * 3600 + om * 60)
            }
        }
        guard i == end else { return nil }
        let days = Int(CivilTime.days(year: year, month: month, day: day))
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return seconds * 1_000_000_000 + nanos
    }

    /// A decimal number of `unit`s (`12`, `1.5`, `-3`) → nanoseconds, exactly (digits beyond a nanosecond
    /// are rejected). Exponents are not accepted.
    public static func decimalNanos<S: Collection<UInt8>>(_ text: S, unitNanos: Int64) -> Int64? where S.Index == Int {
        var i = text.startIndex
        let end = text.endIndex
        guard i < end else { return nil }
        var negative = false
        if text[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var whole: Int64 = 0
        var sawDigit = false
        while i < end, text[i] >= 48, text[i] <= 57 {
            let (m, o1) = whole.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(text[i] - 48))
            guard !o1, !o2 else { return nil }
            whole = a
            sawDigit = true
            i += 1
        }
        var fraction: Int64 = 0
        var scale: Int64 = 1
        if i < end, text[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, text[i] >= 48, text[i] <= 57 {
                if scale < 1_000_000_000 {
                    fraction = fraction * 10 + Int64(text[i] - 48)
                    scale *= 10
                } else if text[i] != 48 {
                    return nil
                }
                sawDigit = true
                i += 1
            }
        }
        guard sawDigit, i == end else { return nil }
        let (w, o) = whole.multipliedReportingOverflow(by: unitNanos)
        guard !o else { return nil }
        // fraction/scale of a unit, in nanoseconds; must be a whole number of nanoseconds.
        let (fn, o3) = fraction.multipliedReportingOverflow(by: unitNanos)
        guard !o3, fn % scale == 0 else { return nil }
        let total = w + fn / scale
        return negative ? -total : total
    }
}
