import Foundation
import NexusGateway
import NexusScenario
import NexusSim

/// A Monte Carlo forecast of one calendar month of spend: the scenario simulated over that month by
/// independent replications, and the distribution of what they spent.
///
/// Percentiles over replications use the nearest-rank method, so with 10 replications P90 is the 9th
/// smallest and P99 the largest; more replications give finer tails.
public struct MonthForecast: Sendable {
    public let year: Int
    public let month: Int
    public let report: RunReport
    /// The same replications (same seeds, so the same traffic) with every budget limit lifted — action
    /// `alert`, which records when each limit would have been reached but refuses and downgrades nothing:
    /// what the month's traffic costs when all of it is served (``demandSpend``). `nil` when not simulated
    /// (no budget, action `alert` already, or not asked for).
    public var demand: RunReport?
    /// The largest traffic the monthly budget affords at P90, when searched for (see ``AffordableVolume``).
    public var affordable: AffordableVolume?

    /// Each replication's total spend for the month, dollars.
    public var monthlySpend: [Double] { report.replications.map(\.totalCost.dollars) }

    public var days: Int { CivilTime.daysInMonth(year: year, month: month) }
    public var firstDay: Int64 { CivilTime.days(year: year, month: month, day: 1) }

    /// The scenario adapted to the month: simulated time 0 is the first day at 00:00 UTC, the run lasts the
    /// month's days, nothing is warm-up (every request is spent), and the series have hourly windows so
    /// that days add up exactly.
    public static func scenario(_ base: Scenario, year: Int, month: Int) -> Scenario {
        var s = base
        let start = CivilTime.days(year: year, month: month, day: 1) * CivilTime.nanosPerDay
        s.simulation.startEpochNanos = start
        s.simulation.durationNanos = Int64(CivilTime.daysInMonth(year: year, month: month)) * CivilTime.nanosPerDay
        s.simulation.warmupNanos = 0
        s.simulation.warmupMethod = .fixed
        if CivilTime.nanosPerDay % s.simulation.seriesWindowNanos != 0 { s.simulation.seriesWindowNanos = 3_600_000_000_000 }
        s.budget?.policy.calendar.epochNanos = start
        return s
    }

    /// Simulates `replications` independent months in parallel; with `demand`, also the same replications with
    /// the budget's limits lifted (see ``demand``) when the budget can refuse or downgrade anything.
    public static func run(scenario base: Scenario, year: Int, month: Int, seed: UInt64, replications: Int,
                           threads: Int? = nil, shard: Shard = .whole, demand: Bool = false,
                           progress: ProgressMeter? = nil) -> MonthForecast {
        let s = scenario(base, year: year, month: month)
        let policy = ReplicationPolicy(replications: replications, threads: threads, shard: shard)
        if demand, limitsAct(s), shard.isWhole {
            // Both passes are known now: count them in the progress from the start.
            progress?.reserve(2 * replications, nanosEach: s.simulation.durationNanos + s.simulation.drainNanos)
        }
        let report = Experiment.report(scenario: s, seed: seed, policy: policy, progress: progress)
        var forecast = MonthForecast(year: year, month: month, report: report)
        if demand, limitsAct(s), shard.isWhole {
            forecast.demand = Experiment.report(scenario: uncapped(s), seed: seed, policy: policy, progress: progress)
        }
        return forecast
    }

    /// Whether the scenario's budget can change what is served (it has a limit and refuses or downgrades).
    public static func limitsAct(_ scenario: Scenario) -> Bool {
        guard let policy = scenario.budget?.policy, policy.action != .alert else { return false }
        return policy.monthlyLimit != nil || policy.dailyLimit != nil || policy.perUserMonthlyLimit != nil
            || policy.perTeamMonthlyLimit != nil
    }

    /// The scenario with every budget limit lifted: action `alert` (limits are recorded when reached, nothing
    /// is refused or downgraded).
    public static func uncapped(_ scenario: Scenario) -> Scenario {
        var s = scenario
        s.budget?.policy.action = .alert
        return s
    }

    public init(year: Int, month: Int, report: RunReport, demand: RunReport? = nil, affordable: AffordableVolume? = nil) {
        self.year = year
        self.month = month
        self.report = report
        self.demand = demand
        self.affordable = affordable
    }

    // MARK: Derived figures

