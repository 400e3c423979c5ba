import Foundation

extension CLI {
    /// How a bounded run ended.
    struct BoundedResult {
        var status: Int32
        /// `true` when the process ended by a signal (a trap, a crash), not by `exit`.
        var killedBySignal: Bool
        /// `true` when it did not end within the time limit (and was killed).
        var timedOut: Bool
        var stdout: String
        var stderr: String
    }

    /// Runs `nexus-sim` with a time limit; stdout goes to `stdoutPath` when given (e.g. `/dev/full`), else
    /// to a pipe that is read. Kills the process when the limit passes.
    static func run(_ arguments: [String], timeoutSeconds: Double, stdoutPath: String? = nil,
                    closeStdout: Bool = false) throws -> BoundedResult {
        let process = Process()
        if closeStdout {
            // Started with file descriptor 1 closed, as `command >&-` does.
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "exec \"$0\" \"$@\" >&-", executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        process.currentDirectoryURL = root
        let out = Pipe(), err = Pipe()
        if closeStdout {
            process.standardOutput = FileHandle.nullDevice
        } else if let stdoutPath {
            process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        } else {
            process.standardOutput = out
        }
        process.standardError = err
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        let collected = Collected()
        let readers = DispatchGroup()
        if stdoutPath == nil, !closeStdout {
            DispatchQueue.global().async(group: readers) { collected.set(stdout: out.fileHandleForReading.readDataToEndOfFile()) }
        }
        DispatchQueue.global().async(group: readers) { collected.set(stderr: err.fileHandleForReading.readDataToEndOfFile()) }
        var timedOut = false
        if finished.wait(timeout: .now() + timeoutSeconds) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
        }
        readers.wait()
        return BoundedResult(status: process.terminationStatus, killedBySignal: process.terminationReason == .uncaughtSignal,
                             timedOut: timedOut, stdout: collected.stdoutText, stderr: collected.stderrText)
    }

    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var out = Data(), err = Data()
        func set(stdout: Data) { lock.withLock { out = stdout } }
        func set(stderr: Data) { lock.withLock { err = stderr } }
        var stdoutText: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
        var stderrText: String { lock.withLock { String(decoding: err, as: UTF8.self) } }
    }
}
