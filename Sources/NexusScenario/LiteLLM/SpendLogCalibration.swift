import Foundation
import NexusGateway

/// Provider and traffic models fitted to LiteLLM spend logs (`nexus-sim calibrate litellm-spend-logs`).
///
/// Per deployment (the log's `model`): time to first token (`completionStartTime − startTime` of successful
/// calls) and generation speed (`completion_tokens / (endTime − completionStartTime)`), each a lognormal given
/// by the sample's median and 95th percentile — or, when that lognormal is more than ``empiricalThreshold``
/// away from the sample in Kolmogorov–Smirnov distance, the sample's percentiles as an empirical
/// distribution; the share of calls failing with each status; the cache hit rate. Traffic: the mean arrival
/// rate, the hour-of-day (and, over a week or more, day-of-week) profile, the class mix by `model_group` with
/// its token sizes, and the number of users.
public struct SpendLogCalibration: Sendable {
    /// A lognormal given as a person knows it, with its distance from the sample it was fitted to.
    public struct Fit: Sendable {
        public var median: Double
        public var p95: Double
        /// Kolmogorov–Smirnov distance between the sample and the fitted lognormal.
        public var ks: Double
        /// The sample's percentiles 0.5 %, 1.5 %, ... 99.5 % when the lognormal fits poorly; else `nil`.
        public var empirical: [Double]?
        public var samples: Int
    }

    public struct Deployment: Sendable {
        public var key: String
        public var requests: Int
        public var ttftSeconds: Fit?
        public var tokensPerSecond: Fit?
        /// Share of calls failing with each HTTP status.
        public var errorShares: [Int: Double]
        public var cacheHitRate: Double
    }

    public struct RequestClass: Sendable {
        public var group: String
        public var share: Double
        public var inputTokens: Fit?
        public var outputTokens: Fit?
        public var maxOutputTokens: Int
    }

    public var rows: Int
    public var firstNanos: Int64
    public var lastNanos: Int64
    public var deployments: [Deployment]
    public var ratePerSecond: Double
    /// 24 multipliers of the mean rate, hour 0 (UTC) first.
    public var hourly: [Double]
    /// 7 multipliers, Monday first, when the log spans at least a week.
    public var weekly: [Double]?
    public var classes: [RequestClass]
    public var users: Int
    public var recordedSpend: Double
    /// The same calls priced with the price table (what the scenario charges), and how many rows it priced.
    public var tableCost: Double?
    public var pricedRows: Int

    /// KS distance above which the empirical distribution is written instead of the lognormal.
    public static let empiricalThreshold = 0.05
    static let z95 = 1.6448536269514722

