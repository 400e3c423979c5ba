import NexusGateway
import NexusSim

/// A ``BudgetGuard`` with the events it returns folded into the simulator's ``BudgetLog``, so tests read the
/// guard's decisions and what a harness would report from them side by side.
struct LoggedBudget {
    var guardian: BudgetGuard
    private(set) var log = BudgetLog()
    /// Settled spend per local month, from the settlement events.
    private(set) var monthlySpend: [Int64: USD] = [:]
    /// Attempts whose `max_tokens` the `clamp` reservation lowered (counted as a driver counts them).
    private(set) var clampedAttempts = 0

    init(policy: BudgetPolicy) { guardian = BudgetGuard(policy: policy) }

    private mutating func fold(_ events: [BudgetEvent]) {
        log.record(events)
        for case .settled(_, let month, _, _, let cost) in events { monthlySpend[month, default: .zero] += cost }
    }

    mutating func reserve(_ worstCase: USD, user: Int, team: Int? = nil, at now: Nanoseconds) -> BudgetGuard.Reservation? {
        var events: [BudgetEvent] = []
        defer { fold(events) }
        return guardian.reserve(worstCase, user: user, team: team, at: now, events: &events)
    }

    /// Admits under the policy's reservation mode, counting the attempts whose `max_tokens` it lowered.
    mutating func admit(price: ModelPrice, inputTokens: Int, maxOutputTokens: Int, user: Int, team: Int? = nil,
                        at now: Nanoseconds) -> (reservation: BudgetGuard.Reservation, maxTokens: Int)? {
        var events: [BudgetEvent] = []
        defer { fold(events) }
        let admitted = guardian.admit(price: price, inputTokens: inputTokens, maxOutputTokens: maxOutputTokens, user: user,
                                      team: team, at: now, events: &events)
        if let admitted, admitted.maxTokens < maxOutputTokens { clampedAttempts += 1 }
        return admitted
    }

    /// Settles and returns the alerts it fired.
    @discardableResult
    mutating func settle(_ reservation: BudgetGuard.Reservation, actualCost: USD, at now: Nanoseconds) -> [BudgetAlert] {
        var events: [BudgetEvent] = []
        guardian.settle(reservation, actualCost: actualCost, at: now, events: &events)
        fold(events)
        return events.compactMap { if case .alert(let a) = $0 { a } else { nil } }
    }

    mutating func release(_ reservation: BudgetGuard.Reservation, at now: Nanoseconds) {
        var events: [BudgetEvent] = []
        guardian.release(reservation, at: now, events: &events)
        fold(events)
    }

    mutating func noteRefusal(user: Int, team: Int? = nil, at now: Nanoseconds) {
        var events: [BudgetEvent] = []
        guardian.noteRefusal(user: user, team: team, at: now, events: &events)
        fold(events)
    }

    mutating func ceiling(user: Int, team: Int? = nil, at now: Nanoseconds) -> USD? {
        guardian.ceiling(user: user, team: team, at: now)
    }

    var alerts: [BudgetAlert] { log.alerts }
    var firstExhaustion: (at: Nanoseconds, window: BudgetWindowKind)? { log.firstExhaustion }
    var firstExhaustionByWindow: [BudgetWindowKind: Nanoseconds] { log.firstExhaustionByWindow }
    var usersAtCap: Set<Int> { log.usersAtCap }
    var overspend: USD { log.overspend }
    var dailySpend: [Int64: USD] { log.dailySpend }
    var usedShareAtExhaustion: Double? { log.usedShareAtExhaustion }
    var monthSpend: USD { guardian.monthSpend }
    var daySpend: USD { guardian.daySpend }
    var outstandingReservations: Int { guardian.outstandingReservations }
}
