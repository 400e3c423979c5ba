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
        ]
        members += metric("budget.alert_count", key: "alert_count")
        members += metric("budget.exhausted_at_s", key: "exhausted_at_s")
        members += [
            ("exhausted_window", first.budgetExhaustedWindow.map { .string($0.rawValue) } ?? .null),
            ("exhausted_at_s_by_window", .object(BudgetWindowKind.allCases.flatMap { kind in
                replications.contains { $0.budgetExhaustedAtByWindow[kind] != nil }
                    ? metric("budget.exhausted_at_s_by_window.\(kind.rawValue)", key: kind.rawValue) : []
            })),
        ]
        members += ["exhausted_share", "rejected", "overspend_usd", "downgraded", "users_at_cap"].flatMap { metric("budget.\($0)", key: $0) }
        if spec.namesReservation {
            members.insert(("reservation", .string(policy.reservation.rawValue)), at: 1)
            members += ["refused_share", "used_share_at_exhaustion", "clamped_attempts"].flatMap { metric("budget.\($0)", key: $0) }
        }
        members += [
            ("spend_by_day", .array(first.dailySpend.map { .object([("date", .string(Self.isoDate($0.day))), ("usd", .num($0.spend.dollars))]) })),
        ]
        if let at = first.budgetExhaustedAt, let index = members.firstIndex(where: { $0.0 == "exhausted_window" }) {
            members.insert(("exhausted_date", .string(Self.isoDate(calendar.day(at: at)))), at: index)
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