    public static func fit(_ records: [SpendLogRecord], priceBook: PriceBook? = nil) throws -> SpendLogCalibration {
        guard !records.isEmpty else { throw SpendLogError(location: .commandLine("spend log"), message: "the spend log has no rows") }
        let first = records.map(\.start).min()!, last = records.map(\.start).max()!
        var byModel: [String: [SpendLogRecord]] = [:]
        var order: [String] = []
        for r in records {
            if byModel[r.model] == nil { order.append(r.model) }
            byModel[r.model, default: []].append(r)
        }
        let deployments = order.map { key -> Deployment in
            let rs = byModel[key]!
            let ok = rs.filter { $0.failureStatus == nil && !$0.cacheHit }
            let ttft = ok.compactMap { r in r.completionStart.map { Double($0 - r.start) / 1e9 } }.filter { $0 > 0 }
            let speed = ok.compactMap { r -> Double? in
                guard let fs = r.completionStart, r.end > fs, r.completionTokens > 0 else { return nil }
                return Double(r.completionTokens) / (Double(r.end - fs) / 1e9)
            }
            var shares: [Int: Double] = [:]
            for r in rs { if let s = r.failureStatus { shares[s, default: 0] += 1 } }
            for k in shares.keys { shares[k]! /= Double(rs.count) }
            return Deployment(key: key, requests: rs.count, ttftSeconds: lognormalFit(ttft), tokensPerSecond: lognormalFit(speed),
                              errorShares: shares, cacheHitRate: Double(rs.filter(\.cacheHit).count) / Double(rs.count))
        }
        // Traffic profile: arrivals per hour of day over the hours of day the log covers.
        let spanSeconds = max(Double(last - first) / 1e9, 1)
        let hour: Int64 = 3_600_000_000_000, day = 24 * hour
        var hourCounts = Array(repeating: 0.0, count: 24), hourExposure = Array(repeating: 0.0, count: 24)
        var weekCounts = Array(repeating: 0.0, count: 7), weekExposure = Array(repeating: 0.0, count: 7)
        for r in records {
            hourCounts[Int(((r.start % day) + day) % day / hour)] += 1
            weekCounts[weekday(r.start)] += 1
        }
        var t = first - ((first % hour) + hour) % hour
        while t <= last {
            let covered = Double(min(t + hour, last + 1) - max(t, first)) / Double(hour)
            hourExposure[Int(((t % day) + day) % day / hour)] += covered
            weekExposure[weekday(t)] += covered / 24
            t += hour
        }
        func multipliers(_ counts: [Double], _ exposure: [Double]) -> [Double] {
            let rates = zip(counts, exposure).map { $1 > 0 ? $0 / $1 : -1 }
            let seen = rates.filter { $0 >= 0 }
            let mean = seen.isEmpty ? 1 : seen.reduce(0, +) / Double(seen.count)
            return rates.map { $0 < 0 || mean == 0 ? 1 : $0 / mean }
        }
        var groups: [String] = []
        var byGroup: [String: [SpendLogRecord]] = [:]
        for r in records {
            if byGroup[r.modelGroup] == nil { groups.append(r.modelGroup) }
            byGroup[r.modelGroup, default: []].append(r)
        }
        let classes = groups.map { g -> RequestClass in
            let rs = byGroup[g]!
            return RequestClass(group: g, share: Double(rs.count) / Double(records.count),
                                inputTokens: lognormalFit(rs.map { Double($0.promptTokens) }.filter { $0 > 0 }),
                                outputTokens: lognormalFit(rs.map { Double($0.completionTokens) }.filter { $0 > 0 }),
                                maxOutputTokens: max(rs.map(\.completionTokens).max() ?? 1, 1))
        }
        var tableCost: Double?, priced = 0
        if let priceBook {
            var total = 0.0
            for r in records where !r.cacheHit && r.failureStatus == nil {
                let rest = r.model.split(separator: "/", maxSplits: 1).last.map(String.init) ?? r.model
                guard let price = priceBook[r.model] ?? priceBook[rest] else { continue }
                total += price.cost(inputTokens: r.promptTokens, outputTokens: r.completionTokens).dollars
                priced += 1
            }
            tableCost = total
        }
        return SpendLogCalibration(
            rows: records.count, firstNanos: first, lastNanos: last, deployments: deployments,
            ratePerSecond: Double(records.count) / spanSeconds, hourly: multipliers(hourCounts, hourExposure),
            weekly: Double(last - first) >= 7 * Double(day) ? multipliers(weekCounts, weekExposure) : nil,
            classes: classes, users: Set(records.map(\.user).filter { !$0.isEmpty }).count,
            recordedSpend: records.reduce(0) { $0 + $1.spend }, tableCost: tableCost, pricedRows: priced)
    }

    /// Monday = 0 (1970-01-01 was a Thursday).
    private static func weekday(_ t: Int64) -> Int {
        let days = t >= 0 ? t / 86_400_000_000_000 : (t - 86_400_000_000_000 + 1) / 86_400_000_000_000
        return Int(((days + 3) % 7 + 7) % 7)
    }

