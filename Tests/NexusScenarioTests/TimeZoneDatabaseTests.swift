import NexusGateway
import NexusScenario
import Testing

/// Named time zones read from the system's TZif files (tzdata), against the published transitions: the EU
/// changes clocks at 01:00 UTC on the last Sundays of March and October, the US at 02:00 local time on the
/// second Sunday of March and the first of November.
@Suite struct TimeZoneDatabaseTests {
    static func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Int64 {
        CivilTime.days(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// The transitions of `table` within `year`, as (instant, offset after).
    static func transitions(_ table: UTCOffsetTable, in year: Int) -> [(Int64, Int)] {
        zip(table.transitions, table.offsets.dropFirst())
            .filter { $0.0 >= utc(year, 1, 1) && $0.0 < utc(year + 1, 1, 1) }
            .map { ($0.0, $0.1) }
    }

    @Test func berlin2026ChangesAtOneUTCOnTheLastSundaysOfMarchAndOctober() throws {
        let berlin = try TimeZoneDatabase.table(named: "Europe/Berlin")
        let changes = Self.transitions(berlin, in: 2026)
        #expect(changes.map(\.0) == [Self.utc(2026, 3, 29, 1), Self.utc(2026, 10, 25, 1)])
        #expect(changes.map(\.1) == [7200, 3600])
        #expect(berlin.offset(atEpochSeconds: Self.utc(2026, 3, 29, 0, 59, 59)) == 3600)
        #expect(berlin.offset(atEpochSeconds: Self.utc(2026, 3, 29, 1)) == 7200)
        #expect(berlin.offset(atEpochSeconds: Self.utc(2026, 10, 25, 0, 59, 59)) == 7200)
        #expect(berlin.offset(atEpochSeconds: Self.utc(2026, 10, 25, 1)) == 3600)
        // Beyond the table's years the footer's rule (CET-1CEST,M3.5.0,M10.5.0/3) gives them.
        #expect(Self.transitions(berlin, in: 2040).map(\.0) == [Self.utc(2040, 3, 25, 1), Self.utc(2040, 10, 28, 1)])
        #expect(Self.transitions(berlin, in: 2100).map(\.0) == [Self.utc(2100, 3, 28, 1), Self.utc(2100, 10, 31, 1)])
    }

    @Test func newYork2026() throws {
        let newYork = try TimeZoneDatabase.table(named: "America/New_York")
        let changes = Self.transitions(newYork, in: 2026)
        #expect(changes.map(\.0) == [Self.utc(2026, 3, 8, 7), Self.utc(2026, 11, 1, 6)])
        #expect(changes.map(\.1) == [-4 * 3600, -5 * 3600])
    }

    @Test func aMonthWindowFollowsSummerTime() throws {
        let berlin = try TimeZoneDatabase.table(named: "Europe/Berlin")
        let epoch = CivilTime.days(year: 2026, month: 1, day: 1) * CivilTime.nanosPerDay
        let calendar = BudgetCalendar(epochNanos: epoch, zone: berlin)
        func at(_ seconds: Int64) -> Nanoseconds { seconds * 1_000_000_000 - epoch }
        // April begins at midnight summer time, 22:00 UTC on March 31 (with a fixed +01:00 it would be 23:00).
        let march = Int64(2026 * 12 + 2), april = march + 1
        #expect(calendar.month(at: at(Self.utc(2026, 3, 31, 21, 59, 59))) == march)
        #expect(calendar.month(at: at(Self.utc(2026, 3, 31, 22))) == april)
        let fixed = BudgetCalendar(epochNanos: epoch, utcOffsetSeconds: 3600)
        #expect(fixed.month(at: at(Self.utc(2026, 3, 31, 22))) == march)
        // November begins at midnight standard time again: 23:00 UTC on October 31.
        #expect(calendar.month(at: at(Self.utc(2026, 10, 31, 22, 59, 59))) == april + 6)
        #expect(calendar.month(at: at(Self.utc(2026, 10, 31, 23))) == april + 7)
        // Local midnights: the day of the March change has 23 hours, that of the October change 25.
        let march29 = CivilTime.days(year: 2026, month: 3, day: 29), october25 = CivilTime.days(year: 2026, month: 10, day: 25)
        #expect(calendar.start(ofDay: march29) == at(Self.utc(2026, 3, 28, 23)))
        #expect(calendar.start(ofDay: march29 + 1) == at(Self.utc(2026, 3, 29, 22)))
        #expect(calendar.start(ofDay: october25) == at(Self.utc(2026, 10, 24, 22)))
        #expect(calendar.start(ofDay: october25 + 1) == at(Self.utc(2026, 10, 25, 23)))
        #expect(calendar.start(ofDay: CivilTime.days(year: 2026, month: 4, day: 1)) == at(Self.utc(2026, 3, 31, 22)))
    }

    @Test func aBudgetMonthResetsAtLocalMidnightAcrossTheChange() throws {
        // A $1 monthly budget in Berlin, spent in full on March 31 evening: the first request at 22:00 UTC
        // (00:00 summer time, April 1) finds a new month; with a fixed +01:00 it would wait until 23:00 UTC.
        let berlin = try TimeZoneDatabase.table(named: "Europe/Berlin")
        let epoch = CivilTime.days(year: 2026, month: 3, day: 31) * CivilTime.nanosPerDay
        let hour: Int64 = 3_600_000_000_000
        for (calendar, opensAt) in [(BudgetCalendar(epochNanos: epoch, zone: berlin), 22 * hour),
                                    (BudgetCalendar(epochNanos: epoch, utcOffsetSeconds: 3600), 23 * hour)] {
            var budget = BudgetGuard(policy: BudgetPolicy(monthlyLimit: USD(1), calendar: calendar))
            var events: [BudgetEvent] = []
            let r = budget.reserve(USD(1), user: 0, at: 20 * hour, events: &events)!
            budget.settle(r, actualCost: USD(1), at: 20 * hour + 1, events: &events)
            #expect(budget.reserve(USD(0.5), user: 0, at: opensAt - 1, events: &events) == nil)
            #expect(budget.reserve(USD(0.5), user: 0, at: opensAt, events: &events) != nil)
        }
    }

    @Test func theFootersRuleAloneGivesTheTransitions() throws {
        // A "slim" TZif v2 file: one time type (CET, +01:00), no transitions, and the rule in the footer.
        func header(version: UInt8) -> [UInt8] {
            var h = Array("TZif".utf8) + [version] + Array(repeating: 0, count: 15)
            for count in [0, 0, 0, 0, 1, 4] as [UInt32] { h += withUnsafeBytes(of: count.bigEndian, Array.init) }
            return h
        }
        let block: [UInt8] = [0, 0, 0x0E, 0x10, 0, 0] + Array("CET\0".utf8)
        let file = header(version: UInt8(ascii: "2")) + block + header(version: UInt8(ascii: "2")) + block
            + Array("\nCET-1CEST,M3.5.0,M10.5.0/3\n".utf8)
        let table = try TimeZoneDatabase.parse(file, name: "Slim/Berlin")
        #expect(table.offsets.first == 3600)
        #expect(Self.transitions(table, in: 2026).map(\.0) == [Self.utc(2026, 3, 29, 1), Self.utc(2026, 10, 25, 1)])
        let real = try TimeZoneDatabase.table(named: "Europe/Berlin")
        for year in [2030, 2037, 2038, 2050] {
            #expect(Self.transitions(table, in: year).map(\.0) == Self.transitions(real, in: year).map(\.0), "\(year)")
        }
    }

    @Test func anUnknownZoneSuggestsTheNearestName() throws {
        #expect(throws: TimeZoneDatabase.LookupError.unknown(nearest: "Europe/Berlin")) {
            try TimeZoneDatabase.table(named: "Europe/Berln")
        }
        #expect(throws: TimeZoneDatabase.LookupError.self) { try TimeZoneDatabase.table(named: "../etc/passwd") }
        #expect(throws: TimeZoneDatabase.LookupError.self) { try TimeZoneDatabase.table(named: "Europe") }
        #expect(throws: TimeZoneDatabase.LookupError.unreadable("'x' is not a TZif time-zone file")) {
            try TimeZoneDatabase.parse(Array("not a zone".utf8), name: "x")
        }
    }

    @Test func aScenarioNamesItsZone() throws {
        let s = try BudgetDecodingTests.scenario("{monthly: $5, time_zone: Europe/Berlin}")
        #expect(s.budget?.policy.calendar.zone?.name == "Europe/Berlin")
        do {
            _ = try BudgetDecodingTests.scenario("{monthly: $5, time_zone: Europe/Berln}")
            Issue.record("expected an error")
        } catch let error as ScenarioError {
            #expect(error.keyPath == "budget.time_zone")
            #expect(error.message.hasPrefix("no time zone 'Europe/Berln'"))
            #expect(error.suggestion == "Europe/Berlin")
        }
    }
}
