#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an output file could not be written: the path and the operating system's reason.
public struct OutputFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "cannot write \(path): \(message)" }
}

/// Writes a command's output file (`--junit`, `--markdown`, `--out`, `--csv`) so that it is either complete
/// or reported as failed, never half-written while the command says it wrote it.
///
/// - A regular file (or a new one) is replaced atomically: the text goes to a temporary file in the same
///   directory, is flushed to disk, and is renamed over the target, so a reader sees the old or the new file.
///   An existing file keeps its permissions; a symbolic link is followed and its target replaced.
/// - Anything else (`/dev/null`, `/dev/stdout`, a FIFO, a terminal) is written in place: replacing a device
///   node with a regular file would break it.
/// - `append` appends in place (a Markdown step summary), creating the file when it does not exist.
/// - The parent directory must exist: a misspelt directory is an error, not silently created.
public enum OutputFile {
    public static func write(_ text: String, to path: String, append: Bool = false) throws(OutputFileError) {
        let bytes = Array(text.utf8)
        guard !path.isEmpty else { throw OutputFileError(path: "''", message: "the file name is empty") }
        let target = resolvedTarget(path)
        var info = stat()
        if stat(target, &info) == 0 {
            let kind = info.st_mode & S_IFMT
            if kind == S_IFDIR { throw OutputFileError(path: path, message: "it is a directory") }
            if kind != S_IFREG || append {
                try writeInPlace(bytes, to: target, shownAs: path, flags: O_WRONLY | (append ? O_APPEND : O_TRUNC))
                return
            }
            try replaceAtomically(bytes, target: target, shownAs: path, mode: info.st_mode & 0o7777)
            return
        }
        let code = errno
        guard code == ENOENT || code == ENOTDIR else { throw OutputFileError(path: path, message: reason(code)) }
        let directory = parentDirectory(of: target)
        var parent = stat()
        guard stat(directory, &parent) == 0 else {
            throw OutputFileError(path: path, message: "the directory \(directory) does not exist (\(reason(errno)))")
        }
        guard parent.st_mode & S_IFMT == S_IFDIR else {
            throw OutputFileError(path: path, message: "\(directory) is not a directory")
        }
        if append {
            try writeInPlace(bytes, to: target, shownAs: path, flags: O_WRONLY | O_CREAT | O_APPEND)
        } else {
            let mask = umask(0o022)
            umask(mask)
            try replaceAtomically(bytes, target: target, shownAs: path, mode: 0o666 & ~mask)
        }
    }

    /// `path` with a symbolic link at its end followed (a relative link resolves against its directory).
    static func resolvedTarget(_ path: String) -> String {
        var current = path
        for _ in 0..<16 {
            var info = stat()
            guard lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buffer, buffer.count - 1)
            guard n > 0 else { return current }
            let link = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : parentDirectory(of: current) + "/" + link
        }
        return current
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }

    private static func writeInPlace(_ bytes: [UInt8], to target: String, shownAs path: String, flags: Int32) throws(OutputFileError) {
        let fd = open(target, flags | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw OutputFileError(path: path, message: reason(errno)) }
        if let failure = writeAll(bytes, to: fd) {
            close(fd)
            throw OutputFileError(path: path, message: failure)
        }
        guard close(fd) == 0 || errno == EINTR else { throw OutputFileError(path: path, message: reason(errno)) }
    }

    private static func replaceAtomically(_ bytes: [UInt8], target: String, shownAs path: String, mode: mode_t) throws(OutputFileError) {
        let directory = parentDirectory(of: target)
        let name = target.split(separator: "/").last.map(String.init) ?? "output"
        var template = Array("\(directory)/.\(name).XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw OutputFileError(path: path, message: "cannot create a temporary file in \(directory): \(reason(errno))") }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var failure = writeAll(bytes, to: fd)
        if failure == nil, fchmod(fd, mode) != 0 { failure = reason(errno) }
        // Flushed before the rename, so that a crash leaves the old file or the new one, never an empty one.
        if failure == nil, fsync(fd) != 0, errno != EINVAL { failure = reason(errno) }
        if close(fd) != 0, failure == nil, errno != EINTR { failure = reason(errno) }
        if failure == nil, rename(temporary, target) != 0 { failure = reason(errno) }
        if let failure {
            unlink(temporary)
            throw OutputFileError(path: path, message: failure)
        }
    }

    /// Writes every byte to the open descriptor `fd` (retrying short writes and interruptions); the reason on
    /// failure, `nil` on success. Never traps, whatever the descriptor (closed, a full disk, a closed pipe).
    public static func writeAll(_ bytes: [UInt8], to fd: Int32) -> String? {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in posixWrite(fd, raw.baseAddress! + offset, raw.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return reason(errno)
            }
            offset += n
        }
        return nil
    }
}

/// `write(2)`, under a name that the static `OutputFile.write` does not shadow.
func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