    /// The lognormal through the sample's median and 95th percentile, with its KS distance; `nil` for fewer
    /// than two positive values.
    public static func lognormalFit(_ sample: [Double]) -> Fit? {
        let xs = sample.filter { $0 > 0 && $0.isFinite }.sorted()
        guard xs.count >= 2 else { return nil }
        let median = quantile(xs, 0.5), p95 = max(quantile(xs, 0.95), median)
        let mu = log(median), sigma = log(p95 / median) / z95
        let cdf = { (x: Double) -> Double in
            sigma > 0 ? 0.5 * erfc(-(log(x) - mu) / (sigma * 2.0.squareRoot())) : (x >= median ? 1 : 0)
        }
        let ks = ksDistance(sortedSample: xs, cdf: cdf)
        let empirical = ks > empiricalThreshold ? (0..<100).map { quantile(xs, (Double($0) + 0.5) / 100) } : nil
        return Fit(median: median, p95: p95, ks: ks, empirical: empirical, samples: xs.count)
    }

    /// Linear interpolation between order statistics (type 7).
    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let h = Double(sorted.count - 1) * p
        let lo = Int(h.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }

    /// sup |F_n(x) − F(x)| over a sorted sample.
    public static func ksDistance(sortedSample xs: [Double], cdf: (Double) -> Double) -> Double {
        let n = Double(xs.count)
        var d = 0.0
        for (i, x) in xs.enumerated() {
            let f = cdf(x)
            d = max(d, abs(Double(i + 1) / n - f), abs(f - Double(i) / n))
        }
        return d
    }

    // MARK: Output

    /// The calibration file: `deployments` and `traffic` for `import litellm --calibration`, and the fit report.
    public func yaml(source: String) -> String {
        var w = YAMLWriter()
        w.comment("Fitted by `nexus-sim calibrate litellm-spend-logs` from \(source): \(rows) rows.")
        w.comment("Use with `nexus-sim import litellm CONFIG --calibration THIS_FILE`. ks: Kolmogorov-Smirnov distance of each fit.")
        var ds: [(String, YAMLWriter.Value, comment: String?)] = []
        for d in deployments {
            var e: [(String, YAMLWriter.Value, comment: String?)] = [("requests", .plain("\(d.requests)"), comment: nil)]
            var ks: [(String, YAMLWriter.Value)] = []
            if let f = d.ttftSeconds {
                e.append(("ttft", Self.distribution(f, unit: "s"), comment: "\(f.samples) calls"))
                ks.append(("ttft", .plain(Self.g(f.ks))))
            }
            if let f = d.tokensPerSecond {
                e.append(("tokens_per_second", Self.distribution(f, unit: ""), comment: nil))
                ks.append(("tokens_per_second", .plain(Self.g(f.ks))))
            }
            let simulated = d.errorShares.filter { $0.key == 429 || (500...599).contains($0.key) }
            if !simulated.isEmpty {
                e.append(("errors", .map(simulated.keys.sorted().map { k -> (String, YAMLWriter.Value) in ("\(k)", .plain("\(Self.g(simulated[k]! * 100))%")) }), comment: nil))
            }
            let other = d.errorShares.keys.filter { simulated[$0] == nil }.sorted()
            e.append(("cache_hit_rate", .plain("\(Self.g(d.cacheHitRate * 100))%"),
                      comment: other.isEmpty ? nil : "statuses \(other.map(String.init).joined(separator: ", ")) are not simulated"))
            if !ks.isEmpty { e.append(("ks", .map(ks), comment: nil)) }
            ds.append((d.key, .mapping(e), comment: nil))
        }
        w.entry("deployments", .mapping(ds))
        var arrivals: [(String, YAMLWriter.Value)] = [
            ("process", .scalar("poisson")), ("rate", .plain("\(Self.g(ratePerSecond))/s")),
            ("daily_profile", .map([("hourly", .list(hourly.map { YAMLWriter.Value.plain(Self.g($0, digits: 4)) }))])),
        ]
        if let weekly { arrivals.append(("weekly_profile", .list(weekly.map { YAMLWriter.Value.plain(Self.g($0, digits: 4)) }))) }
        var classValues: [YAMLWriter.Value] = []
        var remaining = 1.0
        for (i, c) in classes.enumerated() {
            let share = i == classes.count - 1 ? remaining : (c.share * 1e9).rounded() / 1e9
            remaining -= share
            classValues.append(.map([
                ("name", .scalar(LiteLLMConfigImporter.sanitize(c.group))), ("share", .plain(Self.g(share, digits: 9))),
                ("tier", .scalar(LiteLLMConfigImporter.sanitize(c.group))), ("classification", .scalar("public")),
                ("input_tokens", c.inputTokens.map { Self.distribution($0, unit: "", integer: true) } ?? .plain("1")),
                ("output_tokens", c.outputTokens.map { Self.distribution($0, unit: "", integer: true) } ?? .plain("1")),
                ("max_output_tokens", .plain("\(c.maxOutputTokens)")),
            ]))
        }
        var traffic: [(String, YAMLWriter.Value, comment: String?)] = [
            ("arrivals", .map(arrivals), comment: nil), ("classes", .list(classValues), comment: nil),
        ]
        if users > 0 { traffic.append(("users", .map([("count", .plain("\(users)"))]), comment: nil)) }
        w.entry("traffic", .mapping(traffic))
        var cost: [(String, YAMLWriter.Value)] = [("recorded_usd", .plain(Self.g(recordedSpend, digits: 10)))]
        if let tableCost {
            cost.append(("price_table_usd", .plain(Self.g(tableCost, digits: 10))))
            cost.append(("rows_priced", .plain("\(pricedRows)")))
        }
        w.entry("cost", .map(cost))
        return w.text
    }

