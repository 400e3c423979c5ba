import Foundation
import NexusScenario
import NexusSim

extension MonthForecast {
    static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    static func usd(_ x: Double) -> String { ReportFormat.usd(x) }
    static func count(_ x: Double) -> String { ReportFormat.count(x) }

    /// `mean $1,000.00   P50 $1,000.00   P90 …   P99 …`.
    private static func distribution(_ values: [Double]) -> String {
        "mean \(usd(values.reduce(0, +) / Double(values.count)))   P50 \(usd(percentile(values, 50)))"
            + "   P90 \(usd(percentile(values, 90)))   P99 \(usd(percentile(values, 99)))"
    }

    private static func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }

    /// A readable summary for a terminal.
    public var text: String {
        let spend = monthlySpend
        let n = spend.count
        var lines = ["Forecast for \(String(format: "%04d-%02d", year, month)) — scenario \(report.scenario.name), "
            + "\(n) replication\(n == 1 ? "" : "s"), seed \(report.seed)"]
        if let caveat = Self.percentileCaveat(replications: n) { lines.append("  (\(caveat))") }
        lines.append("")
        func mean(_ name: String) -> Double { report.estimate(name)?.mean ?? .nan }
        lines.append("  " + Self.pad("served", 27) + "\(Self.count(mean("requests"))) requests: \(Self.count(mean("succeeded"))) succeeded, "
            + "\(Self.count(mean("rejected"))) rejected, \(Self.count(mean("failed"))) failed — availability "
            + String(format: "%.2f %%", mean("availability") * 100))
        lines.append("  " + Self.pad("monthly spend", 27) + Self.distribution(spend))
        lines.append("  " + Self.pad("cost per served request", 27) + String(format: "$%.6f", mean("cost_usd.per_succeeded_request"))
            + String(format: "   per request $%.6f   per conversation $%.6f", mean("cost_usd.per_request"), mean("cost_usd.per_conversation")))
        if let demand = demandSpend {
            let method = self.demand == nil ? "(nothing was refused: the spend is the demand)" : "(same seeds, every limit lifted)"
            lines.append("  " + Self.pad("demand", 27) + Self.distribution(demand) + "  " + method)
            if let share = servedShareOfDemand, self.demand != nil {
                lines.append("  " + Self.pad("", 27) + String(format: "the budget paid for %.1f %% of it", share * 100))
            }
            var needs = "monthly P50 \(Self.usd(Self.percentile(demand, 50))), P90 \(Self.usd(Self.percentile(demand, 90)))"
            if let busiest = busiestDayDemand {
                needs += "; daily (busiest day) P50 \(Self.usd(Self.percentile(busiest, 50))), P90 \(Self.usd(Self.percentile(busiest, 90)))"
            }
            lines.append("  " + Self.pad("budget the traffic needs", 27) + needs)
        } else if Self.limitsAct(report.scenario) {
            lines.append("  " + Self.pad("demand", 27) + "not simulated (the spend above is what the limits let through)")
        }
        if let budget = report.scenario.budget?.policy {
            lines.append("")
            var limits: [String] = []
            if let m = budget.monthlyLimit { limits.append("monthly \(Self.usd(m.dollars))") }
            if let d = budget.dailyLimit { limits.append("daily \(Self.usd(d.dollars))") }
            if let u = budget.perUserMonthlyLimit { limits.append("per user \(Self.usd(u.dollars))") }
            if let t = budget.perTeamMonthlyLimit { limits.append("per team \(Self.usd(t.dollars))") }
            lines.append("  " + Self.pad("budget", 27) + "\(limits.joined(separator: ", ")), action \(budget.action.rawValue)")
            if let d = budget.dailyLimit {
                lines.append("  " + Self.pad("daily cap × days", 27) + Self.usd(d.dollars * Double(days))
                    + (budget.monthlyLimit.map { d.dollars * Double(days) > $0.dollars ? " — more than the monthly budget" : "" } ?? ""))
            }
            let verb = budget.action == .alert ? "was reached" : "refused a request"
            lines.append("  limits ran out (first time each \(verb), over \(n) replication\(n == 1 ? "" : "s")):")
            for limit in limitExhaustions {
                var line = "    " + Self.pad("\(limit.label) \(Self.usd(limit.limitUSD))", 25)
                if limit.times.isEmpty {
                    line += "never"
                } else {
                    line += "in \(limit.times.count) of \(limit.replications)"
                    if limit.times.count == 1 {
                        line += ": \(dateTime(limit.times[0]))"
                    } else {
                        line += ": earliest \(dateTime(limit.times.first!)), median \(dateTime(limit.times[(limit.times.count - 1) / 2])), "
                            + "latest \(dateTime(limit.times.last!))"
                    }
                }
                if limit.window == .day, let days = daysDailyBudgetRanOut {
                    line += String(format: "; on %.1f of %d days (mean)", days, self.days)
                }
                lines.append(line)
            }
            if budget.perUserMonthlyLimit != nil {
                let users = usersAtCap
                var line = "  " + Self.pad("users who hit their cap", 27) + String(format: "%.1f (mean)", report.mean { Double($0.usersAtCap) })
                if !users.isEmpty {
                    let shown = users.prefix(8).map { "user \($0.user) (\($0.replications)/\(n))" }
                    line += ": " + shown.joined(separator: ", ") + (users.count > 8 ? ", and \(users.count - 8) more" : "")
                }
                lines.append(line)
            }
        }
        if let affordable {
            lines.append("")
            lines += affordableLines(affordable)
        }
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

    private func affordableLines(_ a: AffordableVolume) -> [String] {
        var lines = ["  affordable volume (P90 monthly spend, limits lifted, within \(Self.usd(a.budgetUSD)); "
            + "\(a.replications) replication\(a.replications == 1 ? "" : "s") per probe, same seeds at every probe, \(a.probes.count) probes)"]
        if let caveat = Self.percentileCaveat(replications: a.replications) { lines.append("    (\(caveat))") }
        if let ok = a.affordable {
            lines.append("    " + Self.pad("largest affordable", 23) + String(format: "%.3f× the scenario's traffic", ok.scale)
                + " = \(Self.count(ok.requestsPerDay)) requests/day (P90 spend \(Self.usd(ok.p90SpendUSD)))")
        } else {
            lines.append("    " + Self.pad("largest affordable", 23) + "none of the probed scales (the smallest still spent more)")
        }
        if let over = a.tooMuch {
            lines.append("    " + Self.pad("over budget from", 23) + String(format: "%.3f×", over.scale)
                + " = \(Self.count(over.requestsPerDay)) requests/day (P90 spend \(Self.usd(over.p90SpendUSD)))")
        }
        return lines
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

    private static func distributionJSON(_ values: [Double]) -> JSONValue {
        .object([
            ("mean", .num(values.reduce(0, +) / Double(values.count))), ("p50", .num(percentile(values, 50))),
            ("p90", .num(percentile(values, 90))), ("p99", .num(percentile(values, 99))),
            ("replications", .array(values.map { .num($0) })),
        ])
    }

    /// The forecast as a JSON object.
    public var json: JSONValue {
        let spend = monthlySpend
        var members: [(String, JSONValue)] = [
            ("scenario", .string(report.scenario.name)),
            ("month", .string(String(format: "%04d-%02d", year, month))),
            ("seed", .number(Double(report.seed))),
            ("replications", .int(spend.count)),
        ]
        if let caveat = Self.percentileCaveat(replications: spend.count) { members.append(("percentile_note", .string(caveat))) }
        for name in ["requests", "succeeded", "rejected", "failed", "availability"] {
            guard let e = report.estimate(name) else { continue }
            members.append((name, .num(e.mean)))
            if spend.count >= 2 { members.append(("\(name)_ci95", e.ci95.map { .array([.num($0.lowerBound), .num($0.upperBound)]) } ?? .null)) }
        }
        members.append(("monthly_spend_usd", Self.distributionJSON(spend)))
        if let demand = demandSpend {
            var d = Self.distributionJSON(demand)
            if case .object(var m) = d {
                m.append(("method", .string(self.demand == nil ? "spend: the budget refused or downgraded nothing"
                    : "same seeds with every budget limit lifted (action alert)")))
                d = .object(m)
            }
            members.append(("demand_usd", d))
            if let share = servedShareOfDemand { members.append(("served_share_of_demand", .num(share))) }
            var needed: [(String, JSONValue)] = [("monthly_p50", .num(Self.percentile(demand, 50))), ("monthly_p90", .num(Self.percentile(demand, 90)))]
            if let busiest = busiestDayDemand {
                needed += [("daily_p50", .num(Self.percentile(busiest, 50))), ("daily_p90", .num(Self.percentile(busiest, 90)))]
            }
            members.append(("budget_needed_usd", .object(needed)))
        }
        if let p = probabilityOfExhaustingMonthlyBudget { members.append(("p_monthly_budget_exhausted", .num(p))) }
        members.append(("monthly_budget_exhausted_on", .array(monthlyExhaustionDates.map { .string($0) })))
        members.append(("limits", .array(limitExhaustions.map { limit in
            .object([
                ("window", .string(limit.window.rawValue)), ("limit_usd", .num(limit.limitUSD)),
                ("exhausted_replications", .int(limit.times.count)), ("replications", .int(limit.replications)),
                ("exhausted_at_s", .array(limit.times.map { .num(Double($0) / 1e9) })),
                ("exhausted_at", .array(limit.times.map { .string(dateTime($0)) })),
            ])
        })))
        if let d = daysDailyBudgetRanOut { members.append(("days_daily_budget_exhausted", .num(d))) }
        members.append(("users_at_cap", .num(report.mean { Double($0.usersAtCap) })))
        members.append(("users_at_cap_ids", .array(usersAtCap.map { .object([("user", .int($0.user)), ("replications", .int($0.replications))]) })))
        members.append(("cost_per_request_usd", .num(report.estimate("cost_usd.per_request")?.mean)))
        members.append(("cost_per_served_request_usd", .num(report.estimate("cost_usd.per_succeeded_request")?.mean)))
        members.append(("cost_per_conversation_usd", .num(report.estimate("cost_usd.per_conversation")?.mean)))
        if let a = affordable {
            members.append(("affordable", .object([
                ("budget_usd", .num(a.budgetUSD)), ("replications_per_probe", .int(a.replications)), ("tolerance", .num(a.tolerance)),
                ("scale", a.affordable.map { .num($0.scale) } ?? .null),
                ("requests_per_day", a.affordable.map { .num($0.requestsPerDay) } ?? .null),
                ("p90_spend_usd", a.affordable.map { .num($0.p90SpendUSD) } ?? .null),
                ("probes", .array(a.probes.map {
                    .object([("scale", .num($0.scale)), ("requests_per_day", .num($0.requestsPerDay)),
                             ("p90_spend_usd", .num($0.p90SpendUSD)), ("within_budget", .bool($0.withinBudget))])
                })),
            ])))
        }
        members.append(("spend_by_tier_usd", .object(spendByTier.map { ($0.0, .num($0.1)) })))
        members.append(("spend_by_provider_usd", .object(spendByProvider.map { ($0.0, .num($0.1)) })))
        members.append(("spend_by_model_usd", .object(spendByModel.map { ($0.0, .num($0.1)) })))
        members.append(("daily_spend_usd", .array(dailySpend.map {
            .object([("date", .string($0.date)), ("mean", .num($0.mean)), ("p10", .num($0.p10)), ("p90", .num($0.p90))])
        })))
        return .object(members)
    }
}
