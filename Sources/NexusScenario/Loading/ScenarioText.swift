#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a scenario file's bytes and decodes them as text, with errors a person can act on: the operating
/// system's reason, a directory named as such, and the line and column of an invalid byte sequence.
///
/// Scenarios are UTF-8 (a byte order mark is skipped) or UTF-16 with a byte order mark.
enum ScenarioText {
    /// Files larger than this are not scenarios; reading stops there (a device such as `/dev/zero` never ends).
    static let maximumBytes = YAMLLimits.maximumBytes

    static func read(path: String) throws(ScenarioError) -> String {
        func failure(_ message: String) -> ScenarioError {
            ScenarioError(location: nil, keyPath: "", message: "cannot read scenario file '\(path)': \(message)")
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw failure(String(cString: strerror(errno))) }
        if info.st_mode & S_IFMT == S_IFDIR { throw failure("it is a directory; give a scenario YAML file") }
        func tooLarge(_ size: Int) -> ScenarioError {
            ScenarioError(location: .file(path, line: 1, column: 1), keyPath: "",
                          message: "the scenario file is \(size) bytes; at most \(maximumBytes) bytes (1 MiB) are accepted")
        }
        if info.st_mode & S_IFMT == S_IFREG, info.st_size > maximumBytes { throw tooLarge(Int(info.st_size)) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(String(cString: strerror(errno)))
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[..<n])
            if bytes.count > maximumBytes { throw tooLarge(bytes.count) }
        }
        return try decode(bytes, file: path)
    }

    /// The text of `bytes`: UTF-16 when it starts with a UTF-16 byte order mark, else UTF-8.
    static func decode(_ bytes: [UInt8], file: String) throws(ScenarioError) -> String {
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return try decodeUTF16(bytes, bigEndian: bytes[0] == 0xFE, file: file)
        }
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes[3...] : bytes[...]
        var line = 1, column = 1
        var i = body.startIndex
        while i < body.endIndex {
            let length = validUTF8Length(body, at: i)
            guard length > 0 else {
                throw ScenarioError(location: .file(file, line: line, column: column), keyPath: "",
                                    message: "invalid UTF-8 (byte \(hex(body[i], digits: 2))); save the scenario as UTF-8")
            }
            if body[i] == 0x0A { line += 1; column = 1 } else { column += 1 }
            i += length
        }
        return String(decoding: body, as: UTF8.self)
    }

    /// Length of the well-formed UTF-8 sequence at `i` (1–4), or 0 (RFC 3629: no overlongs, no surrogates).
    private static func validUTF8Length(_ b: ArraySlice<UInt8>, at i: Int) -> Int {
        let c = b[i]
        if c < 0x80 { return 1 }
        func continuation(_ k: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool { i + k < b.endIndex && range.contains(b[i + k]) }
        switch c {
        case 0xC2...0xDF: return continuation(1) ? 2 : 0
        case 0xE0: return continuation(1, 0xA0...0xBF) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return continuation(1) && continuation(2) ? 3 : 0
        case 0xED: return continuation(1, 0x80...0x9F) && continuation(2) ? 3 : 0
        case 0xF0: return continuation(1, 0x90...0xBF) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3: return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4: return continuation(1, 0x80...0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default: return 0
        }
    }

    private static func decodeUTF16(_ bytes: [UInt8], bigEndian: Bool, file: String) throws(ScenarioError) -> String {
        var line = 1, column = 1
        guard bytes.count % 2 == 0 else {
            throw ScenarioError(location: nil, keyPath: "", message: "\(file): UTF-16 text with an odd number of bytes (truncated?)")
        }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2 - 1)
        for k in stride(from: 2, to: bytes.count, by: 2) {
            units.append(bigEndian ? UInt16(bytes[k]) << 8 | UInt16(bytes[k + 1]) : UInt16(bytes[k + 1]) << 8 | UInt16(bytes[k]))
        }
        var scalars = String.UnicodeScalarView()
        var i = 0
        while i < units.count {
            let u = units[i]
            let scalar: Unicode.Scalar?
            if (0xD800...0xDBFF).contains(u), i + 1 < units.count, (0xDC00...0xDFFF).contains(units[i + 1]) {
                scalar = Unicode.Scalar((UInt32(u - 0xD800) << 10 | UInt32(units[i + 1] - 0xDC00)) + 0x10000)
                i += 2
            } else {
                scalar = Unicode.Scalar(u)
                i += 1
            }
            guard let scalar else {
                throw ScenarioError(location: .file(file, line: line, column: column), keyPath: "",
                                    message: "invalid UTF-16 (unpaired surrogate \(hex(u, digits: 4))); save the scenario as UTF-8")
            }
            if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
            scalars.append(scalar)
        }
        return String(scalars)
    }
}

/// `read(2)`, under a name that `ScenarioText.read(path:)` does not shadow.
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }

/// `0x` and `digits` uppercase hexadecimal digits.
private func hex(_ value: some BinaryInteger, digits: Int) -> String {
    let text = String(value, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: max(0, digits - text.count)) + text
}
