import NexusGateway
import NexusScenario
import NexusSim

extension MonthForecast {
    /// When one budget limit ran out, over the replications.
    public struct LimitExhaustion: Sendable, Hashable {
        public var window: BudgetWindowKind
        /// The limit, dollars.
        public var limitUSD: Double
        /// The first time the limit refused a request (or, with action `alert`, was reached) in each
        /// replication in which it did, simulated nanoseconds from the month's start, ascending.
        public var times: [Nanoseconds]
        /// Replications simulated (the limit ran out in `times.count` of them).
        public var replications: Int

        /// `monthly`, `daily`, `per-user monthly`, `per-team monthly`.
        public var label: String {
            switch window {
            case .month: "monthly"
            case .day: "daily"
            case .userMonth: "per-user monthly"
            case .teamMonth: "per-team monthly"
            }
        }
    }

    /// Each limit the budget has, with when it ran out (the daily limit: its first day).
    public var limitExhaustions: [LimitExhaustion] {
        guard let policy = report.scenario.budget?.policy else { return [] }
        let limits: [(BudgetWindowKind, USD?)] = [(.month, policy.monthlyLimit), (.day, policy.dailyLimit),
                                                  (.userMonth, policy.perUserMonthlyLimit), (.teamMonth, policy.perTeamMonthlyLimit)]
        return limits.compactMap { kind, limit in
            limit.map { LimitExhaustion(window: kind, limitUSD: $0.dollars,
                                        times: report.replications.compactMap { $0.budgetExhaustedAtByWindow[kind] }.sorted(),
                                        replications: report.replications.count) }
        }
    }

    /// `2026-12-19 14:05 UTC` (or `UTC+01:00`) for simulated time `t` in the budget's time zone.
    public func dateTime(_ t: Nanoseconds) -> String {
        let calendar = report.scenario.budget?.policy.calendar ?? BudgetCalendar(epochNanos: firstDay * CivilTime.nanosPerDay)
        let day = calendar.day(at: t)
        let secondsIntoDay = (t - calendar.start(ofDay: day)) / 1_000_000_000
        func two(_ x: Int64) -> String { x < 10 ? "0\(x)" : "\(x)" }
        let offset = calendar.utcOffsetSeconds
        let zone = offset == 0 ? "UTC"
            : "UTC\(offset < 0 ? "-" : "+")\(two(Int64(abs(offset) / 3600))):\(two(Int64(abs(offset) % 3600 / 60)))"
        return "\(RunReport.isoDate(day)) \(two(secondsIntoDay / 3600)):\(two(secondsIntoDay % 3600 / 60)) \(zone)"
    }

    /// Users whose monthly cap refused a request, with the number of replications in which it did, most
    /// often first (then by id: with a Zipf population, id 0 is the most active user). Empty when the
    /// replications did not record ids.
    public var usersAtCap: [(user: Int, replications: Int)] {
        var counts: [Int: Int] = [:]
        for s in report.replications { for u in s.usersAtCapIDs ?? [] { counts[u, default: 0] += 1 } }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    // MARK: Demand

    /// What each replication's traffic costs with every limit lifted, dollars: the ``demand`` pass when the
    /// budget acts, otherwise the spend itself (nothing was refused); `nil` when the budget acts but the
    /// demand pass was not run.
    public var demandSpend: [Double]? {
        if let demand { return demand.replications.map(\.totalCost.dollars) }
        return Self.limitsAct(report.scenario) ? nil : monthlySpend
    }

    /// The busiest day's uncapped spend in each replication, dollars (`nil` as for ``demandSpend``).
    public var busiestDayDemand: [Double]? {
        if let demand {
            return MonthForecast(year: year, month: month, report: demand).dailySpendByReplication.map { $0.max() ?? 0 }
        }
        return Self.limitsAct(report.scenario) ? nil : dailySpendByReplication.map { $0.max() ?? 0 }
    }

    /// Share of the uncapped demand that was spent (served), mean over replications.
    public var servedShareOfDemand: Double? {
        guard let demand = demandSpend else { return nil }
        let shares = zip(monthlySpend, demand).map { $1 > 0 ? $0 / $1 : 1 }
        return shares.reduce(0, +) / Double(shares.count)
    }
}
