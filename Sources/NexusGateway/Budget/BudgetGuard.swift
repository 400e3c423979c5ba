/// Enforces budgets with reservations, so that a hard limit is never exceeded however many requests are
/// in flight (the overspend LiteLLM's post-hoc accounting allows).
///
/// Before an attempt is dispatched the caller reserves its worst-case cost (prompt + `max_tokens` output,
/// priced); when the attempt ends it settles to the actual cost, which can only be lower. A window admits a
/// reservation only if `settled + reserved + worst case <= limit`. Windows follow the calendar of the
/// policy's ``BudgetCalendar`` (month, day; per user and per team by month) and reset when a new one starts.
/// Alerts fire once per window per threshold, on settled spend.
///
/// An attempt's cost belongs to the windows in which it was *reserved*, whenever it settles: the money was
/// committed then, against that window's room. A reservation outstanding when its window ends stays counted
/// against the old window and settles there; the new window starts empty and never sees it. So with action
/// `block` or `downgrade` every window's settled spend stays at or below its limit (no overspend),
/// and the spend of all windows of one kind adds up to the total cost.
///
/// The policy's ``BudgetReservation`` says what an attempt holds: its worst case (`worst_case`, the default),
/// its `max_tokens` lowered to what the room covers (`clamp`, see ``admit(price:inputTokens:maxOutputTokens:user:team:at:)``),
/// or nothing, admitting while settled spend is below the limit (`none`, LiteLLM's rule, which can overspend).
///
/// What the guard observes — alerts, exhaustion, overspend, each settlement's cost and window — it returns
/// as ``BudgetEvent`` values appended to the caller's `events`; it keeps no log of them.
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
        /// Reservations made in this window and not yet settled.
        var outstanding = 0
    }

    /// A per-user or per-team window that ended with reservations still outstanding.
    struct OwnerWindow: Hashable, Sendable {
        var owner: Int
        var id: Int64
    }

    /// A granted reservation; hand it back to ``settle(_:actualCost:at:)``.
    public struct Reservation: Sendable, Hashable {
        public var amount: USD
        public var user: Int
        public var team: Int?
        /// The local month (year × 12 + month − 1) and day (since 1970-01-01) the reservation was made in.
        public internal(set) var month: Int64
        public internal(set) var day: Int64

        public static let none = Reservation(amount: .zero, user: -1, team: nil, month: .min, day: .min)
    }

    private var month = Window()
    private var day = Window()
    private var users: [Int: Window] = [:]
    private var teams: [Int: Window] = [:]
    /// Windows that have ended but still hold outstanding reservations, which settle into them. Emptied as
    /// those settle, so they hold at most the windows of attempts in flight at a boundary.
    private var endedMonths: [Int64: Window] = [:]
    private var endedDays: [Int64: Window] = [:]
    private var endedUsers: [OwnerWindow: Window] = [:]
    private var endedTeams: [OwnerWindow: Window] = [:]

    public init(policy: BudgetPolicy) { self.policy = policy }

    /// The most an attempt may cost now without breaking a hard limit for this user and team; `nil` when no
    /// limit applies (no budget, or action `alert`).
    ///
    /// With reservation `none` no room is held: `nil` while every window's settled spend is below its limit,
    /// zero once one has reached it.
    public mutating func ceiling(user: Int, team: Int? = nil, at now: Nanoseconds) -> USD? {
        guard policy.action != .alert else { return nil }
        roll(to: now)
        if policy.reservation == .none { return settledReachedLimit(user: user, team: team, now) == nil ? nil : .zero }
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

    /// Admits an attempt to a model of price `price` under the policy's reservation mode, or refuses it
    /// (returning `nil`), and says how many output tokens it may ask for:
    ///
    /// - `worst_case`: reserves prompt + `maxOutputTokens`, priced; `maxOutputTokens` as asked.
    /// - `clamp`: `max_tokens` is lowered to the most the room under every limit covers (at least one token:
    ///   an attempt whose prompt and one token do not fit is refused), and that is reserved, so spend stays
    ///   at or below each limit and reaches it within the price of one attempt.
    /// - `none`: admitted while every window's settled spend is below its limit (LiteLLM's
    ///   `spend >= max_budget` check); nothing is reserved, so attempts running together may overspend.
    ///
    /// With action `alert` every attempt is admitted with `maxOutputTokens`. A refusal appends an
    /// ``BudgetEvent/exhausted(_:owner:window:spent:limit:at:)`` event for the window that refused.
    public mutating func admit(price: ModelPrice, inputTokens: Int, maxOutputTokens: Int, user: Int, team: Int? = nil,
                               at now: Nanoseconds, events: inout [BudgetEvent]) -> (reservation: Reservation, maxTokens: Int)? {
        switch policy.reservation {
        case .worstCase:
            return reserve(price.cost(inputTokens: inputTokens, outputTokens: maxOutputTokens), user: user, team: team, at: now,
                           events: &events)
                .map { ($0, maxOutputTokens) }
        case .clamp:
            guard let room = ceiling(user: user, team: team, at: now) else {
                return reserve(price.cost(inputTokens: inputTokens, outputTokens: maxOutputTokens), user: user, team: team, at: now,
                           events: &events)
                    .map { ($0, maxOutputTokens) }
            }
            let covered = price.outputTokens(within: room, inputTokens: inputTokens, atMost: maxOutputTokens)
            let tokens = max(covered, min(1, maxOutputTokens))
            guard let granted = reserve(price.cost(inputTokens: inputTokens, outputTokens: tokens), user: user, team: team, at: now,
                           events: &events)
            else { return nil }
            return (granted, tokens)
        case .none:
            roll(to: now)
            if policy.action != .alert, let (kind, w, owner, limit) = settledReachedLimit(user: user, team: team, now) {
                exhaust(kind, w, owner: owner, limit: limit, at: now, events: &events)
                return nil
            }
            return (book(.zero, user: user, team: team, now), maxOutputTokens)
        }
    }

    /// The first window (month, day, user's, team's) whose settled spend has reached its limit, if any.
    private mutating func settledReachedLimit(user: Int, team: Int?, _ now: Nanoseconds)
        -> (kind: BudgetWindowKind, window: Window, owner: Int?, limit: USD)? {
        if let limit = policy.monthlyLimit, month.settled >= limit { return (.month, month, nil, limit) }
        if let limit = policy.dailyLimit, day.settled >= limit { return (.day, day, nil, limit) }
        if let limit = policy.perUserMonthlyLimit {
            let w = userWindow(user, now)
            if w.settled >= limit { return (.userMonth, w, user, limit) }
        }
        if let team, let limit = policy.perTeamMonthlyLimit {
            let w = teamWindow(team, now)
            if w.settled >= limit { return (.teamMonth, w, team, limit) }
        }
        return nil
    }

    /// Reserves `worstCase` for an attempt, or refuses it (returning `nil`) when a hard limit would be
    /// exceeded. With action `alert` every reservation is granted. (The `worst_case` rule of
    /// ``admit(price:inputTokens:maxOutputTokens:user:team:at:)``, whatever the policy's reservation mode.)
    public mutating func reserve(_ worstCase: USD, user: Int, team: Int? = nil, at now: Nanoseconds,
                                 events: inout [BudgetEvent]) -> Reservation? {
        roll(to: now)
        if policy.action != .alert {
            if let limit = policy.monthlyLimit, month.settled + month.reserved + worstCase > limit {
                exhaust(.month, month, owner: nil, limit: limit, at: now, events: &events); return nil
            }
            if let limit = policy.dailyLimit, day.settled + day.reserved + worstCase > limit {
                exhaust(.day, day, owner: nil, limit: limit, at: now, events: &events); return nil
            }
            if let limit = policy.perUserMonthlyLimit {
                let w = userWindow(user, now)
                if w.settled + w.reserved + worstCase > limit {
                    exhaust(.userMonth, w, owner: user, limit: limit, at: now, events: &events); return nil
                }
            }
            if let team, let limit = policy.perTeamMonthlyLimit {
                let w = teamWindow(team, now)
                if w.settled + w.reserved + worstCase > limit { exhaust(.teamMonth, w, owner: team, limit: limit, at: now, events: &events); return nil }
            }
        }
        return book(worstCase, user: user, team: team, now)
    }

    /// Holds `worstCase` in every window the attempt spends in (the windows current at `now`, already rolled).
    private mutating func book(_ worstCase: USD, user: Int, team: Int?, _ now: Nanoseconds) -> Reservation {
        let m = policy.calendar.month(at: now), d = policy.calendar.day(at: now)
        month.reserved += worstCase
        month.outstanding += 1
        day.reserved += worstCase
        day.outstanding += 1
        if policy.perUserMonthlyLimit != nil {
            var w = userWindow(user, now)
            w.reserved += worstCase
            w.outstanding += 1
            users[user] = w
        }
        if let team, policy.perTeamMonthlyLimit != nil {
            var w = teamWindow(team, now)
            w.reserved += worstCase
            w.outstanding += 1
            teams[team] = w
        }
        return Reservation(amount: worstCase, user: user, team: team, month: m, day: d)
    }

    /// Notes that a request was refused because no model's worst case fitted under ``ceiling(user:team:at:)``:
    /// the tightest window is the one exhausted (an ``BudgetEvent/exhausted(_:owner:window:spent:limit:at:)`` event).
    public mutating func noteRefusal(user: Int, team: Int? = nil, at now: Nanoseconds, events: inout [BudgetEvent]) {
        roll(to: now)
        var tightest: (room: USD, kind: BudgetWindowKind, window: Window, owner: Int?, limit: USD)?
        func consider(_ limit: USD?, _ w: Window, _ kind: BudgetWindowKind, _ owner: Int?) {
            guard let limit else { return }
            let room = limit - w.settled - w.reserved
            if tightest == nil || room < tightest!.room { tightest = (room, kind, w, owner, limit) }
        }
        consider(policy.monthlyLimit, month, .month, nil)
        consider(policy.dailyLimit, day, .day, nil)
        if policy.perUserMonthlyLimit != nil { consider(policy.perUserMonthlyLimit, userWindow(user, now), .userMonth, user) }
        if let team, policy.perTeamMonthlyLimit != nil { consider(policy.perTeamMonthlyLimit, teamWindow(team, now), .teamMonth, team) }
        guard let t = tightest else { return }
        exhaust(t.kind, t.window, owner: t.owner, limit: t.limit, at: now, events: &events)
    }

    /// Settles a reservation to the attempt's actual cost (at most the reserved amount) in the windows it was
    /// reserved in, ended or not. Appends a ``BudgetEvent/settled(day:month:user:team:cost:)`` event and the
    /// alerts, exhaustion and overspend this caused.
    public mutating func settle(_ reservation: Reservation, actualCost: USD, at now: Nanoseconds, events fired: inout [BudgetEvent]) {
        roll(to: now)
        var m = takeMonth(reservation.month)
        charge(&m, reservation, actualCost, limit: policy.monthlyLimit, kind: .month, owner: nil, at: now, into: &fired)
        putMonth(m)
        var d = takeDay(reservation.day)
        charge(&d, reservation, actualCost, limit: policy.dailyLimit, kind: .day, owner: nil, at: now, into: &fired)
        putDay(d)
        fired.append(.settled(day: reservation.day, month: reservation.month, user: reservation.user, team: reservation.team,
                              cost: actualCost))
        if policy.perUserMonthlyLimit != nil {
            let key = OwnerWindow(owner: reservation.user, id: reservation.month)
            var w = Self.take(key, current: &users, ended: &endedUsers)
            charge(&w, reservation, actualCost, limit: policy.perUserMonthlyLimit, kind: .userMonth, owner: reservation.user,
                   at: now, into: &fired)
            Self.put(w, key, current: &users, ended: &endedUsers)
        }
        if let team = reservation.team, policy.perTeamMonthlyLimit != nil {
            let key = OwnerWindow(owner: team, id: reservation.month)
            var w = Self.take(key, current: &teams, ended: &endedTeams)
            charge(&w, reservation, actualCost, limit: policy.perTeamMonthlyLimit, kind: .teamMonth, owner: team,
                   at: now, into: &fired)
            Self.put(w, key, current: &teams, ended: &endedTeams)
        }
    }

    /// Gives back a reservation whose attempt cost nothing (it was never answered or was cancelled): the same
    /// as settling it at zero cost.
    public mutating func release(_ reservation: Reservation, at now: Nanoseconds, events: inout [BudgetEvent]) {
        settle(reservation, actualCost: .zero, at: now, events: &events)
    }

    /// Reservations not yet settled, over all windows (each attempt counted once).
    public var outstandingReservations: Int {
        month.outstanding + endedMonths.values.reduce(0) { $0 + $1.outstanding }
    }

    /// Settled spend in the current month and day windows.
    public var monthSpend: USD { month.settled }
    public var daySpend: USD { day.settled }

    // MARK: Windows

    /// Starts the windows current at `now`. A window that ends with reservations outstanding is kept aside
    /// until they settle into it.
    private mutating func roll(to now: Nanoseconds) {
        let m = policy.calendar.month(at: now), d = policy.calendar.day(at: now)
        if month.id != m {
            if month.outstanding > 0 { endedMonths[month.id] = month }
            month = endedMonths.removeValue(forKey: m) ?? Window(id: m)
        }
        if day.id != d {
            if day.outstanding > 0 { endedDays[day.id] = day }
            day = endedDays.removeValue(forKey: d) ?? Window(id: d)
        }
    }

    private mutating func userWindow(_ user: Int, _ now: Nanoseconds) -> Window {
        Self.current(OwnerWindow(owner: user, id: policy.calendar.month(at: now)), in: &users, ended: &endedUsers)
    }

    private mutating func teamWindow(_ team: Int, _ now: Nanoseconds) -> Window {
        Self.current(OwnerWindow(owner: team, id: policy.calendar.month(at: now)), in: &teams, ended: &endedTeams)
    }

    /// The owner's window `key.id`, made current: the one it had ends (kept aside while it has reservations
    /// outstanding).
    private static func current(_ key: OwnerWindow, in windows: inout [Int: Window], ended: inout [OwnerWindow: Window]) -> Window {
        if let w = windows[key.owner] {
            if w.id == key.id { return w }
            if w.outstanding > 0 { ended[OwnerWindow(owner: key.owner, id: w.id)] = w }
        }
        let w = ended.removeValue(forKey: key) ?? Window(id: key.id)
        windows[key.owner] = w
        return w
    }

    private mutating func takeMonth(_ id: Int64) -> Window {
        month.id == id ? month : endedMonths.removeValue(forKey: id) ?? Window(id: id)
    }

    private mutating func putMonth(_ w: Window) {
        if w.id == month.id { month = w } else if w.outstanding > 0 { endedMonths[w.id] = w }
    }

    private mutating func takeDay(_ id: Int64) -> Window {
        day.id == id ? day : endedDays.removeValue(forKey: id) ?? Window(id: id)
    }

    private mutating func putDay(_ w: Window) {
        if w.id == day.id { day = w } else if w.outstanding > 0 { endedDays[w.id] = w }
    }

    /// The owner's window `key.id`, wherever it is (its current one, or one that ended).
    private static func take(_ key: OwnerWindow, current: inout [Int: Window], ended: inout [OwnerWindow: Window]) -> Window {
        if let w = current[key.owner], w.id == key.id { return w }
        return ended.removeValue(forKey: key) ?? Window(id: key.id)
    }

    private static func put(_ w: Window, _ key: OwnerWindow, current: inout [Int: Window], ended: inout [OwnerWindow: Window]) {
        if let c = current[key.owner], c.id == key.id {
            current[key.owner] = w
        } else if w.outstanding > 0 {
            ended[key] = w
        }
    }

    /// Moves a reservation of `w` to settled spend at its actual cost.
    private mutating func charge(_ w: inout Window, _ reservation: Reservation, _ actualCost: USD, limit: USD?,
                                 kind: BudgetWindowKind, owner: Int?, at now: Nanoseconds, into fired: inout [BudgetEvent]) {
        w.reserved -= reservation.amount
        w.outstanding -= 1
        if w.outstanding <= 0 { w.reserved = .zero; w.outstanding = 0 }  // no rounding residue once all settled
        w.settled += actualCost
        check(&w, limit: limit, kind: kind, owner: owner, at: now, into: &fired)
    }

    /// Reports that window `w` ran out: its limit refused, or its settled spend reached the limit.
    private func exhaust(_ kind: BudgetWindowKind, _ w: Window, owner: Int?, limit: USD, at now: Nanoseconds,
                         events: inout [BudgetEvent]) {
        events.append(.exhausted(kind, owner: owner, window: w.id, spent: w.settled, limit: limit, at: now))
    }

    /// Fires the thresholds `w`'s settled spend has crossed and notes exhaustion and overspend.
    private func check(_ w: inout Window, limit: USD?, kind: BudgetWindowKind, owner: Int?, at now: Nanoseconds,
                       into fired: inout [BudgetEvent]) {
        guard let limit, limit > .zero else { return }
        let share = w.settled.dollars / limit.dollars
        for (i, threshold) in policy.alertThresholds.enumerated() where share >= threshold && w.alerted & (1 << UInt32(i)) == 0 {
            w.alerted |= 1 << UInt32(i)
            fired.append(.alert(BudgetAlert(at: now, window: kind, owner: owner, threshold: threshold, spent: w.settled, limit: limit)))
        }
        if w.settled > limit { fired.append(.overspent(kind, owner: owner, excess: w.settled - limit)) }
        if w.settled >= limit, !w.exhausted {
            w.exhausted = true
            exhaust(kind, w, owner: owner, limit: limit, at: now, events: &fired)
        }
    }
}
