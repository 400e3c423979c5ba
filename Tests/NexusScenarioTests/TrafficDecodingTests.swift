import Foundation
import NexusGateway
import NexusScenario
import Testing

/// The `traffic:` keys of the realistic-traffic issue: profiles, MMPP, users, conversations, prompts, traces.
@Suite("Traffic decoding")
struct TrafficDecodingTests {
    static let arrivals = "  arrivals: {process: poisson, rate: 12/s}"

    func withArrivals(_ text: String) throws -> String { try replacing(Self.arrivals, with: "  arrivals: \(text)") }

    @Test func plainPoissonStaysPlain() throws {
        #expect(try parse(Fixture.minimal).traffic.arrivals == .poisson(ratePerSecond: 12))
    }

    @Test func profilesAreNormalisedToMeanOne() throws {
        let hourly = (0..<24).map { $0 < 12 ? "1" : "3" }.joined(separator: ", ")
        let s = try parse(try replacing("  duration: 1h", with: "  duration: 1h\n  start: 2026-11-04T06:00:00Z", in: try withArrivals("""
            {process: poisson, rate: 1M/day, daily_profile: {hourly: [\(hourly)]}, weekly_profile: [2, 2, 2, 2, 2, 1, 1],
               growth_per_month: 5%, spikes: [{start: 14h, duration: 30m, multiplier: 3}]}
            """)))
        guard case .profiled(let rate, let profile) = s.traffic.arrivals else { Issue.record("not profiled"); return }
        #expect(abs(rate - 1e6 / 86_400) < 1e-9)
        #expect(profile.daily == .hourly((0..<24).map { $0 < 12 ? 0.5 : 1.5 }))
        let weekly: [Double] = [2, 2, 2, 2, 2, 1, 1].map { $0 * 7 / 12 }
        let observed = try #require(profile.weekly)
        #expect(zip(observed, weekly).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(profile.growthPerMonth == 0.05)
        #expect(s.traffic.spikes == [ArrivalSpike(startNanos: 14 * 3_600_000_000_000, durationNanos: 1_800_000_000_000, multiplier: 3)])
        #expect(profile.startEpochNanos == (1_793_577_600 + 2 * 86_400 + 6 * 3600) * 1_000_000_000)
        #expect(s.traffic.arrivals.meanRatePerSecond == rate)
    }

    @Test func peakAndRatioFormAndMMPP() throws {
        let s = try parse(try withArrivals("{process: poisson, rate: 10/s, daily_profile: {peak_hour: 14, peak_to_trough: 4}}"))
        #expect(s.traffic.arrivals == .profiled(ratePerSecond: 10, profile: RateProfileSpec(daily: .sinusoid(peakHour: 14, peakToTrough: 4))))
        // Without simulation.start, time 0 is its default, 2026-01-01T00:00:00Z.
        #expect(RateProfileSpec.defaultStartEpochNanos == s.simulation.startEpochNanos)
        let m = try parse(try withArrivals("{process: mmpp, on_rate: 20/s, off_rate: 0, mean_on: 1m, mean_off: 4m}"))
        guard case .mmpp(let spec, let profile) = m.traffic.arrivals else { Issue.record("not mmpp"); return }
        #expect(spec == MMPPSpec(onRatePerSecond: 20, offRatePerSecond: 0, meanOnNanos: 60_000_000_000, meanOffNanos: 240_000_000_000))
        #expect(profile.isFlat)
        #expect(m.traffic.arrivals.meanRatePerSecond == 4)
    }

