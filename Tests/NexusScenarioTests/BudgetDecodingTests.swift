import NexusGateway
import NexusScenario
import Testing

@Suite struct BudgetDecodingTests {
    static func scenario(_ budget: String, start: String = "2026-11-02T09:30:00+01:00") throws -> Scenario {
        try ScenarioLoader.parse(text: """
            name: b
            simulation: {duration: 1h, start: "\(start)"}
            gateway: {instances: 1, concurrency: 1}
            budget: \(budget)
            providers: [{name: p, classifications: [public], models: [{name: m, price: {input_per_mtok: $1, output_per_mtok: $1}, ttft: 1s}]}]
            tiers: [{name: t, models: [p/m]}, {name: cheap, models: [p/m]}]
            traffic:
              arrivals: {process: poisson, rate: 1/s}
              classes: [{name: c, share: 100%, tier: t, input_tokens: 1, output_tokens: 1}]
            """, file: "b.yaml")
    }

    @Test func decodesLimitsThresholdsActionAndCalendar() throws {
        let s = try Self.scenario("{monthly: $1000, daily: $50, per_user_monthly: $10, alerts: [50%, 90%], action: downgrade, downgrade_to: cheap, time_zone: '+01:00'}")
        let b = try #require(s.budget)
        #expect(b.policy.monthlyLimit == USD(1000) && b.policy.dailyLimit == USD(50) && b.policy.perUserMonthlyLimit == USD(10))
        #expect(b.policy.alertThresholds == [0.5, 0.9])
        #expect(b.policy.action == .downgrade && b.downgradeTier == "cheap")
        #expect(b.policy.calendar.utcOffsetSeconds == 3600)
        // 2026-11-02T09:30:00+01:00 = 08:30 UTC.
        let expected = CivilTime.days(year: 2026, month: 11, day: 2) * CivilTime.nanosPerDay + 8 * 3_600_000_000_000 + 30 * 60_000_000_000
        #expect(s.simulation.startEpochNanos == expected)
        #expect(b.policy.calendar.epochNanos == expected)
    }

    @Test(arguments: [
        ("{action: block}", "a budget needs at least one limit", nil as String?),
        ("{daily: $5, action: downgrade}", "action 'downgrade' needs 'downgrade_to: TIER'", nil),
        ("{daily: $5, action: downgrade, downgrade_to: chep}", "no tier 'chep'", "cheap"),
        ("{daily: $5, action: halt}", "expected one of block, downgrade, alert", nil),
        ("{daily: $5, time_zone: '+1:00:00'}", "expected UTC or an offset", nil),
        ("{daily: $5, time_zone: Mars/Olympus}", "no time zone 'Mars/Olympus'", nil),
        ("{daily: $0}", "a budget limit must be above $0", nil),
        ("{dayly: $5}", "unknown key 'dayly'", "daily"),
        ("{daily: $5, reservation: clam}", "expected one of worst_case, clamp, none", "clamp"),
        ("{daily: $5, reservation: none, action: downgrade, downgrade_to: cheap}", "reservation 'none' reserves nothing", nil),
    ])
    func rejectsBadBudgets(_ budget: String, _ message: String, _ suggestion: String?) throws {
        do {
            _ = try Self.scenario(budget)
            Issue.record("expected an error for \(budget)")
        } catch let error as ScenarioError {
            #expect(error.message.contains(message), "\(error)")
            #expect(error.suggestion == suggestion)
            #expect(error.location != nil)
        }
    }

    @Test func decodesTheReservationMode() throws {
        let plain = try #require(try Self.scenario("{daily: $5}").budget)
        #expect(plain.policy.reservation == .worstCase)
        #expect(!plain.namesReservation)
        for mode in BudgetReservation.allCases {
            let b = try #require(try Self.scenario("{daily: $5, reservation: \(mode.rawValue)}").budget)
            #expect(b.policy.reservation == mode)
            #expect(b.namesReservation)
        }
    }

    @Test func rejectsBadStart() throws {
        #expect(throws: ScenarioError.self) { try Self.scenario("{daily: $5}", start: "2026-02-30") }
    }
}
