import Foundation
import NexusGateway
import NexusScenario
import NexusSim

extension RunReport {
    /// A readable summary for a terminal, judged on the scenario's own targets.
    public var text: String { text(targets: scenarioVerdicts) }

    /// A readable summary for a terminal: what ran, the targets with their verdicts (and, for a missed one,
    /// what the run shows about why), the headline metrics, then every section the scenario has — per tier
    /// and class, failure reasons, autoscaling, cache, budget, per model.
    public func text(targets verdicts: [TargetVerdict]) -> String {
        var lines: [String] = []
        let reps = replications.count
        lines.append("Scenario \(scenario.name) — seed \(seed), \(reps) replication\(reps == 1 ? "" : "s")"
            + (reps >= 2 ? " (mean and 95 % confidence interval)" : ""))
        if !scenario.description.isEmpty { lines.append(scenario.description.trimmingCharacters(in: .whitespacesAndNewlines)) }
        lines += ranLines
        if let live = liveLine { lines.append(live) }
        lines.append("")
        if !verdicts.isEmpty {
            lines += targetLines(verdicts)
            lines.append("")
        }
        func row(_ label: String, _ name: String) {
            guard let e = estimate(name), let unit = definition(name)?.unit else { return }
            var s = label.padding(toLength: 26, withPad: " ", startingAt: 0) + (e.mean.isNaN ? "–" : unit.format(e.mean))
            if let ci = e.ci95 { s += "   [\(unit.format(ci.lowerBound)), \(unit.format(ci.upperBound))]" }
            lines.append("  " + s)
        }
        row("requests", "requests")
        row("succeeded", "succeeded")
        row("failed", "failed")
        row("rejected", "rejected")
        row("availability", "availability")
        row("error rate", "error_rate")
        row("latency p50", "latency_ms.p50")
        row("latency p95", "latency_ms.p95")
        row("latency p99", "latency_ms.p99")
        row("latency mean", "latency_ms.mean")
        row("time to first token p95", "ttft_ms.p95")
        row("cost total", "cost_usd.total")
        row("cost per request", "cost_usd.per_request")
        row("cost per conversation", "cost_usd.per_conversation")
        row("compliance violations", "compliance_violations")
        lines.append("")
        lines += groupTable("by tier", scenario.tiers.map { ($0.name, "by_tier.\($0.name)") }, routedCost: true)
        lines.append("")
        lines += groupTable("by class", scenario.traffic.classes.map { ($0.name, "by_class.\($0.name)") }, routedCost: false)
        lines.append("")
        let reasons = failureReasonLines
        if !reasons.isEmpty { lines += reasons + [""] }
        let scaling = autoscalingLines
        if !scaling.isEmpty { lines += scaling + [""] }
        let cache = cacheLines
        if !cache.isEmpty { lines += cache + [""] }
        let budget = budgetLines
        if !budget.isEmpty { lines += budget + [""] }
        lines += modelLines
        lines.append("")
        lines.append("  Means over replications; percentiles from HdrHistogram (3 significant digits).")
        return lines.joined(separator: "\n")
    }

    private func value(_ name: String) -> Double { estimate(name)?.mean ?? .nan }

    private func format(_ name: String) -> String {
        (definition(name)?.unit ?? MetricUnit(metricName: name)).format(value(name))
    }

    private static func count(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        return x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(format: "%.1f", x)
    }

    // MARK: What ran

