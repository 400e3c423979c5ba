import ArgumentParser

/// The exit codes of the command-line contract (documented in docs/exit-codes-and-signals.md; stable).
enum ExitStatus {
    static let success = ExitCode(0)
    /// `gate`: at least one target was missed.
    static let targetMissed = ExitCode(1)
    /// A scenario, parameter or override is invalid; nothing was run or stored.
    static let invalidInput = ExitCode(2)
    /// The results database or an output file could not be written.
    static let storeFailure = ExitCode(3)
}
