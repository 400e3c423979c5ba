import Foundation
import NexusGateway

/// The `traffic:` section: arrival process and its profiles, users, request classes with conversations and
/// prompt popularity, and a recorded trace with its rules.
extension ScenarioDecoder {
    static let arrivalProcesses = ["poisson", "mmpp"]
    static let trafficKeys = ["arrivals", "classes", "users", "trace", "stream"]
    static let profileKeys = ["daily_profile", "weekly_profile", "growth_per_month", "spikes"]
    static let allArrivalKeys = ["process", "rate", "on_rate", "off_rate", "mean_on", "mean_off"] + profileKeys

    /// - Parameter start: the calendar instant of simulated time 0 (`simulation.start`), which places the profiles.
    func traffic(_ f: Field, tiers: [TierSpec], start: Int64) throws -> TrafficSpec {
        let m = try f.mapping(allowed: Self.trafficKeys)
        let classesField = try m.required("classes")
        let classFields = try classesField.list()
        guard !classFields.isEmpty else { throw classesField.error("traffic needs at least one request class") }
        let classes = try classFields.map { try requestClass($0, tiers: tiers) }
        try checkUnique(classes.map(\.name), in: classFields, what: "request class")
        let total = classes.reduce(0) { $0 + $1.share }
        guard abs(total - 1) < 1e-6 else {
            throw classesField.error("the classes' shares add up to \(formatPercent(total)); they must add up to 100%")
        }
        let trace = try m.optional("trace").map { try traceSpec($0, classes: classes) }
        // A trace replaces the arrival process, so arrivals may then be left out.
        let arrivals: ArrivalSpec
        if let a = m.optional("arrivals") {
            arrivals = try arrivalSpec(a, start: start)
        } else if trace != nil {
            arrivals = .poisson(ratePerSecond: 1)
        } else {
            throw f.error("missing required key 'arrivals' (or 'trace' to replay a recording)")
        }
        var spikes: [ArrivalSpike] = []
        if let a = m.optional("arrivals"), case .mapping = a.node, let s = try a.mapping(allowed: Self.allArrivalKeys).optional("spikes") {
            spikes = try arrivalSpikes(s)
        }
        var spec = TrafficSpec(arrivals: arrivals, classes: classes, users: try m.optional("users").map(users), trace: trace, spikes: spikes)
        spec.stream = try m.optional("stream")?.bool() ?? false
        return spec
    }

    private func arrivalSpec(_ f: Field, start: Int64) throws -> ArrivalSpec {
        if case .mapping(let entries, _) = f.node, let entry = entries.first(where: { $0.key == "start" }) {
            throw ScenarioError(location: entry.keyLocation, keyPath: "\(f.path).start",
                                message: "the calendar time of simulated time 0 is 'simulation.start' (it places the daily and weekly profiles and the budget windows)")
        }
        let processField = try f.mapping(allowed: ["process"] + ["rate", "on_rate", "off_rate", "mean_on", "mean_off"] + Self.profileKeys)
            .required("process")
        let process = try processField.text()
        switch process {
        case "poisson":
            let m = try f.mapping(allowed: ["process", "rate"] + Self.profileKeys)
            let rate = try m.required("rate").ratePerSecond()
            let profile = try rateProfile(m, start: start)
            return profile.isFlat ? .poisson(ratePerSecond: rate) : .profiled(ratePerSecond: rate, profile: profile)
        case "mmpp":
            let m = try f.mapping(allowed: ["process", "on_rate", "off_rate", "mean_on", "mean_off"] + Self.profileKeys)
            let offField = try m.required("off_rate")
            let off: Double
            if let v = Units.number(try offField.text()), v == 0 { off = 0 } else {
                guard let v = Units.ratePerSecond(try offField.text()), v >= 0 else {
                    throw offField.error("expected a rate such as 0/s or 2/s, found '\(try offField.text())'")
                }
                off = v
            }
            let onField = try m.required("on_rate")
            let on = try onField.ratePerSecond()
            guard on >= off else { throw onField.error("the on rate (\(on)/s) must be at least the off rate (\(off)/s)") }
            let spec = MMPPSpec(onRatePerSecond: on, offRatePerSecond: off,
                                meanOnNanos: try m.required("mean_on").durationNanos(positive: true),
                                meanOffNanos: try m.required("mean_off").durationNanos(positive: true))
            return .mmpp(spec, profile: try rateProfile(m, start: start))
        default:
            throw processField.error("expected an arrival process (\(Self.arrivalProcesses.joined(separator: ", "))), found '\(process)'",
                                     suggestion: nearest(to: process, in: Self.arrivalProcesses))
        }
    }