    /// What actually ran: arrivals and their rate, parameters changed from their defaults, overrides, a trace —
    /// so that a description quoting the defaults ("about 1M requests a day") is not taken for this run.
    var ranLines: [String] {
        let sim = scenario.simulation
        let reps = replications.count
        let duration = Double(sim.durationNanos) / 1e9
        let arrivals = mean { Double($0.requestsSimulated) }
        var source: String
        if let trace = scenario.traffic.trace {
            source = "replayed trace \(trace.path) (\(trace.format.rawValue))"
            if trace.timeScale != 1 { source += ", \(Self.plain(trace.timeScale))× faster" }
            if trace.rateScale != 1 { source += ", \(Self.plain(trace.rateScale))× the traffic" }
        } else {
            let rate = scenario.traffic.arrivals.meanRatePerSecond
            switch scenario.traffic.arrivals {
            case .poisson: source = "Poisson arrivals at \(Self.rate(rate))"
            case .profiled: source = "Poisson arrivals at a mean \(Self.rate(rate)) shaped by a rate profile"
            case .mmpp: source = "bursty (MMPP) arrivals at a mean \(Self.rate(rate))"
            }
            if !scenario.traffic.spikes.isEmpty { source += " with \(scenario.traffic.spikes.count) spike\(scenario.traffic.spikes.count == 1 ? "" : "s")" }
        }
        let measured = duration > 0 ? arrivals / duration : .nan
        let conversations = scenario.traffic.trace == nil && scenario.traffic.classes.contains { $0.conversation != nil }
        if conversations { source += " (conversation starts; each turn is a request)" }
        var lines = ["Ran: \(Self.duration(duration)) of \(source) — \(Self.count(arrivals.rounded())) requests arrived"
            + (reps > 1 ? " per replication" : "") + ", i.e. \(Self.rate(measured)); "
            + (sim.warmupNanos > 0 ? "the first \(Self.duration(Double(sim.warmupNanos) / 1e9)) are warm-up (not counted), then " : "no warm-up, ")
            + "\(Self.duration(Double(sim.drainNanos) / 1e9)) of drain."]
        let changed = scenario.parameters.filter { $0.value != $0.defaultValue }
        var notes: [String] = []
        if !changed.isEmpty { notes.append("parameters " + changed.map { "\($0.name)=\($0.value) (default \($0.defaultValue))" }.joined(separator: ", ")) }
        let overrides = scenario.overrides.filter { !$0.path.hasPrefix("traffic.trace") }
        if !overrides.isEmpty { notes.append("overrides " + overrides.map { "\($0.path)=\($0.value)" }.joined(separator: ", ")) }
        if !notes.isEmpty || scenario.overrides.contains(where: { $0.path.hasPrefix("traffic.trace") }) {
            lines.append("Changed from the scenario file: " + (notes.isEmpty ? "traffic replaced by a trace" : notes.joined(separator: "; "))
                + " — where the description quotes the file's defaults, the line above is what this run did.")
        }
        return lines
    }

    private static func plain(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(format: "%g", x) }

    /// `11.6/s (1.00M/day)`.
    static func rate(_ perSecond: Double) -> String {
        guard perSecond.isFinite else { return "–" }
        let perDay = perSecond * 86_400
        let day = perDay >= 1e6 ? String(format: "%.2fM", perDay / 1e6) : perDay >= 1e3 ? String(format: "%.1fk", perDay / 1e3) : String(format: "%.0f", perDay)
        return String(format: perSecond >= 10 ? "%.1f/s" : "%.3g/s", perSecond) + " (\(day)/day)"
    }