    @Test("impossible or misspelt arrival settings", arguments: [
        ("{process: poisson, rate: 1/s, weekly_profile: [1, 2, 3]}", "traffic.arrivals.weekly_profile",
         "a weekly profile (Monday first) needs 7 multipliers, found 3", nil),
        ("{process: poisson, rate: 1/s, daily_profile: {peak_hour: 14, peak_to_trough: 0.5}}", "traffic.arrivals.daily_profile.peak_to_trough",
         "expected a peak-to-trough ratio of at least 1, found 0.5", nil),
        ("{process: poisson, rate: 1/s, daily_profile: {peak_hour: 25, peak_to_trough: 2}}", "traffic.arrivals.daily_profile.peak_hour",
         "expected an hour from 0 to 24 (exclusive), found 25.0", nil),
        ("{process: poisson, rate: 1/s, dayly_profile: {peak_hour: 1, peak_to_trough: 2}}", "traffic.arrivals.dayly_profile",
         "unknown key 'dayly_profile'", "daily_profile"),
        ("{process: mmpp, on_rate: 1/s, off_rate: 2/s, mean_on: 1m, mean_off: 1m}", "traffic.arrivals.on_rate",
         "the on rate (1.0/s) must be at least the off rate (2.0/s)", nil),
        ("{process: mmpp, on_rate: 1/s, off_rate: 0, mean_on: 1m}", "traffic.arrivals", "missing required key 'mean_off'", nil),
        ("{process: poisson, on_rate: 1/s}", "traffic.arrivals.on_rate", "unknown key 'on_rate'", nil),
        ("{process: mmpd, rate: 1/s}", "traffic.arrivals.process", "expected an arrival process (poisson, mmpp), found 'mmpd'", "mmpp"),
        ("{process: poisson, rate: 1/s, start: 2026-11-02}", "traffic.arrivals.start",
         "the calendar time of simulated time 0 is 'simulation.start'", nil),
        ("{process: poisson, rate: 1/s, daily_profile: {peak_hour: 1, peak_to_trough: 2}, spikes: [{start: 1h, duration: 0s, multiplier: 2}]}",
         "traffic.arrivals.spikes[0].duration", "expected a positive duration, found '0s'", nil),
        ("{process: mmpp, on_rate: 1/s, off_rate: 0, mean_on: 1m, mean_off: 1m, spikes: [{start: 1h, duration: 1m, multiplier: 0}]}",
         "traffic.arrivals.spikes[0].multiplier", "expected a multiplier above 0, found 0.0", nil),
    ] as [(String, String, String, String?)])
    func badArrivals(arrivals: String, keyPath: String, message: String, suggestion: String?) throws {
        let error = try parseError(try withArrivals(arrivals))
        #expect(error.keyPath == keyPath)
        #expect(error.message.hasPrefix(message), "\(error.message)")
        #expect(error.suggestion == suggestion)
        #expect(error.location != nil)
    }

    @Test func usersMayBelongToTeams() throws {
        let s = try parse(try variant(("  classes:", "  users: {count: 10, teams: 3}\n  classes:")))
        let users = try #require(s.traffic.users)
        #expect(users == UserPopulationSpec(count: 10, zipfExponent: 1, teamCount: 3))
        // User i is in team i mod 3; an unknown user (-1) in none.
        #expect((0..<7).map { users.team(of: $0) } == [0, 1, 2, 0, 1, 2, 0])
        #expect(users.team(of: -1) == nil)
        #expect(UserPopulationSpec(count: 10, zipfExponent: 1).team(of: 4) == nil)
        let error = try parseError(try variant(("  classes:", "  users: {count: 10, teams: 11}\n  classes:")))
        #expect(error.keyPath == "traffic.users.teams")
        #expect(error.message == "expected at most 10 teams (one user each at least), found 11")
    }

    @Test func classesTakeConversationsPromptsCacheClassAndUsers() throws {
        let s = try parse(try variant(
            ("  classes:", "  users: {count: 5k, zipf: 1.2}\n  classes:"),
            ("      output_tokens: 200", """
                  output_tokens: 200
                  cache_class: simple
                  prompts: {distinct: 10k, zipf: 0.9, one_off: 25%}
                  turns: {dist: gamma, mean: 4, cv: 0.5}
                  think_time: 30s
            """)))
        let c = s.traffic.classes[0]
        #expect(s.traffic.users == UserPopulationSpec(count: 5000, zipfExponent: 1.2))
        #expect(c.cacheClass == .simple)
        #expect(c.prompts == PromptPopularitySpec(distinct: 10_000, zipfExponent: 0.9, oneOffShare: 0.25))
        #expect(c.conversation == ConversationSpec(turns: .gamma(mean: 4, cv: 0.5), thinkTime: .constant(30)))
    }

    @Test func thinkTimeNeedsTurnsAndCacheClassIsChecked() throws {
        let error = try parseError(try replacing("      output_tokens: 200", with: "      output_tokens: 200\n      think_time: 30s"))
        #expect(error.keyPath == "traffic.classes[0].think_time")
        #expect(error.message == "'think_time' needs 'turns' (the number of turns of a conversation)")
        let cache = try parseError(try replacing("      output_tokens: 200", with: "      output_tokens: 200\n      cache_class: simpel"))
        #expect(cache.keyPath == "traffic.classes[0].cache_class")
        #expect(cache.suggestion == "simple")
    }

    // MARK: Traces

    func withTrace(_ trace: String, keepArrivals: Bool = false) throws -> String {
        try replacing(Self.arrivals, with: (keepArrivals ? Self.arrivals + "\n" : "") + "  trace: \(trace)")
    }

