import Foundation
import NexusGateway

/// A value in the scenario tree together with its key path, read with strict checks.
///
/// Every accessor either returns a value in base units or throws a ``ScenarioError`` that names the
/// location, the key path, what was expected and what was found.
struct Field {
    let node: ScenarioNode
    let path: String
    let parameters: [String: String]

    var location: SourceLocation? { node.location }

    func error(_ message: String, suggestion: String? = nil) -> ScenarioError {
        ScenarioError(location: location, keyPath: path, message: message, suggestion: suggestion)
    }

    func expected(_ what: String) -> ScenarioError {
        error("expected \(what), found \(node.kindDescription)")
    }

    // MARK: Structure

    /// This value as a mapping whose keys must all be in `allowed`; unknown keys are errors.
    func mapping(allowed: [String]) throws -> Mapping {
        guard case .mapping(let entries, _) = node else { throw expected("a mapping") }
        AcceptedKeysRecorder.current?.recordMapping(path: path, keys: allowed)
        for entry in entries where !allowed.contains(entry.key) {
            let keyPath = path.isEmpty ? entry.key : "\(path).\(entry.key)"
            throw ScenarioError(
                location: entry.keyLocation, keyPath: keyPath,
                message: "unknown key '\(entry.key)'; valid keys here: \(allowed.joined(separator: ", "))",
                suggestion: nearest(to: entry.key, in: allowed))
        }
        return Mapping(field: self, entries: entries)
    }

    /// This value as a list.
    func list() throws -> [Field] {
        guard case .sequence(let items, _) = node else { throw expected("a list") }
        return items.enumerated().map { Field(node: $1, path: "\(path)[\($0)]", parameters: parameters) }
    }

    struct Mapping {
        let field: Field
        let entries: [(key: String, keyLocation: SourceLocation?, value: ScenarioNode)]

        func optional(_ key: String) -> Field? {
            guard let entry = entries.first(where: { $0.key == key }) else { return nil }
            if case .null = entry.value { return nil }
            return Field(node: entry.value, path: field.path.isEmpty ? key : "\(field.path).\(key)",
                         parameters: field.parameters)
        }

        func required(_ key: String) throws -> Field {
            if let f = optional(key) { return f }
            throw field.error("missing required key '\(key)'")
        }

        func has(_ key: String) -> Bool { optional(key) != nil }
    }

    // MARK: Scalars

    /// The scalar's text with `${parameter}` references substituted.
    func text() throws -> String {
        guard case .scalar(let raw, _) = node else { throw expected("a value") }
        return try substitute(raw)
    }

    private func substitute(_ raw: String) throws -> String {
        guard raw.contains("${") else { return raw }
        var result = ""
        var rest = Substring(raw)
        while let open = rest.range(of: "${") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                throw error("unterminated parameter reference in '\(raw)'; write ${name}")
            }
            let name = String(rest[open.upperBound..<close])
            guard let value = parameters[name] else {
                throw error("unknown parameter '\(name)'; declare it under 'parameters:'",
                            suggestion: nearest(to: name, in: parameters.keys))
            }
            result += value
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    func string() throws -> String { try text() }

