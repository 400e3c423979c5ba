import NexusGateway
import NexusSim

extension RunReport {
    /// The `budget` section of the JSON contract, when the scenario has a budget.
    ///
    /// `alerts` and `spend_by_day` are replication 0's (they are events and a calendar, not numbers to
    /// average); the scalar fields are means over replications (`exhausted_at_s` over the replications
    /// in which a limit was reached, `exhausted_share` the share of replications in which one was).
    var budgetSection: JSONValue? {
        guard let spec = scenario.budget else { return nil }
        let policy = spec.policy
        let first = replications[0]
        let calendar = policy.calendar
        let limits: [(String, USD?)] = [
            ("monthly_usd", policy.monthlyLimit), ("daily_usd", policy.dailyLimit),
            ("per_user_monthly_usd", policy.perUserMonthlyLimit), ("per_team_monthly_usd", policy.perTeamMonthlyLimit),
        ]
        let exhausted = replications.compactMap(\.budgetExhaustedAt)
        let n = Double(replications.count)
        var members: [(String, JSONValue)] = [
            ("action", .string(policy.action.rawValue)),
            ("limits", .object(limits.compactMap { key, value in value.map { (key, .num($0.dollars)) } })),
            ("alerts", .array(first.budgetAlerts.map { alert in
                var a: [(String, JSONValue)] = [
                    ("t_s", .num(Double(alert.at) / 1e9)),
                    ("date", .string(Self.isoDate(calendar.day(at: alert.at)))),
                    ("window", .string(alert.window.rawValue)),
                    ("threshold", .num(alert.threshold)),
                    ("spent_usd", .num(alert.spent.dollars)),
                    ("limit_usd", .num(alert.limit.dollars)),
                ]
                if let owner = alert.owner { a.insert(("owner", .int(owner)), at: 3) }
                return .object(a)
            })),
            ("exhausted_at_s", exhausted.isEmpty ? .null : .num(exhausted.map { Double($0) / 1e9 }.reduce(0, +) / Double(exhausted.count))),
            ("exhausted_window", first.budgetExhaustedWindow.map { .string($0.rawValue) } ?? .null),
            ("exhausted_at_s_by_window", .object(BudgetWindowKind.allCases.compactMap { kind in
                let times = replications.compactMap { $0.budgetExhaustedAtByWindow[kind] }
                return times.isEmpty ? nil : (kind.rawValue, .num(times.map { Double($0) / 1e9 }.reduce(0, +) / Double(times.count)))
            })),
            ("exhausted_share", .num(Double(exhausted.count) / n)),
            ("overspend_usd", .num(mean(\.overspend.dollars))),
            ("downgraded", .num(mean { Double($0.downgraded) })),
            ("users_at_cap", .num(mean { Double($0.usersAtCap) })),
            ("spend_by_day", .array(first.dailySpend.map { .object([("date", .string(Self.isoDate($0.day))), ("usd", .num($0.spend.dollars))]) })),
        ]
        if let at = first.budgetExhaustedAt {
            members.insert(("exhausted_date", .string(Self.isoDate(calendar.day(at: at)))), at: 5)
        }
        return .object(members)
    }

    /// `YYYY-MM-DD` of a civil day number.
    static func isoDate(_ day: Int64) -> String {
        let d = CivilTime.date(days: day)
        func two(_ x: Int) -> String { x < 10 ? "0\(x)" : "\(x)" }
        return "\(d.year)-\(two(d.month))-\(two(d.day))"
    }
}
