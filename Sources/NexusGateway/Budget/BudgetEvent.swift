/// Something a ``BudgetGuard`` operation observed that a report or an operator may want to know. The guard
/// returns these and keeps none of them: a driver folds them into its own log (the simulator's run summary,
/// the live gateway's metrics).
public enum BudgetEvent: Hashable, Sendable {
    /// Settled spend in a window crossed one of the policy's alert thresholds (once per window and threshold).
    case alert(BudgetAlert)
    /// A window ran out: its limit refused a reservation or a request, or its settled spend reached the limit
    /// (the only way with action `alert`). `owner` is the user or team of a per-user or per-team window,
    /// `window` its calendar id (the month or day number of ``settled(day:month:user:team:cost:)``), `spent`
    /// its settled spend then.
    case exhausted(BudgetWindowKind, owner: Int?, window: Int64, spent: USD, limit: USD, at: Nanoseconds)
    /// Settled spend in a window is above its limit by `excess` (possible only when the limit does not act).
    case overspent(BudgetWindowKind, owner: Int?, excess: USD)
    /// A reservation settled at `cost`, charged to the local day and month it was reserved in (day number since
    /// 1970-01-01 and year × 12 + month − 1 in the policy's calendar) and to its user and team.
    case settled(day: Int64, month: Int64, user: Int, team: Int?, cost: USD)
}
