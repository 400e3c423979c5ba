/// Enforces budgets with reservations, so that a hard limit is never exceeded however many requests are
/// in flight (the overspend LiteLLM's post-hoc accounting allows).
///
/// Before an attempt is dispatched the caller reserves its worst-case cost (prompt + `max_tokens` output,
/// priced); when the attempt ends it settles to the actual cost, which can only be lower. A window admits a
/// reservation only if `settled + reserved + worst case <= limit`. Windows follow the calendar of the
/// policy's ``BudgetCalendar`` (month, day; per user and per team by month) and reset when a new one starts.
/// Alerts fire once per window per threshold, on settled spend.
///
/// A state machine: it is given the time, never reads a clock. Every operation is O(1) expected.
public struct BudgetGuard: Sendable {
    public let policy: BudgetPolicy

    struct Window: Sendable {
        var id: Int64 = .min
        var settled = USD.zero
        var reserved = USD.zero
        /// Bit i set once threshold i has alerted in this window.
        var alerted: UInt32 = 0
        var exhausted = false
    }

    /// A granted reservation; hand it back to ``settle(_:actualCost:at:)``.
    public struct Reservation: Sendable, Hashable {
        public var amount: USD
        public var user: Int
        public var team: Int?
        var month: Int64
        var day: Int64

        public static let none = Reservation(amount: .zero, user: -1, team: nil, month: .min, day: .min)
    }

    private var month = Window()
    private var day = Window()
    private var users: [Int: Window] = [:]
    private var teams: [Int: Window] = [:]

    /// Alerts fired so far, in order.
    public private(set) var alerts: [BudgetAlert] = []
    /// First time a limit refused a reservation (or, with action `alert`, first time spend reached a limit).
    public private(set) var firstExhaustion: (at: Nanoseconds, window: BudgetWindowKind)?
    /// The same, for each kind of window (e.g. when the monthly budget ran out, after daily caps did).
    public private(set) var firstExhaustionByWindow: [BudgetWindowKind: Nanoseconds] = [:]
    /// Users whose monthly cap refused (or, with `alert`, was reached) at least once.
    public private(set) var usersAtCap: Set<Int> = []
    /// Spend above a limit in any window so far (only possible with action `alert`).
    public private(set) var overspend = USD.zero
    /// Settled spend per local day, keyed by local day number.
    public private(set) var dailySpend: [Int64: USD] = [:]

    public init(policy: BudgetPolicy) { self.policy = policy }

    /// The most an attempt may cost now without breaking a hard limit for this user and team; `nil` when no
    /// limit applies (no budget, or action `alert`).
    public mutating func ceiling(user: Int, team: Int? = nil, at now: Nanoseconds) -> USD? {
        guard policy.action != .alert else { return nil }
        roll(to: now)
        var c: USD?
        func tighten(_ limit: USD?, _ w: Window) {
            guard let limit else { return }
            let room = limit - w.settled - w.reserved
            c = c.map { min($0, room) } ?? room
        }
        tighten(policy.monthlyLimit, month)
        tighten(policy.dailyLimit, day)
        if policy.perUserMonthlyLimit != nil { tighten(policy.perUserMonthlyLimit, userWindow(user, now)) }
        if let team, policy.perTeamMonthlyLimit != nil { tighten(policy.perTeamMonthlyLimit, teamWindow(team, now)) }
        return c.map { max($0, .zero) }
    }

    /// Reserves `worstCase` for an attempt, or refuses it (returning `nil`) when a hard limit would be
    /// exceeded. With action `alert` every reservation is granted.
    public mutating func reserve(_ worstCase: USD, user: Int, team: Int? = nil, at now: Nanoseconds) -> Reservation? {
        roll(to: now)
        let m = policy.calendar.month(at: now), d = policy.calendar.day(at: now)
        if policy.action != .alert {
            if let limit = policy.monthlyLimit, month.settled + month.reserved + worstCase > limit {
                exhaust(.month, at: now); return nil
            }
            if let limit = policy.dailyLimit, day.settled + day.reserved + worstCase > limit {
                exhaust(.day, at: now); return nil
            }
            if let limit = policy.perUserMonthlyLimit {
                let w = userWindow(user, now)
                if w.settled + w.reserved + worstCase > limit {
                    usersAtCap.insert(user)
                    exhaust(.userMonth, at: now); return nil
                }
            }
            if let team, let limit = policy.perTeamMonthlyLimit {
                let w = teamWindow(team, now)
                if w.settled + w.reserved + worstCase > limit { exhaust(.teamMonth, at: now); return nil }
            }
        }
        month.reserved += worstCase
        day.reserved += worstCase
        if policy.perUserMonthlyLimit != nil {
            var w = userWindow(user, now)
            w.reserved += worstCase
            users[user] = w
        }
        if let team, policy.perTeamMonthlyLimit != nil {
            var w = teamWindow(team, now)
            w.reserved += worstCase
            teams[team] = w
        }
        return Reservation(amount: worstCase, user: user, team: team, month: m, day: d)
    }