    private func rateProfile(_ m: Field.Mapping, start: Int64) throws -> RateProfileSpec {
        var profile = RateProfileSpec(startEpochNanos: start)
        if let d = m.optional("daily_profile") { profile.daily = try dailyProfile(d) }
        if let w = m.optional("weekly_profile") { profile.weekly = try multipliers(w, count: 7, what: "weekly profile (Monday first)") }
        if let g = m.optional("growth_per_month") {
            let text = try g.text()
            guard let v = Units.fraction(text), v > -1, v.isFinite else {
                throw g.error("expected a growth per month such as 5% or -2% (above -100%), found '\(text)'")
            }
            profile.growthPerMonth = v
        }
        return profile
    }

    private func dailyProfile(_ f: Field) throws -> DailyProfile {
        if case .sequence = f.node { return .hourly(try multipliers(f, count: 24, what: "daily profile (one multiplier per hour from midnight)")) }
        let m = try f.mapping(allowed: ["peak_hour", "peak_to_trough", "hourly"])
        if let hourly = m.optional("hourly") {
            if m.has("peak_hour") || m.has("peak_to_trough") {
                throw f.error("give either 'hourly' or 'peak_hour' with 'peak_to_trough', not both")
            }
            return .hourly(try multipliers(hourly, count: 24, what: "daily profile (one multiplier per hour from midnight)"))
        }
        let peakField = try m.required("peak_hour")
        let peak = try peakField.double()
        guard (0..<24).contains(peak) else { throw peakField.error("expected an hour from 0 to 24 (exclusive), found \(peak)") }
        let ratioField = try m.required("peak_to_trough")
        let ratio = try ratioField.double()
        guard ratio >= 1, ratio.isFinite else { throw ratioField.error("expected a peak-to-trough ratio of at least 1, found \(ratio)") }
        return .sinusoid(peakHour: peak, peakToTrough: ratio)
    }

    /// `count` non-negative multipliers, not all zero, normalised to mean 1.
    private func multipliers(_ f: Field, count: Int, what: String) throws -> [Double] {
        let items = try f.list()
        guard items.count == count else { throw f.error("a \(what) needs \(count) multipliers, found \(items.count)") }
        let values = try items.map { item in
            let v = try item.double()
            guard v >= 0 else { throw item.error("expected a non-negative multiplier, found \(v)") }
            return v
        }
        let mean = values.reduce(0, +) / Double(count)
        guard mean > 0 else { throw f.error("a \(what) needs at least one multiplier above 0") }
        return values.map { $0 / mean }
    }

    private func users(_ f: Field) throws -> UserPopulationSpec {
        let m = try f.mapping(allowed: ["count", "zipf", "teams"])
        let zipfField = m.optional("zipf")
        let s = try zipfField?.double() ?? 1
        if let zipfField, s < 0 { throw zipfField.error("expected a Zipf exponent >= 0, found \(s)") }
        let count = try m.required("count").int(in: 1...50_000_000)
        let teams = try m.optional("teams").map { field in
            let n = try field.int(in: 1...50_000_000)
            guard n <= count else { throw field.error("expected at most \(count) teams (one user each at least), found \(n)") }
            return n
        }
        return UserPopulationSpec(count: count, zipfExponent: s, teamCount: teams)
    }