    /// The fit report for the terminal: one line per fitted distribution, then the cost comparison.
    public var report: String {
        var lines: [String] = []
        for d in deployments {
            if let f = d.ttftSeconds {
                lines.append("\(d.key) ttft: lognormal median \(Self.g(f.median * 1000)) ms, p95 \(Self.g(f.p95 * 1000)) ms; KS \(Self.g(f.ks, digits: 3))" + (f.empirical != nil ? " (empirical used)" : "") + ", n=\(f.samples)")
            }
            if let f = d.tokensPerSecond {
                lines.append("\(d.key) tokens/s: lognormal median \(Self.g(f.median)), p95 \(Self.g(f.p95)); KS \(Self.g(f.ks, digits: 3))" + (f.empirical != nil ? " (empirical used)" : "") + ", n=\(f.samples)")
            }
        }
        for c in classes {
            for (name, f) in [("input tokens", c.inputTokens), ("output tokens", c.outputTokens)] {
                if let f { lines.append("class \(c.group) \(name): lognormal median \(Self.g(f.median)), p95 \(Self.g(f.p95)); KS \(Self.g(f.ks, digits: 3))") }
            }
        }
        if let tableCost {
            let ratio = recordedSpend > 0 ? " (\(Self.g(tableCost / recordedSpend * 100, digits: 4)) % of recorded)" : ""
            lines.append("cost: recorded spend $\(Self.g(recordedSpend, digits: 8)); priced by the table $\(Self.g(tableCost, digits: 8))\(ratio), \(pricedRows) of \(rows) rows priced")
        } else {
            lines.append("cost: recorded spend $\(Self.g(recordedSpend, digits: 8)) (give --prices FILE to compare with the price table)")
        }
        return lines.joined(separator: "\n")
    }

    private static func distribution(_ f: Fit, unit: String, integer: Bool = false) -> YAMLWriter.Value {
        let value = { (x: Double) -> YAMLWriter.Value in .plain(integer ? "\(Int(max(x.rounded(), 1)))" : "\(g(x))\(unit)") }
        if let e = f.empirical {
            return .map([("dist", .scalar("empirical")), ("values", .list(e.map { value($0) }))])
        }
        if f.p95 <= f.median { return value(f.median) }
        return .map([("dist", .scalar("lognormal")), ("median", value(f.median)), ("p95", value(f.p95))])
    }

    static func g(_ x: Double, digits: Int = 6) -> String {
        var s = String(format: "%.\(digits)g", x)
        if s.contains("e") { s = String(format: "%.\(digits)f", x) }
        if s.contains(".") { while s.hasSuffix("0") { s.removeLast() }; if s.hasSuffix(".") { s.removeLast() } }
        return s
    }
}