    func name() throws -> String {
        let s = try text()
        guard !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || "-_.:".contains($0) }) else {
            throw error("expected a name of letters, digits, '-', '_', '.' or ':', found '\(s)'")
        }
        return s
    }

    func bool() throws -> Bool {
        switch try text().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        case let s: throw error("expected true or false, found '\(s)'")
        }
    }

    func double() throws -> Double {
        let s = try text()
        guard let v = Units.count(s) else { throw error("expected a number, found '\(s)'") }
        return v
    }

    /// A number in `range` (with optional metric suffix); the message names the range.
    func double(in range: ClosedRange<Double>, what: String = "a number") throws -> Double {
        let v = try double()
        guard range.contains(v) else {
            throw error("expected \(what) from \(Units.format(range.lowerBound)) to \(Units.format(range.upperBound)), found \(Units.format(v))")
        }
        return v
    }

    /// A whole number in `range`, with optional metric suffix (`4k`, `1M`).
    func int(in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        let s = try text()
        guard let v = Units.count(s), v.rounded() == v, abs(v) < 9e18 else {
            throw error("expected a whole number, found '\(s)'")
        }
        guard range.contains(Int(v)) else { throw error("expected a whole number \(describe(range)), found \(Int(v))") }
        return Int(v)
    }

    func uint64() throws -> UInt64 {
        let s = try text()
        guard let v = UInt64(s.replacingOccurrences(of: "_", with: "")) else {
            throw error("expected a whole number from 0 to \(UInt64.max), found '\(s)'")
        }
        return v
    }

    /// A duration (`250ms`, `5m`, `24h`), returned in seconds; must be >= 0 (> 0 when `positive`) and at most
    /// ``Units/maximumDurationSeconds`` (100 years), so that it converts to ``Nanoseconds`` and adds to any
    /// simulated time without overflow.
    func durationSeconds(positive: Bool = false) throws -> Double {
        let s = try text()
        guard let v = Units.durationSeconds(s) else {
            throw error("expected a duration such as 250ms, 1.5s, 5m, 24h or 7d, found '\(s)'")
        }
        if v < 0 || (positive && v == 0) {
            throw error("expected a \(positive ? "positive" : "non-negative") duration, found '\(s)'")
        }
        guard v <= Units.maximumDurationSeconds else {
            throw error("expected a duration of at most 100 years (36525d), found '\(s)'")
        }
        return v
    }

    /// A duration in whole nanoseconds; a positive one must be at least 1ns once rounded.
    func durationNanos(positive: Bool = false) throws -> Nanoseconds {
        let nanos = Nanoseconds(roundingSeconds: try durationSeconds(positive: positive))
        if positive, nanos < 1 { throw error("expected a duration of at least 1ns, found '\(try text())'") }
        return nanos
    }

    /// A duration in whole nanoseconds from `range`, e.g. a window that must hold a whole number of steps.
    func durationNanos(in range: ClosedRange<Nanoseconds>) throws -> Nanoseconds {
        let nanos = try durationNanos(positive: range.lowerBound > 0)
        guard range.contains(nanos) else {
            throw error("expected a duration from \(Units.formatNanos(range.lowerBound)) to \(Units.formatNanos(range.upperBound)), found '\(try text())'")
        }
        return nanos
    }

    /// A duration, or `none`/`off` for "no limit".
    func optionalDurationNanos() throws -> Nanoseconds? {
        if ["none", "off", "never"].contains(try text().lowercased()) { return nil }
        return try durationNanos(positive: true)
    }

    /// A rate (`12/s`, `1M/day`), returned per second; must be > 0.
    func ratePerSecond() throws -> Double {
        let s = try text()
        guard let v = Units.ratePerSecond(s) else {
            throw error("expected a rate such as 12/s, 600/min or 1M/day, found '\(s)'")
        }
        guard v > 0 else { throw error("expected a positive rate, found '\(s)'") }
        guard v <= Units.maximumRatePerSecond else {
            throw error("expected a rate of at most 1M/s (so that arrivals are at least 1µs apart on average), found '\(s)'")
        }
        return v
    }

    /// Money (`$50`), returned in dollars; must be >= 0.
    func dollars() throws -> USD {
        let s = try text()
        guard let v = Units.dollars(s) else { throw error("expected an amount of money such as $50 or $0.01, found '\(s)'") }
        guard v >= 0 else { throw error("expected a non-negative amount, found '\(s)'") }
        guard v <= Units.maximumDollars else { throw error("expected an amount of at most $1,000,000,000, found '\(s)'") }
        return USD(v)
    }

    /// A probability or share (`70%`, `0.7`), checked to lie in [0, 1].
    func fraction() throws -> Double {
        let s = try text()
        guard let v = Units.fraction(s) else { throw error("expected a percentage such as 70% or a fraction from 0 to 1, found '\(s)'") }
        guard (0...1).contains(v) else {
            throw error("expected a value from 0% to 100% (0 to 1), found '\(s)'")
        }
        return v
    }

    /// One of the cases of a string enum, with a suggestion for a misspelling.
    func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws -> T where T.RawValue == String {
        let names = T.allCases.map(\.rawValue)
        AcceptedKeysRecorder.current?.recordChoice(path: path, names: names)
        let s = try text()
        if let v = T(rawValue: s) { return v }
        throw error("expected one of \(names.joined(separator: ", ")), found '\(s)'", suggestion: nearest(to: s, in: names))
    }

    private func describe(_ range: ClosedRange<Int>) -> String {
        switch (range.lowerBound, range.upperBound) {
        case (Int.min, Int.max): ""
        case (let lo, Int.max): ">= \(lo)"
        case (Int.min, let hi): "<= \(hi)"
        case let (lo, hi): "from \(lo) to \(hi)"
        }
    }
}