    private func requestClass(_ f: Field, tiers: [TierSpec]) throws -> RequestClassSpec {
        let m = try f.mapping(allowed: ["name", "share", "tier", "classification", "cache_class", "input_tokens", "output_tokens",
                                        "max_output_tokens", "prompts", "turns", "think_time", "stream"])
        let tierField = try m.required("tier")
        let tier = try tierField.text()
        guard tiers.contains(where: { $0.name == tier }) else {
            throw tierField.error("no tier '\(tier)'; tiers: \(tiers.map(\.name).joined(separator: ", "))",
                                  suggestion: nearest(to: tier, in: tiers.map(\.name)))
        }
        let shareField = try m.required("share")
        let share = try shareField.fraction()
        guard share > 0 else { throw shareField.error("a class's share must be above 0%") }
        var conversation: ConversationSpec?
        if let turnsField = m.optional("turns") {
            let turns = try turnsField.distribution(of: .amount)
            guard turns.mean >= 1 else { throw turnsField.error("a conversation needs at least 1 turn on average, found a mean of \(turns.mean)") }
            guard let think = m.optional("think_time") else { throw f.error("missing required key 'think_time' (the class has 'turns')") }
            conversation = ConversationSpec(turns: turns, thinkTime: try think.distribution(of: .duration))
        } else if let think = m.optional("think_time") {
            throw think.error("'think_time' needs 'turns' (the number of turns of a conversation)")
        }
        var spec = RequestClassSpec(
            name: try m.required("name").name(),
            share: share,
            tier: tier,
            classification: try m.optional("classification")?.choice(DataClassification.self) ?? .public,
            inputTokens: try m.required("input_tokens").distribution(of: .amount),
            outputTokens: try m.required("output_tokens").distribution(of: .amount),
            maxOutputTokens: try m.optional("max_output_tokens")?.int(in: 1...10_000_000) ?? 4096,
            cacheClass: try m.optional("cache_class")?.choice(CacheClass.self) ?? .complex,
            prompts: try m.optional("prompts").map(prompts),
            conversation: conversation)
        spec.stream = try m.optional("stream")?.bool()
        return spec
    }

    private func prompts(_ f: Field) throws -> PromptPopularitySpec {
        let m = try f.mapping(allowed: ["distinct", "zipf", "one_off", "paraphrases"])
        let zipfField = m.optional("zipf")
        let s = try zipfField?.double() ?? 1
        if let zipfField, s < 0 { throw zipfField.error("expected a Zipf exponent >= 0, found \(s)") }
        return PromptPopularitySpec(distinct: try m.required("distinct").int(in: 1...50_000_000), zipfExponent: s,
                                    oneOffShare: try m.optional("one_off")?.fraction() ?? 0,
                                    paraphrases: try m.optional("paraphrases")?.int(in: 1...PromptPopularitySpec.maxParaphrases) ?? 1)
    }

    // MARK: Trace

    private func traceSpec(_ f: Field, classes: [RequestClassSpec]) throws -> TraceSpec {
        let m = try f.mapping(allowed: ["file", "format", "columns", "time_scale", "rate_scale", "copy_shift", "loop", "on_bad_row", "rules"])
        let fileField = try m.required("file")
        let path = resolvedPath(try fileField.text(), readFrom: fileField)
        let format = try m.required("format").choice(TraceFormat.self)
        let columnsField = m.optional("columns")
        let columns = try columnsField.map(traceColumns)
        if columns == nil, format == .csv || format == .jsonl {
            throw f.error("format '\(format.rawValue)' needs 'columns' (at least timestamp, input_tokens, output_tokens)")
        }
        func positive(_ key: String) throws -> Double {
            guard let field = m.optional(key) else { return 1 }
            let v = try field.double()
            guard v > 0, v.isFinite else { throw field.error("expected a factor above 0, found \(v)") }
            return v
        }
        let rateField = m.optional("rate_scale")
        let rate = try positive("rate_scale")
        if let rateField, rate > 1000 { throw rateField.error("expected a rate scale of at most 1000, found \(rate)") }
        // A time scale outside [1/1000, 1000] would turn a trace's seconds into centuries or stack its rows on one
        // nanosecond; rate_scale makes up to 1000 copies, each shifted by up to a day.
        let timeScale = try m.optional("time_scale")?.double(in: 0.001...1000, what: "a time scale") ?? 1
        return TraceSpec(
            path: path, format: format, columns: columns,
            timeScale: timeScale, rateScale: rate,
            copyShiftNanos: try m.optional("copy_shift")?.durationNanos(in: 0...CivilTime.nanosPerDay) ?? 60_000_000_000,
            loop: try m.optional("loop")?.bool() ?? false,
            onBadRow: try m.optional("on_bad_row")?.choice(BadRowPolicy.self) ?? .fail,
            rules: try m.optional("rules")?.list().map { try traceRule($0, classes: classes) } ?? [],
            fileLocation: fileField.location)
    }

