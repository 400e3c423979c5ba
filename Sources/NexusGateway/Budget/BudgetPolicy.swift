/// What the gateway does when a budget is exhausted.
public enum BudgetAction: String, CaseIterable, Sendable, Hashable {
    /// Refuse the request (`budget_exceeded`, counted as rejected).
    case block
    /// Route it to a cheaper tier; refuse it when even that does not fit.
    case downgrade
    /// Record the exhaustion and carry on (spend may exceed the limit).
    case alert
}

/// What an attempt holds against the budget while it runs.
public enum BudgetReservation: String, CaseIterable, Sendable, Hashable {
    /// Reserve the attempt's worst case (prompt + the client's `max_tokens`, priced) until it settles: a hard
    /// limit is never exceeded, but with `max_tokens` far above the real output the budget refuses while much
    /// of it is still unspent.
    case worstCase = "worst_case"
    /// Lower the attempt's `max_tokens` to what the remaining room covers and reserve that: never exceeded,
    /// and the budget is used almost to the limit (the last answers may be cut short, `finish_reason: length`).
    case clamp
    /// Reserve nothing; admit while settled spend is below the limit, as LiteLLM does
    /// (`litellm/proxy/auth/auth_checks.py`, `_virtual_key_max_budget_check`: `spend >= max_budget` raises
    /// `BudgetExceededError`; spend is added by the success callback after the call). Requests admitted
    /// together before one settles overspend the limit.
    case none
}

/// The kinds of budget window.
public enum BudgetWindowKind: String, CaseIterable, Sendable, Hashable, Codable, CodingKeyRepresentable {
    case month
    case day
    /// One user's spend in a calendar month.
    case userMonth = "user_month"
    /// One team's spend in a calendar month.
    case teamMonth = "team_month"
}

/// Budget limits, alert thresholds and the action on exhaustion.
public struct BudgetPolicy: Sendable, Hashable {
    public var monthlyLimit: USD?
    public var dailyLimit: USD?
    public var perUserMonthlyLimit: USD?
    public var perTeamMonthlyLimit: USD?
    /// Shares of a limit at which an alert fires (once per window each), ascending, e.g. 0.7, 0.85, 0.95.
    public var alertThresholds: [Double]
    public var action: BudgetAction
    public var calendar: BudgetCalendar
    /// What an attempt holds against the budget while it runs (default: its worst case).
    public var reservation: BudgetReservation

    public init(monthlyLimit: USD? = nil, dailyLimit: USD? = nil, perUserMonthlyLimit: USD? = nil, perTeamMonthlyLimit: USD? = nil,
                alertThresholds: [Double] = [0.7, 0.85, 0.95], action: BudgetAction = .block, calendar: BudgetCalendar = BudgetCalendar(),
                reservation: BudgetReservation = .worstCase) {
        self.monthlyLimit = monthlyLimit
        self.dailyLimit = dailyLimit
        self.perUserMonthlyLimit = perUserMonthlyLimit
        self.perTeamMonthlyLimit = perTeamMonthlyLimit
        self.alertThresholds = alertThresholds.sorted()
        self.action = action
        self.calendar = calendar
        self.reservation = reservation
    }
}

/// An alert: a window's settled spend crossed a threshold of its limit.
public struct BudgetAlert: Sendable, Hashable, Codable {
    public var at: Nanoseconds
    public var window: BudgetWindowKind
    /// The user or team for per-user / per-team windows.
    public var owner: Int?
    public var threshold: Double
    public var spent: USD
    public var limit: USD
}
