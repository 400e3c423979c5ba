/// A named time zone as a plain table of the instants at which its UTC offset changes (daylight saving time
/// and the zone's history), for budget windows that follow a zone's calendar, as LiteLLM's budget reset does
/// with a `budget_reset_time_zone` such as `Europe/Berlin`.
///
/// The table is built outside the gateway (NexusScenario reads the system's TZif files) and handed over as
/// values: the gateway does no I/O and has no time-zone database of its own.
public struct UTCOffsetTable: Hashable, Sendable {
    /// The zone's name, e.g. `Europe/Berlin`.
    public var name: String
    /// Instants, seconds since 1970-01-01T00:00:00Z, at which the offset changes; ascending.
    public var transitions: [Int64]
    /// Offsets from UTC in seconds: `offsets[0]` before the first transition, `offsets[i + 1]` from
    /// `transitions[i]` on. One more than `transitions`.
    public var offsets: [Int]

    public init(name: String, transitions: [Int64], offsets: [Int]) {
        precondition(offsets.count == transitions.count + 1, "one offset before the first transition and one after each")
        self.name = name
        self.transitions = transitions
        self.offsets = offsets
    }

    /// The offset in force at `epochSeconds` (a transition's own instant already has the new offset). O(log n).
    public func offset(atEpochSeconds epochSeconds: Int64) -> Int {
        var lo = 0, hi = transitions.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if transitions[mid] <= epochSeconds { lo = mid + 1 } else { hi = mid }
        }
        return offsets[lo]
    }
}
