#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file line by line in fixed-size chunks: memory is one chunk plus the longest line, whatever the
/// file's length, and every byte is examined once (linear time, however long a line). Lines end with `\n`
/// (a preceding `\r` is dropped); the last line may lack it; a UTF-8 byte order mark before the first line
/// is skipped.
///
/// Only regular files are read: a trace is read more than once (checked before the run, then once per
/// replication, rate-scaled copy and loop), which a pipe or a device cannot give. A line longer than
/// ``maximumLineBytes``, a NUL byte (binary data, UTF-16) or a read error ends the reading with a
/// ``TraceError`` naming the line.
final class LineReader {
    static let chunkSize = 1 << 16
    /// The longest line accepted by default (16 MiB): far above any trace row, small enough to fail fast on a
    /// file that is not line-oriented text.
    static let defaultMaximumLineBytes = 16 << 20

    let path: String
    let maximumLineBytes: Int
    private let fd: Int32
    private var buffer: [UInt8] = []
    /// Where the next line starts in `buffer`.
    private var start = 0
    /// `buffer[start..<scanned]` holds no newline: the search resumes here after a read.
    private var scanned = 0
    private var eof = false
    /// 1-based number of the line last returned.
    private(set) var lineNumber = 0

    /// Opens `path`, or throws a ``TraceError`` (line 0) saying why: the operating system's reason, a
    /// directory, or a file that is not a regular file.
    init(path: String, maximumLineBytes: Int = LineReader.defaultMaximumLineBytes) throws(TraceError) {
        self.path = path
        self.maximumLineBytes = max(maximumLineBytes, 1)
        // stat before open: opening a FIFO blocks until a writer appears.
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw TraceError(file: path, line: 0, message: "cannot open the trace file: \(Self.reason(errno))")
        }
        let kind = info.st_mode & S_IFMT
        if kind == S_IFDIR {
            throw TraceError(file: path, line: 0, message: "is a directory, not a trace file")
        }
        guard kind == S_IFREG else {
            let what = kind == S_IFIFO ? "a pipe (FIFO)" : kind == S_IFCHR ? "a character device"
                : kind == S_IFSOCK ? "a socket" : kind == S_IFBLK ? "a block device" : "not a regular file"
            throw TraceError(file: path, line: 0, message: "is \(what); a trace is read more than once (checked before the run, "
                + "then replayed), so it must be a regular file: save it first, e.g. `cat … > trace.csv`")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw TraceError(file: path, line: 0, message: "cannot open the trace file: \(Self.reason(errno))")
        }
        self.fd = fd
        buffer.reserveCapacity(Self.chunkSize * 2)
    }

    deinit { close(fd) }

    static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// The buffer's capacity in bytes (for tests of bounded memory).
    var bufferCapacity: Int { buffer.capacity }

    /// Calls `body` with the next line's bytes (without the line ending); returns `nil` at end of file.
    func nextLine<R>(_ body: (ArraySlice<UInt8>) -> R) throws(TraceError) -> R? {
        let cr = UInt8(ascii: "\r")
        while true {
            if let found = firstNewline() {
                var end = found
                if end > start, buffer[end - 1] == cr { end -= 1 }
                try checkLength(end - start)
                let line = buffer[start..<end]
                start = found + 1
                scanned = start
                lineNumber += 1
                return body(line)
            }
            scanned = buffer.count
            // No newline yet: a line already over the limit fails before more is read.
            try checkLength(buffer.count - start - (buffer.last == cr ? 1 : 0))
            if eof {
                guard start < buffer.count else { return nil }
                var end = buffer.count
                if buffer[end - 1] == cr { end -= 1 }
                let line = buffer[start..<end]
                start = buffer.count
                scanned = start
                lineNumber += 1
                return body(line)
            }
            try fill()
        }
    }

    private func firstNewline() -> Int? {
        guard scanned < buffer.count else { return nil }
        return buffer.withUnsafeBufferPointer { raw -> Int? in
            guard let base = raw.baseAddress, let hit = memchr(base + scanned, 0x0A, raw.count - scanned) else { return nil }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
    }

    private func checkLength(_ length: Int) throws(TraceError) {
        guard length > maximumLineBytes else { return }
        throw TraceError(file: path, line: lineNumber + 1,
                         message: "line longer than \(maximumLineBytes) bytes; a trace has one request per line "
                            + "(is this a trace file?)")
    }

    private func fill() throws(TraceError) {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            scanned -= start
            start = 0
        }
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: Self.chunkSize))
        var n: Int
        repeat {
            n = buffer.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress! + old, Self.chunkSize) }
        } while n < 0 && errno == EINTR
        let readError = n < 0 ? errno : 0
        buffer.removeLast(Self.chunkSize - max(n, 0))
        if n < 0 {
            throw TraceError(file: path, line: lineNumber + 1, message: "cannot read the trace file: \(Self.reason(readError))")
        }
        if n == 0 { eof = true; return }
        if old == 0, lineNumber == 0 { try skipByteOrderMark() }
        try rejectBinary(from: old)
    }

    /// Skips a UTF-8 byte order mark; a UTF-16 one is an error (traces are UTF-8).
    private func skipByteOrderMark() throws(TraceError) {
        if buffer.starts(with: [0xEF, 0xBB, 0xBF]) {
            start = 3
            scanned = 3
        } else if buffer.starts(with: [0xFF, 0xFE]) || buffer.starts(with: [0xFE, 0xFF]) {
            throw TraceError(file: path, line: 1, message: "the trace is UTF-16 encoded; save it as UTF-8")
        }
    }

    /// A NUL byte never occurs in CSV or JSON-lines text: the file is binary (or UTF-16 without a mark).
    private func rejectBinary(from offset: Int) throws(TraceError) {
        let nul = buffer.withUnsafeBufferPointer { raw -> Int? in
            guard let base = raw.baseAddress, offset < raw.count, let hit = memchr(base + offset, 0, raw.count - offset) else { return nil }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
        guard let nul else { return }
        let precedingLines = buffer[start..<nul].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        let lineStart = buffer[start..<nul].lastIndex(of: 0x0A).map { $0 + 1 } ?? start
        throw TraceError(file: path, line: lineNumber + 1 + precedingLines,
                         message: "binary data (a NUL byte at column \(nul - lineStart + 1)); a trace is UTF-8 text: CSV or JSON lines")
    }
}

