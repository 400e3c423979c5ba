#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif
import NexusResults

/// Writes a line to standard error (standard output is reserved for results).
func printError(_ message: String) {
    writeStandardError(message + "\n")
}

/// Writes to standard error. A failed write (stderr closed, a full disk, a closed pipe) is ignored: there is
/// nowhere left to report it, and a diagnostic must never kill the command.
func writeStandardError(_ text: String) {
    _ = OutputFile.writeAll(Array(text.utf8), to: STDERR_FILENO)
}

/// Standard output carries the command's result: its failure is the command's failure.
enum StandardOutput {
    /// A closed pipe is reported as a write error (`EPIPE`) instead of killing the process with SIGPIPE.
    /// A standard stream the command was started without (`>&-`) is held by a read-only `/dev/null`, so that
    /// no file the command opens (the results database!) takes its number and receives the output; writes to
    /// it then fail, and that failure is reported.
    static func prepare() {
        signal(SIGPIPE, SIG_IGN)
        for fd in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let placeholder = open("/dev/null", O_RDONLY)
            if placeholder >= 0, placeholder != fd {
                dup2(placeholder, fd)
                close(placeholder)
            }
        }
    }

    /// Flushes standard output; when anything written to it was lost (closed, full, a closed pipe), says so on
    /// stderr and returns `false`.
    static func flush() -> Bool {
        let flushed = fflush(stdout) == 0
        let code = errno
        guard !flushed || ferror(stdout) != 0 else { return true }
        let reason = flushed ? "a write failed" : String(cString: strerror(code))
        printError("error: cannot write the result to standard output: \(reason)")
        return false
    }
}

/// Ends the process with `status` (the C library's `exit`, which a command type's own `exit` members shadow).
func terminate(_ status: Int32) -> Never {
    exit(status)
}
