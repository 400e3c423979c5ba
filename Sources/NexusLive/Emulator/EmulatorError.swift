/// Why the provider emulator cannot start with the options it was given.
public enum EmulatorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `--speed` outside ``EmulatorClock/speedRange`` (or not a number).
    case invalidSpeed(Double)
    /// The scenario has no provider to serve.
    case noProviders

    public var description: String {
        switch self {
        case .invalidSpeed(let speed):
            let range = EmulatorClock.speedRange
            return "invalid --speed \(speed): expected a factor from \(range.lowerBound) to \(Int(range.upperBound)) (1 = real time, 60 = an hour in a minute)"
        case .noProviders:
            return "the scenario declares no providers: there is nothing to emulate"
        }
    }
}
