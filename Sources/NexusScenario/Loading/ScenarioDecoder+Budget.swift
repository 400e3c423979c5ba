import NexusGateway

/// The `budget:` section and calendar instants.
extension ScenarioDecoder {
    /// Simulated time 0 when a scenario does not say: 2026-01-01T00:00:00Z.
    static let defaultStart: Int64 = CivilTime.days(year: 2026, month: 1, day: 1) * CivilTime.nanosPerDay

    /// `budget: {monthly: $1000, daily: $50, per_user_monthly: $10, per_team_monthly: $200,
    /// alerts: [70%, 85%, 95%], action: block|downgrade|alert, downgrade_to: TIER, time_zone: UTC|+01:00|Europe/Berlin,
    /// reservation: worst_case|clamp|none}`.
    func budget(_ f: Field, start: Int64, tiers: [TierSpec]) throws -> BudgetSpec {
        let m = try f.mapping(allowed: ["monthly", "daily", "per_user_monthly", "per_team_monthly", "alerts", "action", "downgrade_to", "time_zone",
                                             "reservation"])
        let limits = try ["monthly", "daily", "per_user_monthly", "per_team_monthly"].map { key -> USD? in
            guard let field = m.optional(key) else { return nil }
            let amount = try field.dollars()
            guard amount > .zero else { throw field.error("a budget limit must be above $0") }
            return amount
        }
        guard limits.contains(where: { $0 != nil }) else {
            throw f.error("a budget needs at least one limit: monthly, daily, per_user_monthly or per_team_monthly")
        }
        // Each window remembers which thresholds have alerted in one 32-bit mask.
        if let alerts = m.optional("alerts"), try alerts.list().count > 32 {
            throw alerts.error("at most 32 alert thresholds, found \(try alerts.list().count)")
        }
        let thresholds = try m.optional("alerts")?.list().map { item in
            let share = try item.fraction()
            guard share > 0 else { throw item.error("an alert threshold must be above 0%") }
            return share
        } ?? [0.7, 0.85, 0.95]
        let action = try m.optional("action")?.choice(BudgetAction.self) ?? .block
        var downgradeTier: String?
        if let d = m.optional("downgrade_to") {
            let name = try d.text()
            guard tiers.contains(where: { $0.name == name }) else {
                throw d.error("no tier '\(name)'; tiers: \(tiers.map(\.name).joined(separator: ", "))",
                              suggestion: nearest(to: name, in: tiers.map(\.name)))
            }
            downgradeTier = name
        }
        if action == .downgrade, downgradeTier == nil {
            throw f.error("action 'downgrade' needs 'downgrade_to: TIER', the tier to route to when the budget is short")
        }
        let (offset, zone) = try m.optional("time_zone")?.budgetTimeZone() ?? (0, nil)
        let reservationField = m.optional("reservation")
        let reservation = try reservationField?.choice(BudgetReservation.self) ?? .worstCase
        if reservation == .none, action == .downgrade, let reservationField {
            throw reservationField.error("reservation 'none' reserves nothing, so no cheaper tier fits once spend reaches the limit; "
                                         + "use action 'block' or 'alert', or reservation 'worst_case' or 'clamp' with 'downgrade'")
        }
        let policy = BudgetPolicy(
            monthlyLimit: limits[0], dailyLimit: limits[1], perUserMonthlyLimit: limits[2], perTeamMonthlyLimit: limits[3],
            alertThresholds: thresholds, action: action,
            calendar: BudgetCalendar(epochNanos: start, utcOffsetSeconds: offset, zone: zone), reservation: reservation)
        return BudgetSpec(policy: policy, downgradeTier: downgradeTier, namesReservation: reservationField != nil)
    }
}

extension Field {
    /// An instant: `2026-11-02`, `2026-11-02T09:30:00Z` or `2026-11-02T09:30:00+01:00`; nanoseconds since the Unix epoch.
    func instantNanos() throws -> Int64 {
        let text = try self.text()
        if let year = Int(text.prefix { $0 != "-" }), !CivilTime.representableYears.contains(year) {
            throw error("expected a date from \(CivilTime.representableYears.lowerBound)-01-01 to \(CivilTime.representableYears.upperBound)-12-31 "
                        + "(nanoseconds since 1970 must fit 64 bits), found '\(text)'")
        }
        guard let value = Self.parseInstant(text) else {
            throw error("expected a date or date-time such as 2026-11-02 or 2026-11-02T09:30:00Z, found '\(text)'")
        }
        return value
    }

    /// `UTC`, `Z`, `+01:00`, `-05:30`: the offset from UTC in seconds.
    func utcOffsetSeconds() throws -> Int {
        let text = try self.text()
        if ["UTC", "Z", "GMT"].contains(text.uppercased()) { return 0 }
        guard let seconds = Self.parseOffset(Substring(text)) else {
            throw error("expected UTC or an offset such as +01:00 or -05:30, found '\(text)'")
        }
        return seconds
    }

    /// A budget's time zone: `UTC`, a fixed offset (`+01:00`), or a zone of the system's time-zone database by
    /// name (`Europe/Berlin`, with its daylight saving time), as LiteLLM's `budget_reset_time_zone` takes.
    func budgetTimeZone() throws -> (offsetSeconds: Int, zone: UTCOffsetTable?) {
        let text = try self.text()
        if ["UTC", "Z", "GMT"].contains(text.uppercased()) { return (0, nil) }
        if text.first == "+" || text.first == "-" { return (try utcOffsetSeconds(), nil) }
        do {
            return (0, try TimeZoneDatabase.table(named: text))
        } catch .unknown(let nearest) {
            throw error("no time zone '\(text)' in \(TimeZoneDatabase.directory); expected UTC, an offset such as +01:00, "
                        + "or a zone name such as Europe/Berlin", suggestion: nearest)
        } catch .unreadable(let why) {
            throw error("cannot read time zone '\(text)': \(why)")
        }
    }

    static func parseInstant(_ text: String) -> Int64? {
        let parts = text.split(separator: "T", maxSplits: 1)
        let date = parts[0].split(separator: "-")
        guard date.count == 3, let y = Int(date[0]), let mo = Int(date[1]), let d = Int(date[2]),
              CivilTime.representableYears.contains(y), (1...12).contains(mo), (1...CivilTime.daysInMonth(year: y, month: mo)).contains(d) else { return nil }
        var nanos = CivilTime.days(year: y, month: mo, day: d) * CivilTime.nanosPerDay
        guard parts.count == 2 else { return nanos }
        var time = parts[1]
        var offset = 0
        if time.hasSuffix("Z") {
            time = time.dropLast()
        } else if let sign = time.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            guard let o = parseOffset(time[sign...]) else { return nil }
            offset = o
            time = time[..<sign]
        }
        let hms = time.split(separator: ":")
        guard hms.count >= 2, hms.count <= 3, let h = Int(hms[0]), let mi = Int(hms[1]), (0..<24).contains(h), (0..<60).contains(mi)
        else { return nil }
        let sec = hms.count == 3 ? Double(hms[2]) : 0
        guard let sec, sec >= 0, sec < 61 else { return nil }
        nanos += Int64(h * 3600 + mi * 60 - offset) * 1_000_000_000 + Nanoseconds(roundingSeconds: sec)
        return nanos
    }

    static func parseOffset(_ text: Substring) -> Int? {
        guard let first = text.first, first == "+" || first == "-" else { return nil }
        let hm = text.dropFirst().split(separator: ":")
        guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...14).contains(h), (0..<60).contains(m) else { return nil }
        return (first == "-" ? -1 : 1) * (h * 3600 + m * 60)
    }
}
