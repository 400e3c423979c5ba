/// Calendar arithmetic on instants, without Foundation: the days-from-civil algorithms of
/// Howard Hinnant (proleptic Gregorian calendar), for budget windows that follow calendar days and months.
public enum CivilTime {
    public static let nanosPerDay: Int64 = 86_400_000_000_000
    /// Whole years whose instants fit in 64-bit nanoseconds since 1970 (which span 1677-09-21 to 2262-04-11).
    public static let representableYears = 1678...2261

    /// Days since 1970-01-01 of the civil date `year-month-day`.
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of `days` since 1970-01-01.
    public static func date(days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    /// Days in `month` of `year`.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        let next = month == 12 ? (year + 1, 1) : (year, month + 1)
        return Int(days(year: next.0, month: next.1, day: 1) - days(year: year, month: month, day: 1))
    }

    /// Day of the week, 0 = Monday … 6 = Sunday.
    public static func weekday(days: Int64) -> Int {
        // 1970-01-01 was a Thursday (3).
        Int(((days % 7) + 7 + 3) % 7)
    }

    /// Floor division that rounds towards minus infinity (instants before 1970 stay correct).
    @inlinable static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }
}

/// Maps simulated time to calendar windows: simulated time 0 is the instant `epochNanos` (nanoseconds
/// since 1970-01-01T00:00:00Z), and windows follow the civil calendar at a fixed UTC offset, or in a named
/// zone (``zone``) at the offset the zone has at each instant (daylight saving time included).
public struct BudgetCalendar: Hashable, Sendable {
    public var epochNanos: Int64
    /// Offset of the budget's time zone from UTC, seconds (e.g. 3600 for +01:00); used when ``zone`` is `nil`.
    public var utcOffsetSeconds: Int
    /// A named zone's offsets over time; `nil`: the fixed ``utcOffsetSeconds``.
    public var zone: UTCOffsetTable?

    public init(epochNanos: Int64 = 0, utcOffsetSeconds: Int = 0, zone: UTCOffsetTable? = nil) {
        self.epochNanos = epochNanos
        self.utcOffsetSeconds = utcOffsetSeconds
        self.zone = zone
    }

    /// The offset from UTC, seconds, in force at simulated time `now`.
    public func offsetSeconds(at now: Nanoseconds) -> Int {
        guard let zone else { return utcOffsetSeconds }
        return zone.offset(atEpochSeconds: CivilTime.floorDiv(epochNanos + now, 1_000_000_000))
    }

    /// Local time at simulated time `now`: nanoseconds since 1970-01-01T00:00 on the budget's wall clock.
    public func localNanos(at now: Nanoseconds) -> Int64 {
        epochNanos + now + Int64(offsetSeconds(at: now)) * 1_000_000_000
    }

    /// Local civil day number (days since 1970-01-01 in the budget's zone) at simulated time `now`.
    public func day(at now: Nanoseconds) -> Int64 {
        CivilTime.floorDiv(localNanos(at: now), CivilTime.nanosPerDay)
    }

    /// Local month number (year × 12 + month − 1) at simulated time `now`.
    public func month(at now: Nanoseconds) -> Int64 {
        let d = CivilTime.date(days: day(at: now))
        return Int64(d.year) * 12 + Int64(d.month - 1)
    }

    /// Simulated time at which local day `day` begins (its local midnight).
    public func start(ofDay day: Int64) -> Nanoseconds {
        let local = day * CivilTime.nanosPerDay - epochNanos
        guard zone != nil else { return local - Int64(utcOffsetSeconds) * 1_000_000_000 }
        // Midnight's offset is that of the instant itself: guess with the offset at the local time read as
        // UTC, then correct once with the offset at the guess.
        var t = local - Int64(offsetSeconds(at: local)) * 1_000_000_000
        let corrected = local - Int64(offsetSeconds(at: t)) * 1_000_000_000
        if corrected != t { t = corrected }
        return t
    }
}
