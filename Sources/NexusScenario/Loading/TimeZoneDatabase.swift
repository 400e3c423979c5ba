import Foundation
import NexusGateway

/// Named time zones from the system's time-zone database (`/usr/share/zoneinfo`, or `$TZDIR`), read into
/// the gateway's plain ``UTCOffsetTable``.
///
/// Files are TZif (RFC 8536): the version-2+ block's 64-bit transition times and time types are used (the
/// 32-bit block of a version-1 file otherwise), and the footer's POSIX TZ rule (e.g.
/// `CET-1CEST,M3.5.0,M10.5.0/3`) extends the table past its last transition, as `localtime` does: "slim"
/// files list only the transitions that the rule does not give.
public enum TimeZoneDatabase {
    /// Latest year the footer's rule is expanded to (nanoseconds since 1970 reach 2262).
    static let lastYear = CivilTime.representableYears.upperBound

    public enum LookupError: Error, Equatable {
        /// No such zone; `nearest` is the closest valid name, if any is close.
        case unknown(nearest: String?)
        /// The file exists but is not a TZif file the parser understands.
        case unreadable(String)
    }

    /// The directory of the zone files.
    public static var directory: String {
        ProcessInfo.processInfo.environment["TZDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/share/zoneinfo"
    }

    /// The table of zone `name` (e.g. `Europe/Berlin`).
    public static func table(named name: String, directory: String = directory) throws(LookupError) -> UTCOffsetTable {
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, !name.hasPrefix("/"), !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
              let data = FileManager.default.contents(atPath: directory + "/" + name), !isDirectory(directory + "/" + name)
        else { throw .unknown(nearest: nearest(to: name, in: zoneNames(in: directory))) }
        return try parse(Array(data), name: name)
    }

    /// The zone names in `directory` (regular files in its subdirectories and at its top, without the
    /// `posix/` and `right/` copies and the tables such as `zone1970.tab`).
    public static func zoneNames(in directory: String = directory) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var names: [String] = []
        while let path = enumerator.nextObject() as? String {
            if path == "posix" || path == "right" || path.hasPrefix("posix/") || path.hasPrefix("right/") { continue }
            let last = path.split(separator: "/").last.map(String.init) ?? path
            guard !last.contains("."), last != "posixrules", last != "leapseconds", last != "SECURITY",
                  let first = last.first, first.isUppercase, !isDirectory(directory + "/" + path) else { continue }
            names.append(path)
        }
        return names.sorted()
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    // MARK: TZif

    /// Parses a TZif file's bytes.
    public static func parse(_ bytes: [UInt8], name: String) throws(LookupError) -> UTCOffsetTable {
        var reader = Reader(bytes: bytes)
        guard let header = reader.header() else { throw .unreadable("'\(name)' is not a TZif time-zone file") }
        var block = header
        var timeSize = 4
        if header.version >= 2 {
            // Skip the 32-bit block; the 64-bit one follows with its own header.
            guard reader.skip(header.blockSize(timeSize: 4)), let second = reader.header() else {
                throw .unreadable("'\(name)': truncated TZif file")
            }
            block = second
            timeSize = 8
        }
        guard let times = reader.integers(block.timeCount, size: timeSize),
              let indices = reader.take(block.timeCount),
              let types = reader.timeTypes(block.typeCount),
              reader.skip(block.charCount + block.leapCount * (timeSize + 4) + block.standardCount + block.utcCount),
              !types.isEmpty, indices.allSatisfy({ Int($0) < types.count })
        else { throw .unreadable("'\(name)': truncated or inconsistent TZif file") }
        var transitions: [Int64] = []
        // RFC 8536 §3.2: local time before the first transition is time type 0.
        var offsets = [types[0]]
        for (time, index) in zip(times, indices) where transitions.last.map({ time > $0 }) ?? true {
            let offset = types[Int(index)]
            if offset == offsets.last { continue }  // a change of name or DST flag only
            transitions.append(time)
            offsets.append(offset)
        }
        if header.version >= 2, let footer = reader.footer(), let rule = PosixRule(footer) {
            rule.extend(&transitions, &offsets)
        }
        return UTCOffsetTable(name: name, transitions: transitions, offsets: offsets)
    }

    private struct Header {
        var version: Int
        var utcCount, standardCount, leapCount, timeCount, typeCount, charCount: Int

        func blockSize(timeSize: Int) -> Int {
            timeCount * timeSize + timeCount + typeCount * 6 + charCount + leapCount * (timeSize + 4) + standardCount + utcCount
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0

        mutating func skip(_ n: Int) -> Bool {
            guard n >= 0, at + n <= bytes.count else { return false }
            at += n
            return true
        }

        mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
            guard n >= 0, at + n <= bytes.count else { return nil }
            defer { at += n }
            return bytes[at..<(at + n)]
        }

        mutating func integer(size: Int) -> Int64? {
            guard let b = take(size) else { return nil }
            var value: UInt64 = 0
            for byte in b { value = value << 8 | UInt64(byte) }
            // Sign-extend a 4-byte value.
            return size == 4 ? Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: value))) : Int64(bitPattern: value)
        }

        mutating func integers(_ n: Int, size: Int) -> [Int64]? {
            var values: [Int64] = []
            values.reserveCapacity(max(n, 0))
            for _ in 0..<max(n, 0) {
                guard let v = integer(size: size) else { return nil }
                values.append(v)
            }
            return values
        }

        mutating func header() -> Header? {
            guard let magic = take(4), Array(magic) == Array("TZif".utf8), let version = take(1), skip(15) else { return nil }
            var counts: [Int] = []
            for _ in 0..<6 {
                guard let c = integer(size: 4), c >= 0, c < 1 << 24 else { return nil }
                counts.append(Int(c))
            }
            let v = version.first! == 0 ? 1 : Int(version.first!) - Int(UInt8(ascii: "0"))
            return Header(version: v, utcCount: counts[0], standardCount: counts[1], leapCount: counts[2],
                          timeCount: counts[3], typeCount: counts[4], charCount: counts[5])
        }

        /// Each time type's UT offset (its DST flag and designation index are not needed).
        mutating func timeTypes(_ n: Int) -> [Int]? {
            var offsets: [Int] = []
            for _ in 0..<n {
                guard let offset = integer(size: 4), skip(2) else { return nil }
                offsets.append(Int(offset))
            }
            return offsets
        }

        /// The footer's TZ string, between two newlines.
        mutating func footer() -> String? {
            guard at < bytes.count, bytes[at] == UInt8(ascii: "\n") else { return nil }
            guard let end = bytes[(at + 1)...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            return String(decoding: bytes[(at + 1)..<end], as: UTF8.self)
        }
    }

    // MARK: POSIX TZ rule

    /// A POSIX TZ string's daylight-saving rule in the `Mm.w.d[/time]` form every zone with DST uses today
    /// (e.g. `CET-1CEST,M3.5.0,M10.5.0/3`: from the last Sunday of March 02:00 standard time to the last
    /// Sunday of October 03:00 summer time). A zone without DST (`JST-9`) has no rule to extend.
    struct PosixRule {
        var standardOffset: Int
        var daylightOffset: Int
        var start: (month: Int, week: Int, weekday: Int, seconds: Int)
        var end: (month: Int, week: Int, weekday: Int, seconds: Int)

        init?(_ text: String) {
            var s = Substring(text)
            guard Self.name(&s), let std = Self.offset(&s) else { return nil }
            standardOffset = -std  // POSIX offsets are west of Greenwich
            guard !s.isEmpty, Self.name(&s) else { return nil }
            if let dst = Self.offset(&s) { daylightOffset = -dst } else { daylightOffset = standardOffset + 3600 }
            guard s.first == ",", let a = Self.date(&s), s.first == ",", let b = Self.date(&s), s.isEmpty else { return nil }
            start = a
            end = b
        }

        /// Appends the transitions after the table's last one, year by year, up to ``TimeZoneDatabase/lastYear``.
        func extend(_ transitions: inout [Int64], _ offsets: inout [Int]) {
            let last = transitions.last ?? Int64.min
            let firstYear = last == .min ? 1970 : CivilTime.date(days: (last - ((last % 86_400) + 86_400) % 86_400) / 86_400).year
            for year in firstYear...TimeZoneDatabase.lastYear {
                // The start is given in standard time, the end in summer time.
                let changes = [(at: instant(start, year) - Int64(standardOffset), offset: daylightOffset),
                               (at: instant(end, year) - Int64(daylightOffset), offset: standardOffset)].sorted { $0.at < $1.at }
                for change in changes where change.at > last {
                    if change.offset == offsets.last { continue }
                    transitions.append(change.at)
                    offsets.append(change.offset)
                }
            }
        }

        /// Local seconds since 1970 of rule date `d` in `year`.
        private func instant(_ d: (month: Int, week: Int, weekday: Int, seconds: Int), _ year: Int) -> Int64 {
            let first = CivilTime.days(year: year, month: d.month, day: 1)
            let firstWeekday = (CivilTime.weekday(days: first) + 1) % 7  // 0 = Sunday, as POSIX counts
            var day = 1 + (d.weekday - firstWeekday + 7) % 7 + (d.week - 1) * 7
            let length = CivilTime.daysInMonth(year: year, month: d.month)
            while day > length { day -= 7 }  // week 5: the last such weekday
            return (first + Int64(day - 1)) * 86_400 + Int64(d.seconds)
        }

        private static func name(_ s: inout Substring) -> Bool {
            if s.first == "<" {
                guard let close = s.firstIndex(of: ">") else { return false }
                s = s[s.index(after: close)...]
                return true
            }
            let letters = s.prefix { $0.isLetter }
            guard letters.count >= 3 else { return false }
            s = s.dropFirst(letters.count)
            return true
        }

        /// `[+-]hh[:mm[:ss]]`, seconds.
        private static func offset(_ s: inout Substring) -> Int? {
            var sign = 1
            var t = s
            if t.first == "+" || t.first == "-" {
                sign = t.first == "-" ? -1 : 1
                t = t.dropFirst()
            }
            guard let value = clock(&t) else { return nil }
            s = t
            return sign * value
        }

        private static func clock(_ s: inout Substring) -> Int? {
            var parts: [Int] = []
            while parts.count < 3 {
                let digits = s.prefix { $0.isASCII && $0.isNumber }
                guard !digits.isEmpty, digits.count <= 3, let v = Int(digits) else { break }
                parts.append(v)
                s = s.dropFirst(digits.count)
                guard s.first == ":" else { break }
                s = s.dropFirst()
            }
            guard let h = parts.first else { return nil }
            return h * 3600 + (parts.count > 1 ? parts[1] * 60 : 0) + (parts.count > 2 ? parts[2] : 0)
        }

        /// `,Mm.w.d[/time]`.
        private static func date(_ s: inout Substring) -> (month: Int, week: Int, weekday: Int, seconds: Int)? {
            guard s.first == "," else { return nil }
            s = s.dropFirst()
            guard s.first == "M" else { return nil }
            s = s.dropFirst()
            let fields = s.prefix { $0 != "/" && $0 != "," }.split(separator: ".")
            guard fields.count == 3, let m = Int(fields[0]), let w = Int(fields[1]), let d = Int(fields[2]),
                  (1...12).contains(m), (1...5).contains(w), (0...6).contains(d) else { return nil }
            s = s.drop { $0 != "/" && $0 != "," }
            var seconds = 7200
            if s.first == "/" {
                s = s.dropFirst()
                guard let t = offset(&s) else { return nil }
                seconds = t
            }
            return (m, w, d, seconds)
        }
    }
}
