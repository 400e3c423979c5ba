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

    public init() {}

    /// Folds `events` in, in order. O(events) expected.
    public mutating func record(_ events: some Sequence<BudgetEvent>) {
        for event in events {
            switch event {
            case .alert(let alert):
                alerts.append(alert)
            case .exhausted(let window, let owner, let at):
                if firstExhaustion == nil { firstExhaustion = (at, window) }
                if firstExhaustionByWindow[window] == nil { firstExhaustionByWindow[window] = at }
                if window == .userMonth, let owner { usersAtCap.insert(owner) }
            case .overspent(_, _, let excess):
                overspend = max(overspend, excess)
            case .settled(let day, _, let cost):
                dailySpend[day, default: .zero] += cost
            }
        }
    }

    /// The spend per day in day order.
    public var dailySpendInOrder: [DailySpend] {
        dailySpend.keys.sorted().map { DailySpend(day: $0, spend: dailySpend[$0]!) }
    }
}