    @Test func aTraceReplacesArrivalsAndResolvesItsPathAndRules() throws {
        let s = try parse(try withTrace("""
            {file: traces/t.csv, format: burstgpt, time_scale: 2, rate_scale: 2.5, copy_shift: 30s, loop: true, on_bad_row: skip,
               rules: [{model: "gpt-4*", class: chat}, {min_input_tokens: 100, max_input_tokens: 500, share: 50%, class: chat}]}
            """), baseDirectory: "/data/scenarios")
        let t = try #require(s.traffic.trace)
        #expect(t.path == "/data/scenarios/traces/t.csv")
        #expect(t.format == .burstgpt && t.timeScale == 2 && t.rateScale == 2.5 && t.copyShiftNanos == 30_000_000_000)
        #expect(t.loop && t.onBadRow == .skip)
        #expect(t.rules == [TraceRule(model: "gpt-4*", classIndex: 0),
                            TraceRule(minInputTokens: 100, maxInputTokens: 500, share: 0.5, classIndex: 0)])
    }

    @Test("bad trace settings", arguments: [
        ("{file: t.csv, format: azur}", "traffic.trace.format", "expected one of azure, mooncake, burstgpt, litellm, csv, jsonl, found 'azur'", "azure"),
        ("{file: t.csv, format: csv}", "traffic.trace", "format 'csv' needs 'columns'", nil),
        ("{file: t.csv, format: azure, rules: [{class: chta}]}", "traffic.trace.rules[0].class", "no request class 'chta'", "chat"),
        ("{file: t.csv, format: azure, rate_scale: 0}", "traffic.trace.rate_scale", "expected a factor above 0, found 0.0", nil),
        ("{file: t.csv, format: azure, on_bad_row: ignore}", "traffic.trace.on_bad_row", "expected one of fail, skip, found 'ignore'", nil),
        ("{file: t.csv, format: azure, rules: [{min_input_tokens: 10, max_input_tokens: 5, class: chat}]}",
         "traffic.trace.rules[0].max_input_tokens", "max_input_tokens (5) is below min_input_tokens (10)", nil),
        ("{file: t.csv, format: jsonl, columns: {timestamp: t, input_tokens: i, output_tokens: o, timestamp_unit: days}}",
         "traffic.trace.columns.timestamp_unit", "expected one of s, ms, us, ns, iso8601, found 'days'", nil),
    ] as [(String, String, String, String?)])
    func badTraces(trace: String, keyPath: String, message: String, suggestion: String?) throws {
        let error = try parseError(try withTrace(trace))
        #expect(error.keyPath == keyPath)
        #expect(error.message.hasPrefix(message), "\(error.message)")
        #expect(error.suggestion == suggestion)
    }

    @Test func withoutArrivalsOrTraceTheErrorSaysBoth() throws {
        let error = try parseError(try replacing(Self.arrivals + "\n", with: ""))
        #expect(error.keyPath == "traffic")
        #expect(error.message == "missing required key 'arrivals' (or 'trace' to replay a recording)")
    }

    @Test func traceFlagsAsOverridesAddTheTraceSection() throws {
        let s = try parse(Fixture.minimal, overrides: [Override(path: "traffic.trace.file", value: "/tmp/x.jsonl"),
                                                       Override(path: "traffic.trace.format", value: "mooncake")])
        #expect(s.traffic.trace?.path == "/tmp/x.jsonl" && s.traffic.trace?.format == .mooncake)
    }

    // MARK: Timestamps

    @Test func timestampsParseExactlyToTheNanosecond() {
        func iso(_ s: String) -> Int64? { TimestampParser.iso8601Nanos(Array(s.utf8)) }
        #expect(iso("1970-01-01T00:00:00Z") == 0)
        #expect(iso("2023-11-16 18:15:46.6805900") == 1_700_158_546_680_590_000)
        #expect(iso("2023-11-16T19:15:46.68059+01:00") == 1_700_158_546_680_590_000)
        #expect(iso("2024-02-29T00:00:00.000000001Z") == 1_709_164_800_000_000_001)
        #expect(iso("2023-11-16 18:15:46.1234567891") == nil)  // beyond a nanosecond
        #expect(iso("2023-11-16") == nil && iso("2023-11-16 25:00:00") == nil && iso("2023-11-16 18:15:46x") == nil)
        func dec(_ s: String, _ unit: Int64) -> Int64? { TimestampParser.decimalNanos(Array(s.utf8), unitNanos: unit) }
        #expect(dec("1700000000.910", 1_000_000_000) == 1_700_000_000_910_000_000)
        #expect(dec("1.5", 1_000_000) == 1_500_000)
        #expect(dec("0.0000000010", 1_000_000_000) == 1)
        #expect(dec("1.5", 1) == nil && dec("1e3", 1) == nil && dec("", 1) == nil && dec("-2", 1000) == -2000)
    }
}
