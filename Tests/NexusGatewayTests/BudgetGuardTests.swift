import NexusGateway
import Testing

/// A deterministic generator for the property tests (SplitMix64), so every run checks the same cases.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct BudgetGuardTests {
    static let hour: Int64 = 3_600_000_000_000
    static let day: Int64 = 24 * hour

    @Test func reservationsHoldRoomUntilSettled() {
        var guardian = LoggedBudget(policy: BudgetPolicy(dailyLimit: USD(10)))
        let a = guardian.reserve(USD(4), user: 0, at: 0)
        let b = guardian.reserve(USD(4), user: 0, at: 1)
        #expect(a != nil && b != nil)
        #expect(guardian.reserve(USD(4), user: 0, at: 2) == nil)  // 4 + 4 + 4 > 10
        #expect(guardian.ceiling(user: 0, at: 3) == USD(2))
        guardian.settle(a!, actualCost: USD(1), at: 4)
        #expect(guardian.ceiling(user: 0, at: 5) == USD(5))           // 10 − 1 settled − 4 reserved
        #expect(guardian.reserve(USD(5), user: 0, at: 6) != nil)
        #expect(guardian.firstExhaustion?.window == .day)
    }

    /// Property: for any interleaving of concurrent requests (reserve, later settle at or below the
    /// reservation), settled spend never exceeds a hard limit, and each threshold alert fires exactly once
    /// per window — exactly when the window's settled spend reaches it. Spend belongs to the day of the
    /// reservation, however late it settles.
    @Test(arguments: 0..<200)
    func hardLimitNeverExceededAndAlertsFireOncePerWindow(seed: Int) {
        var rng = SplitMix(state: UInt64(seed))
        let limit = USD(Double.random(in: 1...20, using: &rng))
        var guardian = LoggedBudget(policy: BudgetPolicy(dailyLimit: limit, alertThresholds: [0.7, 0.85, 0.95]))
        var inFlight: [(reservation: BudgetGuard.Reservation, actual: USD, day: Int64)] = []
        var settledByDay: [Int64: Double] = [:]
        var alertDays: [(day: Int64, threshold: Double)] = []
        var now: Int64 = 0
        for _ in 0..<400 {
            now += Int64.random(in: 0...(Self.hour / 4), using: &rng)  // about four days in all
            if !inFlight.isEmpty, Bool.random(using: &rng) {
                let (reservation, actual, day) = inFlight.remove(at: Int.random(in: 0..<inFlight.count, using: &rng))
                let fired = guardian.settle(reservation, actualCost: actual, at: now)
                settledByDay[day, default: 0] += actual.dollars
                alertDays += fired.filter { $0.window == .day }.map { (day, $0.threshold) }
                #expect(settledByDay[day]! <= limit.dollars + 1e-9)
            } else {
                let worst = USD(Double.random(in: 0.01...3, using: &rng))
                if let r = guardian.reserve(worst, user: 0, at: now) {
                    inFlight.append((r, USD(worst.dollars * Double.random(in: 0...1, using: &rng)), now / Self.day))
                }
            }
        }
        #expect(guardian.overspend == .zero)
        // Each (day, threshold) fired at most once, and fired iff that day's settled spend reached it.
        let keys = alertDays.map { "\($0.day)-\($0.threshold)" }
        #expect(Set(keys).count == keys.count)
        #expect(guardian.alerts.filter { $0.window == .day }.count == alertDays.count)
        for (day, spent) in settledByDay {
            #expect(abs(guardian.dailySpend[day]!.dollars - spent) < 1e-9)
            for threshold in [0.7, 0.85, 0.95] {
                let fired = alertDays.contains { $0.day == day && $0.threshold == threshold }
                #expect(fired == (spent >= threshold * limit.dollars - 1e-9), "day \(day) spent \(spent) of \(limit.dollars)")
            }
        }
    }

    @Test func windowsFollowTheCalendarAndTimeZone() {
        // Time 0 is 2026-12-31 22:00 UTC; at UTC+02:00 that is already 2027-01-01.
        let epoch = CivilTime.days(year: 2026, month: 12, day: 31) * CivilTime.nanosPerDay + 22 * Self.hour
        let utc = BudgetCalendar(epochNanos: epoch, utcOffsetSeconds: 0)
        let plusTwo = BudgetCalendar(epochNanos: epoch, utcOffsetSeconds: 7200)
        #expect(utc.month(at: 0) == 2026 * 12 + 11)
        #expect(plusTwo.month(at: 0) == 2027 * 12 + 0)
        #expect(utc.month(at: 2 * Self.hour) == 2027 * 12)
        #expect(utc.start(ofDay: utc.day(at: 3 * Self.hour)) == 2 * Self.hour)
        // The monthly window resets at the month boundary; the alert fires again in the new month.
        var guardian = LoggedBudget(policy: BudgetPolicy(monthlyLimit: USD(10), alertThresholds: [0.5], calendar: utc))
        guardian.settle(guardian.reserve(USD(6), user: 0, at: 0)!, actualCost: USD(6), at: Self.hour)
        #expect(guardian.reserve(USD(6), user: 0, at: Self.hour + 1) == nil)
        let january = guardian.reserve(USD(6), user: 0, at: 3 * Self.hour)
        #expect(january != nil)
        guardian.settle(january!, actualCost: USD(6), at: 3 * Self.hour)
        #expect(guardian.alerts.map(\.threshold) == [0.5, 0.5])
        #expect(guardian.monthSpend == USD(6))
    }

    @Test func perUserWindowsAreIndependent() {
        var guardian = LoggedBudget(policy: BudgetPolicy(perUserMonthlyLimit: USD(10)))
        #expect(guardian.reserve(USD(9), user: 1, at: 0) != nil)
        #expect(guardian.reserve(USD(9), user: 1, at: 1) == nil)
        #expect(guardian.reserve(USD(9), user: 2, at: 2) != nil)
        #expect(guardian.usersAtCap == [1])
        #expect(guardian.ceiling(user: 3, at: 3) == USD(10))
    }

    @Test func alertActionNeverRefusesAndReportsOverspend() {
        var guardian = LoggedBudget(policy: BudgetPolicy(monthlyLimit: USD(5), perUserMonthlyLimit: USD(100), action: .alert))
        #expect(guardian.ceiling(user: 0, at: 0) == nil)
        for i in 0..<4 {
            let r = guardian.reserve(USD(2), user: 0, at: Int64(i))
            #expect(r != nil)
            guardian.settle(r!, actualCost: USD(2), at: Int64(i))
        }
        #expect(guardian.overspend == USD(3))
        #expect(guardian.firstExhaustion?.window == .month)
        #expect(guardian.firstExhaustion?.at == 2)  // the third settlement reached $6 ≥ $5
        #expect(guardian.alerts.map(\.threshold) == [0.7, 0.85, 0.95])
    }

    @Test func refusalNotesTheTightestWindow() {
        var guardian = LoggedBudget(policy: BudgetPolicy(monthlyLimit: USD(100), dailyLimit: USD(10)))
        guardian.settle(guardian.reserve(USD(9), user: 0, at: 0)!, actualCost: USD(9), at: 0)
        guardian.noteRefusal(user: 0, at: 1)
        #expect(guardian.firstExhaustion?.window == .day)
        #expect(guardian.firstExhaustionByWindow[.month] == nil)
    }

    @Test func civilCalendar() {
        #expect(CivilTime.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilTime.days(year: 2000, month: 3, day: 1) == 11_017)
        #expect(CivilTime.daysInMonth(year: 2024, month: 2) == 29)
        #expect(CivilTime.daysInMonth(year: 2100, month: 2) == 28)
        #expect(CivilTime.daysInMonth(year: 2026, month: 12) == 31)
        #expect(CivilTime.weekday(days: CivilTime.days(year: 2026, month: 11, day: 27)) == 4)  // a Friday
        for d in stride(from: Int64(-800_000), to: 800_000, by: 997) {
            let date = CivilTime.date(days: d)
            #expect(CivilTime.days(year: date.year, month: date.month, day: date.day) == d)
        }
    }
}