    /// Records that a request was refused because no model's worst case fitted under ``ceiling(user:team:at:)``:
    /// the tightest window is the one exhausted.
    public mutating func noteRefusal(user: Int, team: Int? = nil, at now: Nanoseconds) {
        roll(to: now)
        var tightest: (room: USD, kind: BudgetWindowKind)?
        func consider(_ limit: USD?, _ w: Window, _ kind: BudgetWindowKind) {
            guard let limit else { return }
            let room = limit - w.settled - w.reserved
            if tightest == nil || room < tightest!.room { tightest = (room, kind) }
        }
        consider(policy.monthlyLimit, month, .month)
        consider(policy.dailyLimit, day, .day)
        if policy.perUserMonthlyLimit != nil { consider(policy.perUserMonthlyLimit, userWindow(user, now), .userMonth) }
        if let team, policy.perTeamMonthlyLimit != nil { consider(policy.perTeamMonthlyLimit, teamWindow(team, now), .teamMonth) }
        guard let kind = tightest?.kind else { return }
        if kind == .userMonth { usersAtCap.insert(user) }
        exhaust(kind, at: now)
    }

    /// Settles a reservation to the attempt's actual cost (at most the reserved amount) and returns the
    /// alerts this crossed.
    @discardableResult
    public mutating func settle(_ reservation: Reservation, actualCost: USD, at now: Nanoseconds) -> [BudgetAlert] {
        roll(to: now)
        // Release the reservation from the windows it was made in, if they are still current.
        if month.id == reservation.month { month.reserved -= reservation.amount }
        if day.id == reservation.day { day.reserved -= reservation.amount }
        if policy.perUserMonthlyLimit != nil, users[reservation.user]?.id == reservation.month {
            users[reservation.user]!.reserved -= reservation.amount
        }
        if let team = reservation.team, policy.perTeamMonthlyLimit != nil, teams[team]?.id == reservation.month {
            teams[team]!.reserved -= reservation.amount
        }
        // The spend lands in the windows current at settlement.
        var fired: [BudgetAlert] = []
        month.settled += actualCost
        day.settled += actualCost
        dailySpend[day.id, default: .zero] += actualCost
        var m = month, d = day
        check(&m, limit: policy.monthlyLimit, kind: .month, owner: nil, at: now, into: &fired)
        check(&d, limit: policy.dailyLimit, kind: .day, owner: nil, at: now, into: &fired)
        month = m
        day = d
        if policy.perUserMonthlyLimit != nil {
            var w = userWindow(reservation.user, now)
            w.settled += actualCost
            check(&w, limit: policy.perUserMonthlyLimit, kind: .userMonth, owner: reservation.user, at: now, into: &fired)
            users[reservation.user] = w
        }
        if let team = reservation.team, policy.perTeamMonthlyLimit != nil {
            var w = teamWindow(team, now)
            w.settled += actualCost
            check(&w, limit: policy.perTeamMonthlyLimit, kind: .teamMonth, owner: team, at: now, into: &fired)
            teams[team] = w
        }
        alerts += fired
        return fired
    }

    /// Settled spend in the current month and day windows.
    public var monthSpend: USD { month.settled }
    public var daySpend: USD { day.settled }

    // MARK: Windows

    private mutating func roll(to now: Nanoseconds) {
        let m = policy.calendar.month(at: now), d = policy.calendar.day(at: now)
        if month.id != m { month = Window(id: m) }
        if day.id != d { day = Window(id: d) }
    }

    private mutating func userWindow(_ user: Int, _ now: Nanoseconds) -> Window {
        let m = policy.calendar.month(at: now)
        if users[user]?.id != m { users[user] = Window(id: m) }
        return users[user]!
    }

    private mutating func teamWindow(_ team: Int, _ now: Nanoseconds) -> Window {
        let m = policy.calendar.month(at: now)
        if teams[team]?.id != m { teams[team] = Window(id: m) }
        return teams[team]!
    }

    private mutating func exhaust(_ kind: BudgetWindowKind, at now: Nanoseconds) {
        if firstExhaustion == nil { firstExhaustion = (now, kind) }
        if firstExhaustionByWindow[kind] == nil { firstExhaustionByWindow[kind] = now }
    }

    /// Fires the thresholds `w`'s settled spend has crossed and notes exhaustion and overspend.
    private mutating func check(_ w: inout Window, limit: USD?, kind: BudgetWindowKind, owner: Int?, at now: Nanoseconds,
                                into fired: inout [BudgetAlert]) {
        guard let limit, limit > .zero else { return }
        let share = w.settled.dollars / limit.dollars
        for (i, threshold) in policy.alertThresholds.enumerated() where share >= threshold && w.alerted & (1 << UInt32(i)) == 0 {
            w.alerted |= 1 << UInt32(i)
            fired.append(BudgetAlert(at: now, window: kind, owner: owner, threshold: threshold, spent: w.settled, limit: limit))
        }
        if w.settled > limit { overspend = max(overspend, w.settled - limit) }
        if w.settled >= limit, !w.exhausted {
            w.exhausted = true
            if kind == .userMonth, let owner { usersAtCap.insert(owner) }
            exhaust(kind, at: now)
        }
    }
}
