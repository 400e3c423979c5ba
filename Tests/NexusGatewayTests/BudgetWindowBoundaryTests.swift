import NexusGateway
import Testing

/// Reservations that straddle a window boundary: an attempt's cost belongs to the window it was reserved in,
/// so a window that ends with attempts in flight keeps them, and the next window starts with its full room.
@Suite struct BudgetWindowBoundaryTests {
    static let second: Int64 = 1_000_000_000
    static let hour: Int64 = 3600 * second
    static let day: Int64 = 24 * hour
    /// Time 0 is 2026-12-31T23:00:00Z: one hour before both a day and a month boundary.
    static let calendar = BudgetCalendar(epochNanos: CivilTime.days(year: 2026, month: 12, day: 31) * CivilTime.nanosPerDay + 23 * hour)

    @Test func aReservationOutstandingAtMidnightSettlesInTheDayItWasReservedIn() {
        var guardian = LoggedBudget(policy: BudgetPolicy(dailyLimit: USD(40), calendar: Self.calendar))
        let december = Self.calendar.day(at: 0)
        // $40 of calls reserved a minute before midnight, in flight across it.
        let late = (0..<4).map { _ in guardian.reserve(USD(10), user: 0, at: Self.hour - 60 * Self.second)! }
        #expect(guardian.reserve(USD(1), user: 0, at: Self.hour - 30 * Self.second) == nil)
        // After midnight the new day has its whole $40, untouched by the old day's reservations…
        #expect(guardian.ceiling(user: 0, at: Self.hour + 1) == USD(40))
        let january = (0..<4).map { _ in guardian.reserve(USD(10), user: 0, at: Self.hour + 2)! }
        #expect(guardian.reserve(USD(1), user: 0, at: Self.hour + 3) == nil)
        // …and the old reservations settle into the old day when they end, 70 s later.
        for r in late { guardian.settle(r, actualCost: USD(9), at: Self.hour + 10 * Self.second) }
        for r in january { guardian.settle(r, actualCost: USD(10), at: Self.hour + 70 * Self.second) }
        #expect(guardian.dailySpend == [december: USD(36), december + 1: USD(40)])
        #expect(guardian.daySpend == USD(40))
        #expect(guardian.overspend == .zero)
        #expect(guardian.outstandingReservations == 0)
        // The month boundary is the same instant: December has $36, January $40.
        #expect(guardian.monthlySpend == [2026 * 12 + 11: USD(36), 2027 * 12: USD(40)])
    }

    @Test func alertsOfAnEndedWindowFireOnItsOwnSpend() {
        var guardian = LoggedBudget(policy: BudgetPolicy(monthlyLimit: USD(10), alertThresholds: [0.5], calendar: Self.calendar))
        let r = guardian.reserve(USD(6), user: 0, at: 0)!
        // Settled in January, the $6 still counts against December: its 50 % alert fires; January's does not.
        let fired = guardian.settle(r, actualCost: USD(6), at: 2 * Self.hour)
        #expect(fired.map(\.threshold) == [0.5])
        #expect(guardian.monthSpend == .zero)
        #expect(guardian.ceiling(user: 0, at: 2 * Self.hour) == USD(10))
    }

    @Test func releaseGivesTheRoomBackToTheReservationsWindow() {
        var guardian = LoggedBudget(policy: BudgetPolicy(perUserMonthlyLimit: USD(5), perTeamMonthlyLimit: USD(8), calendar: Self.calendar))
        let a = guardian.reserve(USD(5), user: 1, team: 7, at: 0)!
        #expect(guardian.reserve(USD(1), user: 1, team: 7, at: 1) == nil)
        guardian.release(a, at: 2)
        #expect(guardian.ceiling(user: 1, team: 7, at: 3) == USD(5))
        #expect(guardian.outstandingReservations == 0)
    }