    /// `24 h`, `90 min`, `45 s`, `30 d`.
    static func duration(_ seconds: Double) -> String {
        if seconds >= 2 * 86_400, seconds.truncatingRemainder(dividingBy: 86_400) == 0 { return "\(Int64(seconds / 86_400)) d" }
        if seconds >= 3600, seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int64(seconds / 3600)) h" }
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int64(seconds / 60)) min" }
        return "\(plain(seconds)) s"
    }

    // MARK: Targets

    func targetLines(_ verdicts: [TargetVerdict]) -> [String] {
        let reps = replications.count
        let missed = verdicts.filter { !$0.passed }
        var lines = ["Targets: " + (missed.isEmpty ? "all \(verdicts.count) met" : "\(missed.count) of \(verdicts.count) missed")
            + (reps >= 2 ? " (judged on the conservative end of each 95 % interval: upper bound for <, lower bound for >)"
                : " (judged on the point estimate of 1 replication; --replications 2 or more judges on the 95 % interval)")]
        let width = max(verdicts.map(\.target.spec.text.count).max() ?? 0, 6)
        for v in verdicts {
            let unit = v.target.unit
            let judged = v.judgedValue.isFinite ? "judged \(unit.format(v.judgedValue)) (\(v.basis.rawValue))" : "undefined in this run"
            lines.append("  " + (v.passed ? "met     " : "MISSED  ") + v.target.spec.text.padding(toLength: width, withPad: " ", startingAt: 0)
                + "   " + judged + "; bound \(v.target.comparison.rawValue) \(unit.format(v.target.threshold))")
            if !v.passed, let why = diagnosis(v) { lines.append("          why: " + why) }
        }
        return lines
    }

    /// What the run shows about a missed target: where the latency, the failures or the cost come from.
    public func diagnosis(_ verdict: TargetVerdict) -> String? {
        let metric = verdict.target.metric
        let parts = metric.split(separator: ".").map(String.init)
        guard let last = parts.last else { return nil }
        // The group the target is on (`by_tier.X.`), if any, and the metric within it.
        var groupPrefix = "", local = metric
        for prefix in ["by_tier.", "by_class."] where metric.hasPrefix(prefix) {
            for name in prefix == "by_tier." ? scenario.tiers.map(\.name) : scenario.traffic.classes.map(\.name)
            where metric.hasPrefix(prefix + name + ".") {
                groupPrefix = prefix + name + "."
                local = String(metric.dropFirst(groupPrefix.count))
            }
        }
        if local.hasPrefix("latency_ms.") || local.hasPrefix("ttft_ms.") {
            var classes = scenario.traffic.classes.map(\.name)
            if groupPrefix.hasPrefix("by_tier.") {
                let tier = String(groupPrefix.dropFirst("by_tier.".count).dropLast())
                classes = scenario.traffic.classes.filter { $0.tier == tier }.map(\.name)
            } else if groupPrefix.hasPrefix("by_class.") {
                classes = []
            }
            var out: [String] = []
            if local.hasPrefix("latency_ms.") {
                let ttft = value(groupPrefix + "ttft_ms." + last)
                let total = value(metric)
                if ttft.isFinite, total.isFinite, total > 0 {
                    out.append("time to first token \(last) is \(MetricUnit.milliseconds.format(ttft)) — "
                        + (ttft < 0.5 * total ? "most of the latency is generating the answer (latency runs to the last token)"
                            : "most of the latency comes before the first token (queueing, retries, slow first tokens)"))
                }
            }
            let ranked = classes.map { ($0, value("by_class.\($0).\(local)")) }.filter { $0.1.isFinite }.sorted { $0.1 > $1.1 }
            if !ranked.isEmpty {
                out.append("slowest classes by \(local.replacingOccurrences(of: "_ms.", with: " ")): " + ranked.prefix(3).map { "\($0.0) \(MetricUnit.milliseconds.format($0.1))" }.joined(separator: ", "))
            }
            return out.isEmpty ? nil : out.joined(separator: "; ")
        }
        if ["availability", "error_rate", "failed", "rejected", "succeeded"].contains(local) {
            let total = value("requests")
            let reasons = FailureReason.allCases.map { ($0.rawValue, value("failure_reasons.\($0.rawValue)")) }
                .filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }
            guard !reasons.isEmpty else { return nil }
            return "requests not answered" + (groupPrefix.isEmpty ? "" : " (all tiers)") + ": " + reasons.prefix(4).map {
                "\($0.0) \(Self.count($0.1.rounded()))" + (total > 0 ? String(format: " (%.3f %%)", $0.1 / total * 100) : "")
            }.joined(separator: ", ")
        }
        if parts.contains("cost_usd") || last.hasSuffix("_usd") {
            let total = value("cost_usd.total")
            let tiers = scenario.tiers.map { ($0.name, value("cost_usd.by_tier.\($0.name)")) }.filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }
            guard !tiers.isEmpty else { return nil }
            var s = "cost by tier: " + tiers.map { "\($0.0) \(MetricUnit.dollars.format($0.1))" + (total > 0 ? String(format: " (%.0f %%)", $0.1 / total * 100) : "") }
                .joined(separator: ", ")
            let infrastructure = value("cost_usd.infrastructure")
            if infrastructure > 0 { s += "; infrastructure \(MetricUnit.dollars.format(infrastructure))" }
            return s
        }
        return nil
    }

    // MARK: Sections

    func groupTable(_ title: String, _ groups: [(name: String, prefix: String)], routedCost: Bool) -> [String] {
        let width = max(groups.map(\.name.count).max() ?? 0, title.count) + 2
        func r(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(w - s.count, 0)) + s }
        var lines = ["  " + title.padding(toLength: width, withPad: " ", startingAt: 0) + r("requests", 10) + r("availability", 14)
            + r("p95", 12) + r("TTFT p95", 12) + r("cost/request", 14) + r("cost", 12)]
        for g in groups {
            let cost = routedCost ? "cost_usd.by_tier.\(g.name)" : "\(g.prefix).cost_usd.total"
            lines.append("  " + g.name.padding(toLength: width, withPad: " ", startingAt: 0)
                + r(Self.count(value("\(g.prefix).requests")), 10) + r(format("\(g.prefix).availability"), 14)
                + r(format("\(g.prefix).latency_ms.p95"), 12) + r(format("\(g.prefix).ttft_ms.p95"), 12)
                + r(format("\(g.prefix).cost_usd.per_request"), 14) + r(format(cost), 12))
        }
        if routedCost, value("budget.downgraded") > 0 {
            lines.append("  (a tier's requests are its classes'; its cost is what was routed in it, downgraded requests included)")
        }
        return lines
    }

    var failureReasonLines: [String] {
        let total = value("requests")
        let reasons = FailureReason.allCases.map { ($0, value("failure_reasons.\($0.rawValue)")) }.filter { $0.1 > 0 }
        guard !reasons.isEmpty else { return [] }
        var lines = ["  not answered, by reason" + String(repeating: " ", count: 13) + "requests      share"]
        for (reason, n) in reasons {
            let count = Self.count(n.rounded())
            lines.append("    " + "\(reason.rawValue)\(reason.isRejection ? " (rejected)" : "")".padding(toLength: 30, withPad: " ", startingAt: 0)
                + String(repeating: " ", count: max(10 - count.count, 0)) + count + String(format: " %8.3f %%", total > 0 ? n / total * 100 : 0))
        }
        return lines
    }

    var autoscalingLines: [String] {
        let gateway = scenario.gateway
        guard gateway.autoscaling != nil || gateway.instancePricePerHour.dollars > 0 else { return [] }
        var lines = ["  autoscaling" + (gateway.autoscaling == nil ? " (fixed instances)" : "")]
        lines.append("    instances                 \(format("autoscaling.min_instances"))–\(format("autoscaling.max_instances"))")
        lines.append("    scale events              \(format("autoscaling.scale_event_count"))"
            + (replications[0].scaleEvents.isEmpty ? "" : " (replication 0: first at " + String(format: "t = %.2f h", Double(replications[0].scaleEvents[0].atNanos) / 3.6e12) + ", "
                + "\(replications[0].scaleEvents[0].from) → \(replications[0].scaleEvents[0].to))"))
        lines.append("    instance-hours            " + String(format: "%.2f", value("autoscaling.instance_hours")))
        lines.append("    infrastructure cost       \(format("cost_usd.infrastructure"))")
        return lines
    }

    var cacheLines: [String] {
        guard definition("cache.hit_rate") != nil else { return [] }
        var lines = ["  cache"]
        lines.append("    hit rate                  \(format("cache.hit_rate"))  (\(Self.count(value("cache.hits").rounded())) hits, "
            + "\(Self.count(value("cache.misses").rounded())) misses of counted requests)")
        if scenario.cache != nil {
            let byClass = CacheClass.allCases.filter { value("cache.by_class.\($0.rawValue).hits") + value("cache.by_class.\($0.rawValue).misses") > 0 }
                .map { "\($0.rawValue) \(format("cache.by_class.\($0.rawValue).hit_rate"))" }
            if !byClass.isEmpty { lines.append("    hit rate by cache class   " + byClass.joined(separator: ", ") + "  (whole run)") }
        }
        lines.append("    saved                     \(format("cache.saved_usd"))  (what the hits would have cost)")
        if definition("cache.semantic.hits") != nil {
            lines.append("    semantic                  \(format("cache.semantic.hit_rate")) of \(Self.count(value("cache.semantic.lookups").rounded())) "
                + "lookups matched, \(format("cache.semantic.false_hit_rate")) wrong answers (\(Self.count(value("cache.semantic.false_hits").rounded())))")
            lines.append("    semantic saved            \(format("cache.semantic.saved_usd")) − embeddings \(format("cache.semantic.embedding_usd"))"
                + " = \(format("cache.semantic.net_saved_usd"))")
        }
        if definition("cache.prompt_cache.token_hit_rate") != nil {
            lines.append("    prompt cache              \(format("cache.prompt_cache.token_hit_rate")) of prompt tokens cached, saved \(format("cache.prompt_cache.saved_usd"))")
        }
        return lines
    }

    var budgetLines: [String] {
        guard let spec = scenario.budget else { return [] }
        let policy = spec.policy
        let limits: [(String, USD?)] = [("monthly", policy.monthlyLimit), ("daily", policy.dailyLimit),
                                        ("per user per month", policy.perUserMonthlyLimit), ("per team per month", policy.perTeamMonthlyLimit)]
        var lines = ["  budget (action \(policy.action.rawValue); limits " + limits.compactMap { name, limit in
            limit.map { "\(name) \(MetricUnit.dollars.format($0.dollars))" } }.joined(separator: ", ") + ")"]
        let alerts = replications[0].budgetAlerts
        var alertLine = "    alerts                    \(format("budget.alert_count"))"
        if let firstAlert = alerts.first {
            alertLine += "  (replication 0, first: \(Int((firstAlert.threshold * 100).rounded())) % of the \(firstAlert.window.rawValue) limit at "
                + "\(Self.clock(firstAlert.at, calendar: policy.calendar)))"
        }
        lines.append(alertLine)
        let share = value("budget.exhausted_share")
        if share > 0, let at = replications[0].budgetExhaustedAt ?? replications.compactMap(\.budgetExhaustedAt).first {
            let window = (replications[0].budgetExhaustedWindow ?? replications.compactMap(\.budgetExhaustedWindow).first)?.rawValue ?? "a"
            lines.append("    exhausted                 \(Self.clock(at, calendar: policy.calendar)) (\(window) limit)"
                + (replications.count >= 2 ? String(format: "; in %.0f %% of replications, mean %@", share * 100, format("budget.exhausted_at_s")) : ""))
        } else {
            lines.append("    exhausted                 no limit reached")
        }
        lines.append("    refused (budget_exceeded) \(format("budget.rejected"))")
        if policy.action == .downgrade { lines.append("    downgraded                \(format("budget.downgraded"))") }
        lines.append("    users at their cap        \(format("budget.users_at_cap"))")
        if value("budget.overspend_usd") > 0 { lines.append("    overspend                 \(format("budget.overspend_usd"))") }
        if spec.namesReservation {
            lines.append("    reservation               \(policy.reservation.rawValue)")
            lines.append("    refused share             \(format("budget.refused_share"))")
            if value("budget.exhausted_share") > 0 {
                lines.append("    used when exhausted       \(format("budget.used_share_at_exhaustion")) of the first limit reached")
            }
            if policy.reservation == .clamp { lines.append("    clamped attempts          \(format("budget.clamped_attempts"))") }
        }
        return lines
    }

    /// `2026-01-01 14:05 (t = 14.08 h)` of a simulated time, in the budget's calendar and time zone.
    static func clock(_ at: Nanoseconds, calendar: BudgetCalendar) -> String {
        let day = calendar.day(at: at)
        let minutes = (at - calendar.start(ofDay: day)) / 60_000_000_000
        return isoDate(day) + String(format: " %02d:%02d (t = %.2f h)", Int(minutes / 60), Int(minutes % 60), Double(at) / 3.6e12)
    }

    var modelLines: [String] {
        var lines = ["  by model                                   attempts   successes   failures        cost   p95 ms"]
        for (i, model) in scenario.qualifiedModels.enumerated() {
            guard replications.contains(where: { $0.byModel.indices.contains(i) && $0.byModel[i].attempts > 0 }) else { continue }
            let p = "by_model.\(model.name)"
            let attempts = value("\(p).attempts"), successes = value("\(p).successes")
            lines.append("  " + model.name.padding(toLength: 40, withPad: " ", startingAt: 0)
                + String(format: "%11.0f %11.0f %10.0f %11@ %8.1f", attempts, successes, attempts - successes,
                         MetricUnit.dollars.format(value("\(p).cost_usd")), value("\(p).p95_latency_ms")))
        }
        return lines
    }
}
