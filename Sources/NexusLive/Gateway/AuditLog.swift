#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The audit log: one JSON line per call, appended to a file opened with `O_APPEND`.
///
/// Each record is written with a single `write(2)`, which the kernel appends whole, so concurrent requests need
/// no lock and a killed gateway leaves only complete lines (every call that finished is on disk).
public final class AuditLog: Sendable {
    private let descriptor: Int32
    /// The file written.
    public let path: String

    /// Opens (creating with mode 0600) `path` for appending.
    public init(path: String) throws(AuditLogError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AuditLogError(path: path, message: String(cString: strerror(errno))) }
        descriptor = fd
        self.path = path
    }

    deinit { close(descriptor) }

    /// Appends one record.
    public func append(_ record: AuditRecord) {
        var line = JSONWriter.bytes(record.jsonValue)
        line.append(UInt8(ascii: "\n"))
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}

/// An audit log file that cannot be opened.
public struct AuditLogError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "cannot open the audit log '\(path)': \(message)" }
}