/// Splits one CSV line (RFC 4180: commas, double-quoted fields with `""` for a quote; a quoted field may not
/// span lines). Returns `nil` for an unterminated quote.
func splitCSV(_ line: ArraySlice<UInt8>) -> [String]? {
    var fields: [String] = []
    var i = line.startIndex
    let end = line.endIndex
    let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ",")
    while true {
        if i < end, line[i] == quote {
            var field: [UInt8] = []
            i += 1
            var closed = false
            while i < end {
                if line[i] == quote {
                    if i + 1 < end, line[i + 1] == quote {
                        field.append(quote)
                        i += 2
                        continue
                    }
                    i += 1
                    closed = true
                    break
                }
                field.append(line[i])
                i += 1
            }
            guard closed else { return nil }
            fields.append(String(decoding: field, as: UTF8.self))
            // Only a comma or the end may follow a closing quote.
            if i < end, line[i] != comma { return nil }
        } else {
            let fieldStart = i
            while i < end, line[i] != comma { i += 1 }
            fields.append(String(decoding: line[fieldStart..<i], as: UTF8.self))
        }
        if i >= end { return fields }
        i += 1  // the comma
    }
}

/// A value of a flat JSON object as its raw text: strings unescaped, numbers exactly as written (so that
/// timestamps and token counts keep every digit), `true`/`false`/`null`, arrays of numbers.
enum JSONScalar: Equatable {
    case string(String)
    case number(String)
    case bool(Bool)
    case null
    case numbers([String])
    /// A nested object or an array of non-numbers: present, but not read here.
    case other

    var text: String? {
        switch self {
        case .string(let s), .number(let s): s
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }
}

/// Parses one JSON line holding an object; returns its top-level keys and values, or an error message.
func parseJSONObject(_ line: ArraySlice<UInt8>) -> Result<[String: JSONScalar], JSONLineError> {
    var p = JSONLineParser(bytes: line)
    return p.object()
}

struct JSONLineError: Error {
    var message: String
    var column: Int
}

private struct JSONLineParser {
    let bytes: ArraySlice<UInt8>
    var i: Int

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        i = bytes.startIndex
    }

    func fail(_ message: String) -> JSONLineError { JSONLineError(message: message, column: i - bytes.startIndex + 1) }

