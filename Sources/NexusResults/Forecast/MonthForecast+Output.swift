import Foundation
import NexusScenario
import NexusSim

extension MonthForecast {
    private static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    private static func usd(_ x: Double) -> String { String(format: "$%.2f", x) }

    /// A readable summary for a terminal.
    public var text: String {
        let spend = monthlySpend
        let n = spend.count
        var lines = ["Forecast for \(String(format: "%04d-%02d", year, month)) — scenario \(report.scenario.name), "
            + "\(n) replication\(n == 1 ? "" : "s"), seed \(report.seed)", ""]
        lines.append("  monthly spend        mean \(Self.usd(spend.reduce(0, +) / Double(n)))   P50 \(Self.usd(Self.percentile(spend, 50)))"
            + "   P90 \(Self.usd(Self.percentile(spend, 90)))   P99 \(Self.usd(Self.percentile(spend, 99)))")
        if let budget = report.scenario.budget?.policy {
            var limits: [String] = []
            if let m = budget.monthlyLimit { limits.append("monthly \(Self.usd(m.dollars))") }
            if let d = budget.dailyLimit { limits.append("daily \(Self.usd(d.dollars))") }
            if let u = budget.perUserMonthlyLimit { limits.append("per user \(Self.usd(u.dollars))") }
            lines.append("  budget               \(limits.joined(separator: ", ")), action \(budget.action.rawValue)")
            if let d = budget.dailyLimit {
                lines.append("  daily cap × days     \(Self.usd(d.dollars * Double(days)))"
                    + (budget.monthlyLimit.map { d.dollars * Double(days) > $0.dollars ? " — more than the monthly budget" : "" } ?? ""))
            }
            if let p = probabilityOfExhaustingMonthlyBudget {
                lines.append("  P(monthly budget runs out)  \(String(format: "%.0f %%", p * 100))")
            }
            let dates = monthlyExhaustionDates
            if !dates.isEmpty {
                let counts = Dictionary(grouping: dates, by: { $0 }).map { "\($0.key) (\($0.value.count))" }.sorted()
                lines.append("  monthly budget ran out on   \(counts.joined(separator: ", "))")
            }
            if let days = daysDailyBudgetRanOut { lines.append("  days the daily cap ran out  \(String(format: "%.1f", days)) of \(self.days)") }
            let atCap = report.mean { Double($0.usersAtCap) }
            lines.append("  users who hit their cap     \(String(format: "%.1f", atCap))")
        }
        let requests = report.estimate("requests")?.mean ?? .nan
        lines.append("  requests             \(String(format: "%.0f", requests)) (rejected \(String(format: "%.0f", report.estimate("rejected")?.mean ?? 0)))")
        lines.append("  cost per request     \(String(format: "$%.6f", report.estimate("cost_usd.per_request")?.mean ?? .nan))"
            + "   per conversation \(String(format: "$%.6f", report.estimate("cost_usd.per_conversation")?.mean ?? .nan))")
        lines.append("")
        lines.append("  spend by tier:      " + spendByTier.map { "\($0.0) \(Self.usd($0.1))" }.joined(separator: ", "))
        lines.append("  spend by provider:  " + spendByProvider.map { "\($0.0) \(Self.usd($0.1))" }.joined(separator: ", "))
        lines.append("  spend by model:     " + spendByModel.filter { $0.1 > 0 }.map { "\($0.0) \(Self.usd($0.1))" }.joined(separator: ", "))
        lines.append("")
        lines.append("  date        day      mean      P10      P90   cumulative")
        var cumulative = 0.0
        for d in dailySpend {
            cumulative += d.mean
            lines.append("  \(d.date)  \(Self.weekdays[d.weekday])  \(String(format: "%8.2f %8.2f %8.2f %12.2f", d.mean, d.p10, d.p90, cumulative))")
        }
        return lines.joined(separator: "\n")
    }

    /// The daily table as CSV for a spreadsheet: one row per day, dollars, with the budget lines.
    public var csv: String {
        let policy = report.scenario.budget?.policy
        var rows = ["date,weekday,mean_spend_usd,p10_spend_usd,p90_spend_usd,cumulative_mean_usd,daily_budget_usd,monthly_budget_usd"]
        var cumulative = 0.0
        for d in dailySpend {
            cumulative += d.mean
            rows.append([d.date, Self.weekdays[d.weekday], String(format: "%.4f", d.mean), String(format: "%.4f", d.p10),
                         String(format: "%.4f", d.p90), String(format: "%.4f", cumulative),
                         policy?.dailyLimit.map { String(format: "%.2f", $0.dollars) } ?? "",
                         policy?.monthlyLimit.map { String(format: "%.2f", $0.dollars) } ?? ""].joined(separator: ","))
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// The forecast as a JSON object.
    public var json: JSONValue {
        let spend = monthlySpend
        let n = Double(spend.count)
        var members: [(String, JSONValue)] = [
            ("scenario", .string(report.scenario.name)),
            ("month", .string(String(format: "%04d-%02d", year, month))),
            ("seed", .number(Double(report.seed))),
            ("replications", .int(spend.count)),
            ("monthly_spend_usd", .object([
                ("mean", .num(spend.reduce(0, +) / n)), ("p50", .num(Self.percentile(spend, 50))),
                ("p90", .num(Self.percentile(spend, 90))), ("p99", .num(Self.percentile(spend, 99))),
                ("replications", .array(spend.map { .num($0) })),
            ])),
        ]
        if let p = probabilityOfExhaustingMonthlyBudget { members.append(("p_monthly_budget_exhausted", .num(p))) }
        members.append(("monthly_budget_exhausted_on", .array(monthlyExhaustionDates.map { .string($0) })))
        if let d = daysDailyBudgetRanOut { members.append(("days_daily_budget_exhausted", .num(d))) }
        members.append(("users_at_cap", .num(report.mean { Double($0.usersAtCap) })))
        members.append(("cost_per_request_usd", .num(report.estimate("cost_usd.per_request")?.mean)))
        members.append(("cost_per_conversation_usd", .num(report.estimate("cost_usd.per_conversation")?.mean)))
        members.append(("spend_by_tier_usd", .object(spendByTier.map { ($0.0, .num($0.1)) })))
        members.append(("spend_by_provider_usd", .object(spendByProvider.map { ($0.0, .num($0.1)) })))
        members.append(("spend_by_model_usd", .object(spendByModel.map { ($0.0, .num($0.1)) })))
        members.append(("daily_spend_usd", .array(dailySpend.map {
            .object([("date", .string($0.date)), ("mean", .num($0.mean)), ("p10", .num($0.p10)), ("p90", .num($0.p90))])
        })))
        return .object(members)
    }
}
