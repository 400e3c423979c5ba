import NexusGateway

/// The emulator's clock: scenario time runs `speed` times faster than wall time, from the moment the server
/// starts listening.
///
/// Every delay the provider model produces (time to first token, generation time, fast failures) is
/// waited for `speed` times shorter, and every window and schedule (outages, rate-limit refills) is read
/// at `speed` times the elapsed wall time, so an hour of scenario time passes in 60 / `speed` minutes.
public struct EmulatorClock: Sendable {
    /// Scenario seconds per wall second.
    public let speed: Double
    /// Wall instant that is scenario time 0.
    public let origin: ContinuousClock.Instant

    /// Accepted `--speed` factors: a factor above a million would compress a second of scenario time below
    /// the microsecond, under the resolution of the timers that pace responses.
    public static let speedRange: ClosedRange<Double> = 1e-3...1e6

    /// A clock whose scenario time 0 is `origin`. `speed` must lie in ``speedRange`` (checked by ``validate(speed:)``).
    public init(speed: Double, origin: ContinuousClock.Instant = .now) {
        self.speed = speed
        self.origin = origin
    }

    /// Checks a `--speed` value where it enters.
    public static func validate(speed: Double) throws(EmulatorError) {
        guard speed.isFinite, speedRange.contains(speed) else {
            throw .invalidSpeed(speed)
        }
    }

    /// Scenario time at wall instant `instant`, nanoseconds since the origin (0 before it).
    public func scenarioTime(at instant: ContinuousClock.Instant) -> Nanoseconds {
        let elapsed = origin.duration(to: instant)
        guard elapsed > .zero else { return 0 }
        let (seconds, attoseconds) = elapsed.components
        let wallNanos = Double(seconds) * 1e9 + Double(attoseconds) / 1e9
        return Nanoseconds(clampingScenarioNanos: wallNanos * speed)
    }

    /// Scenario time now.
    public func now() -> Nanoseconds { scenarioTime(at: .now) }

    /// The wall duration of `scenarioNanos` of scenario time.
    public func wallDuration(ofScenarioNanos scenarioNanos: Nanoseconds) -> Duration {
        guard scenarioNanos > 0 else { return .zero }
        return .nanoseconds(Int64(clampingScenarioNanos: Double(scenarioNanos) / speed))
    }

    /// The wall instant at which scenario time `scenarioNanos` is reached.
    public func instant(atScenarioTime scenarioNanos: Nanoseconds) -> ContinuousClock.Instant {
        origin.advanced(by: wallDuration(ofScenarioNanos: scenarioNanos))
    }
}

extension Int64 {
    /// A non-negative nanosecond count from a double, clamped into the clock's range (NaN → 0), so that no
    /// product of a delay and a speed factor can trap a conversion.
    init(clampingScenarioNanos value: Double) {
        if !(value > 0) { self = 0 } else if value >= 9.2e18 { self = 9_200_000_000_000_000_000 } else { self = Int64(value) }
    }
}