    /// Property: random interleavings of reserve, settle, release and time jumps (small steps, and jumps over
    /// day and month boundaries) under month, day, per-user and per-team limits. Every window's settled spend
    /// stays within its limit, `overspend` stays zero, the daily and monthly spend the guard reports is exactly
    /// the spend of the attempts reserved in each window, and both add up to the total cost.
    @Test(arguments: 0..<300)
    func everyWindowStaysWithinItsLimitAcrossBoundaries(seed: Int) {
        var rng = SplitMix(state: UInt64(seed) &* 7919 &+ 1)
        // Start a few hours before a month's end, in a random zone.
        let offset = Int.random(in: -12...14, using: &rng) * 3600
        let calendar = BudgetCalendar(epochNanos: CivilTime.days(year: 2027, month: Int.random(in: 1...12, using: &rng), day: 1)
                                      * CivilTime.nanosPerDay - Int64.random(in: 0...(6 * Self.hour), using: &rng), utcOffsetSeconds: offset)
        let limits = (month: USD(Double.random(in: 20...60, using: &rng)), day: USD(Double.random(in: 5...25, using: &rng)),
                      user: USD(Double.random(in: 3...15, using: &rng)), team: USD(Double.random(in: 6...30, using: &rng)))
        let action: BudgetAction = Bool.random(using: &rng) ? .block : .downgrade
        var guardian = LoggedBudget(policy: BudgetPolicy(monthlyLimit: limits.month, dailyLimit: limits.day,
                                                        perUserMonthlyLimit: limits.user, perTeamMonthlyLimit: limits.team,
                                                        action: action, calendar: calendar))
        struct InFlight { var reservation: BudgetGuard.Reservation; var actual: USD; var month: Int64; var day: Int64 }
        var inFlight: [InFlight] = []
        var byMonth: [Int64: Double] = [:], byDay: [Int64: Double] = [:]
        var byUser: [String: Double] = [:], byTeam: [String: Double] = [:]
        var total = 0.0
        var now: Int64 = 0
        func finish(_ i: Int, release: Bool) {
            let f = inFlight.remove(at: i)
            let cost = release ? USD.zero : f.actual
            if release { guardian.release(f.reservation, at: now) } else { guardian.settle(f.reservation, actualCost: cost, at: now) }
            byMonth[f.month, default: 0] += cost.dollars
            byDay[f.day, default: 0] += cost.dollars
            byUser["\(f.reservation.user)@\(f.month)", default: 0] += cost.dollars
            if let team = f.reservation.team { byTeam["\(team)@\(f.month)", default: 0] += cost.dollars }
            total += cost.dollars
        }
        for _ in 0..<600 {
            switch Int.random(in: 0..<20, using: &rng) {
            case 0:  // a jump: to just before the next local midnight, or over one or more days
                let nextDay = calendar.start(ofDay: calendar.day(at: now) + 1)
                now = Bool.random(using: &rng) ? max(now, nextDay - Int64.random(in: 1...(90 * Self.second), using: &rng))
                                               : now + Int64.random(in: 1...(3 * Self.day), using: &rng)
            case 1...8:
                let worst = USD(Double.random(in: 0.01...4, using: &rng))
                let user = Int.random(in: 0..<4, using: &rng)
                let team: Int? = Bool.random(using: &rng) ? Int.random(in: 0..<3, using: &rng) : nil
                let room = guardian.ceiling(user: user, team: team, at: now)!
                if let r = guardian.reserve(worst, user: user, team: team, at: now) {
                    #expect(worst <= room)
                    inFlight.append(InFlight(reservation: r, actual: USD(worst.dollars * Double.random(in: 0...1, using: &rng)),
                                             month: calendar.month(at: now), day: calendar.day(at: now)))
                } else {
                    #expect(worst > room)
                }
            case 9...16 where !inFlight.isEmpty:
                finish(Int.random(in: 0..<inFlight.count, using: &rng), release: false)
            case 17 where !inFlight.isEmpty:
                finish(Int.random(in: 0..<inFlight.count, using: &rng), release: true)
            default:
                now += Int64.random(in: 0...(20 * Self.second), using: &rng)  // calls lasting up to a minute or so
            }
            #expect(guardian.outstandingReservations == inFlight.count)
        }
        now += Self.day
        while !inFlight.isEmpty { finish(inFlight.count - 1, release: false) }
        #expect(guardian.outstandingReservations == 0)
        #expect(guardian.overspend == .zero)
        for (_, spent) in byMonth { #expect(spent <= limits.month.dollars + 1e-9) }
        for (_, spent) in byDay { #expect(spent <= limits.day.dollars + 1e-9) }
        for (_, spent) in byUser { #expect(spent <= limits.user.dollars + 1e-9) }
        for (_, spent) in byTeam { #expect(spent <= limits.team.dollars + 1e-9) }
        for (day, usd) in guardian.dailySpend {
            #expect(usd.dollars <= limits.day.dollars + 1e-9)
            #expect(abs(usd.dollars - byDay[day]!) < 1e-9)
        }
        for (month, usd) in guardian.monthlySpend {
            #expect(usd.dollars <= limits.month.dollars + 1e-9)
            #expect(abs(usd.dollars - byMonth[month]!) < 1e-9)
        }
        #expect(abs(guardian.dailySpend.values.reduce(0) { $0 + $1.dollars } - total) < 1e-9)
        #expect(abs(guardian.monthlySpend.values.reduce(0) { $0 + $1.dollars } - total) < 1e-9)
        #expect(byDay.count > 1)  // the case crossed at least one boundary
    }
}