    mutating func skipSpace() {
        while i < bytes.endIndex, [0x20, 0x09, 0x0D, 0x0A].contains(bytes[i]) { i += 1 }
    }

    mutating func object() -> Result<[String: JSONScalar], JSONLineError> {
        skipSpace()
        guard i < bytes.endIndex, bytes[i] == UInt8(ascii: "{") else { return .failure(fail("expected a JSON object '{'")) }
        i += 1
        var result: [String: JSONScalar] = [:]
        skipSpace()
        if i < bytes.endIndex, bytes[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipSpace()
                guard case .success(let key) = string() else { return .failure(fail("expected a quoted key")) }
                skipSpace()
                guard i < bytes.endIndex, bytes[i] == UInt8(ascii: ":") else { return .failure(fail("expected ':' after key \"\(key.excerpt)\"")) }
                i += 1
                skipSpace()
                switch value() {
                case .success(let v): result[key] = v
                case .failure(let e): return .failure(e)
                }
                skipSpace()
                guard i < bytes.endIndex else { return .failure(fail("unterminated object")) }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; break }
                return .failure(fail("expected ',' or '}'"))
            }
        }
        skipSpace()
        guard i == bytes.endIndex else { return .failure(fail("unexpected text after the object")) }
        return .success(result)
    }

    mutating func string() -> Result<String, JSONLineError> {
        guard i < bytes.endIndex, bytes[i] == UInt8(ascii: "\"") else { return .failure(fail("expected a string")) }
        i += 1
        var out: [UInt8] = []
        while i < bytes.endIndex {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return .success(String(decoding: out, as: UTF8.self))
            }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < bytes.endIndex else { break }
                switch bytes[i] {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard i + 4 < bytes.endIndex, let code = UInt32(String(decoding: bytes[(i + 1)...(i + 4)], as: UTF8.self), radix: 16)
                    else { return .failure(fail("bad \\u escape")) }
                    out.append(contentsOf: Array(String(Unicode.Scalar(code).map { Character($0) } ?? "\u{FFFD}").utf8))
                    i += 4
                default: out.append(bytes[i])
                }
                i += 1
                continue
            }
            out.append(c)
            i += 1
        }
        return .failure(fail("unterminated string"))
    }

    mutating func number() -> String? {
        let s = i
        while i < bytes.endIndex, "0123456789+-.eE".utf8.contains(bytes[i]) { i += 1 }
        return i > s ? String(decoding: bytes[s..<i], as: UTF8.self) : nil
    }

    mutating func value() -> Result<JSONScalar, JSONLineError> {
        guard i < bytes.endIndex else { return .failure(fail("expected a value")) }
        switch bytes[i] {
        case UInt8(ascii: "\""): return string().map { .string($0) }
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            for (word, v) in [("true", JSONScalar.bool(true)), ("false", .bool(false)), ("null", .null)] {
                let w = Array(word.utf8)
                if bytes.endIndex - i >= w.count, Array(bytes[i..<(i + w.count)]) == w {
                    i += w.count
                    return .success(v)
                }
            }
            return .failure(fail("expected a value"))
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            return container()
        default:
            guard let n = number() else { return .failure(fail("expected a value")) }
            return .success(.number(n))
        }
    }

    /// An array of numbers is returned as `.numbers`; anything else nested is skipped as `.other`.
    mutating func container() -> Result<JSONScalar, JSONLineError> {
        if bytes[i] == UInt8(ascii: "[") {
            let save = i
            i += 1
            var items: [String] = []
            skipSpace()
            if i < bytes.endIndex, bytes[i] == UInt8(ascii: "]") { i += 1; return .success(.numbers([])) }
            while true {
                skipSpace()
                guard let n = number() else { break }
                items.append(n)
                skipSpace()
                guard i < bytes.endIndex else { return .failure(fail("unterminated array")) }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .success(.numbers(items)) }
                break
            }
            i = save
        }
        // Skip a nested value, balancing brackets outside strings.
        var depth = 0
        while i < bytes.endIndex {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                if case .failure(let e) = string() { return .failure(e) }
                continue
            }
            if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") { depth += 1 }
            if c == UInt8(ascii: "]") || c == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { i += 1; return .success(.other) }
            }
            i += 1
        }
        return .failure(fail("unterminated array or object"))
    }
}
