import NexusScenario
import NexusSim

/// The largest traffic a monthly budget affords: the traffic scale (a multiple of the scenario's arrival
/// rate) whose P90 monthly spend, with every budget limit lifted, stays within the monthly budget.
///
/// Found by bracketing and bisection on the scale. Every probe runs the same replications (the same derived
/// seeds: common random numbers), so two probes differ only by the scale and the P90 moves with the scale
/// rather than with the noise of fresh draws; the search therefore converges on a single curve.
/// A probe's spend is the month's demand (nothing refused), so the answer does not depend on the budget's
/// action. The search stops when the bracket is narrower than `tolerance` (relative) or after `maxProbes`.
public struct AffordableVolume: Sendable {
    /// One simulated scale.
    public struct Probe: Sendable, Hashable {
        /// Multiple of the scenario's arrival rate.
        public var scale: Double
        /// P90 over the replications of the month's uncapped spend, dollars.
        public var p90SpendUSD: Double
        /// Mean requests per day at this scale.
        public var requestsPerDay: Double
        /// Whether `p90SpendUSD` is within the budget.
        public var withinBudget: Bool { p90SpendUSD <= budgetUSD }
        public var budgetUSD: Double
    }

    /// The monthly budget searched against, dollars.
    public var budgetUSD: Double
    /// Replications per probe.
    public var replications: Int
    /// Relative width at which the bracket is narrow enough.
    public var tolerance: Double
    /// Every probe, in the order simulated.
    public var probes: [Probe]
    /// Replications the search simulated (a probe at scale 1 may reuse months already simulated).
    public var simulatedReplications = 0

    /// The largest probed scale within the budget; `nil` when none was (even the smallest probe spent more).
    public var affordable: Probe? { probes.filter(\.withinBudget).max { $0.scale < $1.scale } }
    /// The smallest probed scale over the budget; `nil` when none was.
    public var tooMuch: Probe? { probes.filter { !$0.withinBudget }.min { $0.scale < $1.scale } }

    /// Searches `scenario` (already adapted to the month) against its monthly budget.
    /// - Parameters:
    ///   - replications: replications per probe (the first `replications` seeds of `seed`).
    ///   - atScaleOne: the month already simulated at scale 1 with the limits lifted and the same seeds, if
    ///     any; its first `replications` replications serve as the first probe.
    /// - Returns: `nil` when the scenario has no monthly budget.
    public static func search(
        scenario monthScenario: Scenario, seed: UInt64, replications: Int, tolerance: Double = 0.02, maxProbes: Int = 14,
        threads: Int? = nil, atScaleOne: [RunSummary]? = nil, progress: ProgressMeter? = nil
    ) -> AffordableVolume? {
        precondition(replications >= 1 && tolerance > 0 && maxProbes >= 2)
        guard let budget = monthScenario.budget?.policy.monthlyLimit?.dollars else { return nil }
        let base = MonthForecast.uncapped(monthScenario)
        let days = Double(monthScenario.simulation.durationNanos) / 86_400e9
        var result = AffordableVolume(budgetUSD: budget, replications: replications, tolerance: tolerance, probes: [])
        func probe(_ scale: Double) -> Probe {
            if let known = result.probes.first(where: { $0.scale == scale }) { return known }
            let summaries: [RunSummary]
            if scale == 1, let atScaleOne, atScaleOne.count >= replications {
                summaries = Array(atScaleOne.prefix(replications))
            } else {
                summaries = Experiment.run(plan: SimulationPlan(base.scalingTraffic(by: scale)), seed: seed,
                                           replications: replications, threads: threads, progress: progress)
                result.simulatedReplications += replications
            }
            let p = Probe(scale: scale, p90SpendUSD: MonthForecast.percentile(summaries.map(\.totalCost.dollars), 90),
                          requestsPerDay: summaries.map { Double($0.requests) }.reduce(0, +) / Double(summaries.count) / days,
                          budgetUSD: budget)
            result.probes.append(p)
            return p
        }
        // Bracket: from scale 1, jump to the scale at which spend would meet the budget if it were proportional
        // to traffic, then widen by half again until the bracket holds both sides.
        let one = probe(1)
        var lo: Double?, hi: Double?
        if one.withinBudget { lo = 1 } else { hi = 1 }
        var guess = one.p90SpendUSD > 0 ? budget / one.p90SpendUSD : 2
        if !guess.isFinite || guess <= 0 { guess = one.withinBudget ? 2 : 0.5 }
        while (lo == nil || hi == nil), result.probes.count < maxProbes {
            let p = probe(guess)
            if p.withinBudget { lo = max(lo ?? 0, p.scale) } else { hi = min(hi ?? .infinity, p.scale) }
            if lo == nil { guess = (hi ?? guess) / 1.5 } else if hi == nil { guess = (lo ?? guess) * 1.5 }
            if guess < 1e-6 || guess > 1e6 { break }
        }
        while let l = lo, let h = hi, (h - l) / l > tolerance, result.probes.count < maxProbes {
            let mid = (l + h) / 2
            if probe(mid).withinBudget { lo = mid } else { hi = mid }
        }
        return result
    }
}