    private func traceColumns(_ f: Field) throws -> TraceColumns {
        let m = try f.mapping(allowed: ["timestamp", "timestamp_unit", "input_tokens", "output_tokens", "model", "user", "class"])
        return TraceColumns(
            timestamp: try m.required("timestamp").text(),
            timestampUnit: try m.optional("timestamp_unit")?.choice(TimestampUnit.self) ?? .s,
            inputTokens: try m.required("input_tokens").text(),
            outputTokens: try m.required("output_tokens").text(),
            model: try m.optional("model")?.text(),
            user: try m.optional("user")?.text(),
            requestClass: try m.optional("class")?.text())
    }

    private func traceRule(_ f: Field, classes: [RequestClassSpec]) throws -> TraceRule {
        let m = try f.mapping(allowed: ["class", "model", "min_input_tokens", "max_input_tokens", "share"])
        let classField = try m.required("class")
        let name = try classField.text()
        guard let index = classes.firstIndex(where: { $0.name == name }) else {
            throw classField.error("no request class '\(name)'; classes: \(classes.map(\.name).joined(separator: ", "))",
                                   suggestion: nearest(to: name, in: classes.map(\.name)))
        }
        let minTokens = try m.optional("min_input_tokens")?.int(in: 0...Int(Int32.max))
        let maxField = m.optional("max_input_tokens")
        let maxTokens = try maxField?.int(in: 0...Int(Int32.max))
        if let minTokens, let maxTokens, let maxField, maxTokens < minTokens {
            throw maxField.error("max_input_tokens (\(maxTokens)) is below min_input_tokens (\(minTokens))")
        }
        return TraceRule(model: try m.optional("model")?.text(), minInputTokens: minTokens, maxInputTokens: maxTokens,
                         share: try m.optional("share")?.fraction() ?? 1, classIndex: index)
    }
}

extension ScenarioDecoder {
    /// The arrival rate at its highest over the run — the rate (or on rate) × the daily and weekly profiles'
    /// largest multipliers × the growth reached by the end × the largest spike — may be at most 1M/s, so that
    /// arrival gaps in whole nanoseconds never round to zero for long and stop the clock.
    func checkPeakRate(_ traffic: TrafficSpec, durationNanos: Nanoseconds, field: Field) throws {
        guard traffic.trace == nil else { return }
        let base: Double, profile: RateProfileSpec?
        switch traffic.arrivals {
        case .poisson(let r): (base, profile) = (r, nil)
        case .profiled(let r, let p): (base, profile) = (r, p)
        case .mmpp(let m, let p): (base, profile) = (m.onRatePerSecond, p)
        }
        var peak = base
        if let profile {
            switch profile.daily {
            case .sinusoid(_, let ratio): peak *= 2 * ratio / (ratio + 1)
            case .hourly(let values): peak *= values.max() ?? 1
            case nil: break
            }
            peak *= profile.weekly?.max() ?? 1
            let months = Double(durationNanos) / 1e9 / (30.436875 * 86_400)
            peak *= max(1, Foundation.pow(1 + profile.growthPerMonth, months))
        }
        peak *= max(1, traffic.spikes.map(\.multiplier).max() ?? 1)
        if !(peak <= Units.maximumRatePerSecond) {
            throw field.error("the arrival rate peaks at \(Units.format(peak))/s (rate × profile peaks × growth × spikes); "
                + "at most 1M/s is simulated (a mean gap of 1µs)")
        }
    }
}
