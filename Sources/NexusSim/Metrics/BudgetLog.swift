import NexusGateway

/// The simulator's record of what the budget guard observed in a run, folded from its ``BudgetEvent`` values:
/// the alerts in order, when each kind of window first ran out, which users hit their cap, the largest
/// overspend and the settled spend per local day.
public struct BudgetLog: Sendable {
    public private(set) var alerts: [BudgetAlert] = []
    /// The first time any window ran out, and which.
    public private(set) var firstExhaustion: (at: Nanoseconds, window: BudgetWindowKind)?
    /// The first time each kind of window ran out (e.g. when the monthly budget did, after daily caps).
    public private(set) var firstExhaustionByWindow: [BudgetWindowKind: Nanoseconds] = [:]
    /// Users whose monthly cap refused them (or, where the limit does not act, was reached) at least once.
    public private(set) var usersAtCap: Set<Int> = []
    /// The largest amount by which a window's settled spend exceeded its limit.
    public private(set) var overspend = USD.zero
    /// Settled spend per local day (the day each attempt was reserved in), keyed by day number.
    public private(set) var dailySpend: [Int64: USD] = [:]
    /// The first window that ran out, its settled spend so far (growing as its attempts still running
    /// settle) and its limit: how much of the budget was used when it stopped admitting.
    private var exhaustedWindow: (kind: BudgetWindowKind, owner: Int?, id: Int64, spent: USD, limit: USD)?

    /// ``exhaustedWindow``'s spend as a share of its limit (1: used to the last cent); `nil` until one ran out.
    public var usedShareAtExhaustion: Double? {
        guard let w = exhaustedWindow, w.limit > .zero else { return nil }
        return w.spent.dollars / w.limit.dollars
    }

    public init() {}

    /// Folds `events` in, in order. O(events) expected.
    public mutating func record(_ events: some Sequence<BudgetEvent>) {
        for event in events {
            switch event {
            case .alert(let alert):
                alerts.append(alert)
            case .exhausted(let window, let owner, let id, let spent, let limit, let at):
                if firstExhaustion == nil {
                    firstExhaustion = (at, window)
                    exhaustedWindow = (window, owner, id, spent, limit)
                }
                if firstExhaustionByWindow[window] == nil { firstExhaustionByWindow[window] = at }
                if window == .userMonth, let owner { usersAtCap.insert(owner) }
            case .overspent(_, _, let excess):
                overspend = max(overspend, excess)
            case .settled(let day, let month, let user, let team, let cost):
                dailySpend[day, default: .zero] += cost
                if let w = exhaustedWindow, Self.belongs(day: day, month: month, user: user, team: team, to: w) {
                    exhaustedWindow!.spent += cost
                }
            }
        }
    }

    /// Whether a settlement of (day, month, user, team) is charged to window `w`.
    private static func belongs(day: Int64, month: Int64, user: Int, team: Int?,
                                to w: (kind: BudgetWindowKind, owner: Int?, id: Int64, spent: USD, limit: USD)) -> Bool {
        switch w.kind {
        case .month: month == w.id
        case .day: day == w.id
        case .userMonth: month == w.id && user == w.owner
        case .teamMonth: month == w.id && team != nil && team == w.owner
        }
    }

    /// The spend per day in day order.
    public var dailySpendInOrder: [DailySpend] {
        dailySpend.keys.sorted().map { DailySpend(day: $0, spend: dailySpend[$0]!) }
    }
}
