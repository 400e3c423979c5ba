import Foundation

/// A shared scenario time 0, `--start-at UNIX_SECONDS`: the wall-clock instant at which the provider emulator's
/// schedule (outages, limit windows) and the load generator's arrivals both start, so that processes started
/// one after the other (emulator, gateway, load, or the shards of a load) agree on when scenario time 0 is.
/// Without it each process starts its clock when it starts.
public struct StartTime: Sendable, Equatable {
    /// Seconds since 1970-01-01T00:00:00Z (fractions allowed: `date +%s.%N`).
    public let unixSeconds: Double

    /// Latest start accepted: a day from now (a later one is a mistake, not a plan).
    public static let horizonSeconds = 86_400.0

    /// Checks `unixSeconds` (finite, positive, at most a day ahead).
    public init(unixSeconds: Double) throws(StartTimeError) {
        guard unixSeconds.isFinite, unixSeconds > 0 else { throw StartTimeError("--start-at expects Unix seconds, e.g. $(($(date +%s) + 3)); found \(unixSeconds)") }
        let ahead = unixSeconds - Date().timeIntervalSince1970
        guard ahead <= Self.horizonSeconds else {
            // Formatted, not converted: `ahead` may be far beyond Int's range (e.g. --start-at 1e300).
            throw StartTimeError("--start-at \(unixSeconds) is " + String(format: "%.0f", ahead)
                                 + " s from now; at most \(Int(Self.horizonSeconds)) s ahead is accepted")
        }
        self.unixSeconds = unixSeconds
    }

    /// Seconds from now to the start (negative once it has passed).
    public var secondsFromNow: Double { unixSeconds - Date().timeIntervalSince1970 }

    /// The start on the monotonic clock.
    public var instant: ContinuousClock.Instant {
        let ahead = secondsFromNow
        return ContinuousClock.now.advanced(by: .nanoseconds(Int64((ahead * 1e9).rounded())))
    }

    /// The start as `DispatchTime` uptime nanoseconds (what NIO deadlines count), clamped at 0.
    public var uptimeNanoseconds: UInt64 {
        let now = DispatchTime.now().uptimeNanoseconds
        let offset = (secondsFromNow * 1e9).rounded()
        if offset >= 0 { return now &+ UInt64(offset) }
        let back = UInt64(-offset)
        return back >= now ? 0 : now - back
    }
}

/// A `--start-at` value that cannot be used.
public struct StartTimeError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