    /// Nearest-rank percentile (0–100) of `values`.
    public static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted[rank(p, of: sorted.count) - 1]
    }

    /// The 1-based rank of the nearest-rank `p`-th percentile among `n` values.
    public static func rank(_ p: Double, of n: Int) -> Int {
        min(max(Int((p / 100 * Double(n)).rounded(.up)), 1), max(n, 1))
    }

    /// Fewest replications for which P90 and P99 are not simply the largest values.
    public static let replicationsForTails = 20

    /// What P90 and P99 are when there are fewer than ``replicationsForTails`` values, e.g. for 10:
    /// `P90 and P99 of 10 replications are the 9th smallest and the largest value; use 20 or more for tails`;
    /// `nil` from 20 on.
    public static func percentileCaveat(replications n: Int) -> String? {
        guard n < replicationsForTails else { return nil }
        func nth(_ p: Double) -> String {
            let r = rank(p, of: n)
            if r == n { return "the largest value" }
            let suffix = (r % 100 >= 11 && r % 100 <= 13) ? "th" : [1: "st", 2: "nd", 3: "rd"][r % 10] ?? "th"
            return "the \(r)\(suffix) smallest"
        }
        let p90 = nth(90), p99 = nth(99)
        let what = p90 == p99 ? "P90 and P99 of \(n) replication\(n == 1 ? "" : "s") are both \(p90)"
            : "P90 and P99 of \(n) replications are \(p90) and \(p99)"
        return what + "; use --replications \(replicationsForTails) or more for the tails"
    }

    /// Spend per day of the month for each replication (from the series, so budgets need not be set).
    public var dailySpendByReplication: [[Double]] {
        report.replications.map { summary in
            let windowsPerDay = Int(CivilTime.nanosPerDay / summary.series.windowNanos)
            return (0..<days).map { d in
                let range = (d * windowsPerDay)..<min((d + 1) * windowsPerDay, summary.series.spendUSD.count)
                return range.isEmpty ? 0 : range.reduce(0) { $0 + summary.series.spendUSD[$1] }
            }
        }
    }

    /// Per day: mean, P10 and P90 over replications.
    public var dailySpend: [(date: String, weekday: Int, mean: Double, p10: Double, p90: Double)] {
        let byReplication = dailySpendByReplication
        return (0..<days).map { d in
            let values = byReplication.map { $0[d] }
            let day = firstDay + Int64(d)
            return (RunReport.isoDate(day), CivilTime.weekday(days: day),
                    values.reduce(0, +) / Double(values.count), Self.percentile(values, 10), Self.percentile(values, 90))
        }
    }

    /// Share of replications in which the monthly budget ran out (spend reached it, or it refused a request).
    public var probabilityOfExhaustingMonthlyBudget: Double? {
        guard report.scenario.budget?.policy.monthlyLimit != nil else { return nil }
        let n = report.replications.filter { $0.budgetExhaustedAtByWindow[.month] != nil }.count
        return Double(n) / Double(report.replications.count)
    }

    /// The dates on which the monthly budget ran out, one per replication in which it did, sorted.
    public var monthlyExhaustionDates: [String] {
        guard let calendar = report.scenario.budget?.policy.calendar else { return [] }
        return report.replications.compactMap { $0.budgetExhaustedAtByWindow[.month] }.sorted()
            .map { RunReport.isoDate(calendar.day(at: $0)) }
    }

    /// Days (mean over replications) on which the daily budget ran out.
    public var daysDailyBudgetRanOut: Double? {
        guard let daily = report.scenario.budget?.policy.dailyLimit else { return nil }
        let counts = report.replications.map { s in Double(s.dailySpend.filter { $0.spend.dollars >= daily.dollars * 0.999 }.count) }
        return counts.reduce(0, +) / Double(counts.count)
    }

    /// Mean spend by tier, by model and by provider, dollars, largest first (equal amounts by name, so that the
    /// order is the same in every run).
    public var spendByTier: [(String, Double)] {
        report.scenario.tiers.indices.map { t in
            (report.scenario.tiers[t].name, report.mean { $0.costByTier[t].dollars })
        }.sorted(by: Self.largestFirst)
    }

    public var spendByModel: [(String, Double)] {
        report.replications[0].byModel.indices.map { i in
            (report.replications[0].byModel[i].name, report.mean { $0.byModel[i].cost.dollars })
        }.sorted(by: Self.largestFirst)
    }

    public var spendByProvider: [(String, Double)] {
        var totals: [String: Double] = [:]
        let n = Double(report.replications.count)
        for s in report.replications { for m in s.byModel { totals[m.provider, default: 0] += m.cost.dollars / n } }
        return totals.map { ($0.key, $0.value) }.sorted(by: Self.largestFirst)
    }

    private static func largestFirst(_ a: (String, Double), _ b: (String, Double)) -> Bool {
        a.1 != b.1 ? a.1 > b.1 : a.0 < b.0
    }
}
