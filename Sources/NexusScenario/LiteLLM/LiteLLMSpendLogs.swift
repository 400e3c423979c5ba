import Foundation
import NexusGateway

/// One row of LiteLLM's `LiteLLM_SpendLogs` table, as exported (CSV or JSON).
public struct SpendLogRecord: Hashable, Sendable {
    /// Nanoseconds since the Unix epoch.
    public var start: Int64
    public var end: Int64
    /// The first token's time; `nil` when not recorded.
    public var completionStart: Int64?
    public var model: String
    public var modelGroup: String
    public var apiBase: String
    public var promptTokens: Int
    public var completionTokens: Int
    public var spend: Double
    /// The HTTP status of a failure; `nil` for a success.
    public var failureStatus: Int?
    public var cacheHit: Bool
    public var user: String
    public var team: String
}

/// A spend-log file that could not be read, with the position of the problem.
public struct SpendLogError: Error, CustomStringConvertible, Sendable {
    public var location: SourceLocation
    public var message: String
    public var description: String { "\(location): \(message)" }
}

/// Reads LiteLLM spend-log exports: CSV with a header row, a JSON array of objects, or JSON Lines. Columns as
/// in `LiteLLM_SpendLogs`: `startTime`, `endTime`, `completionStartTime`, `model`, `model_group`, `api_base`,
/// `prompt_tokens`, `completion_tokens`, `spend`, `status`, `cache_hit`, `user`, `team_id` (the first eight
/// except `completionStartTime` are required). Times are ISO 8601 (UTC when no zone) or Unix seconds.
/// `status` is `success`, `failure` (counted as HTTP 500) or an HTTP status.
public enum SpendLogReader {
    static let required = ["startTime", "endTime", "model", "prompt_tokens", "completion_tokens", "spend"]
    static let known = ["startTime", "endTime", "completionStartTime", "model", "model_group", "api_base", "prompt_tokens",
                        "completion_tokens", "spend", "status", "cache_hit", "user", "team_id"]

    public static func read(path: String) throws -> [SpendLogRecord] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SpendLogError(location: .file(path, line: 1, column: 1), message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SpendLogError(location: .file(path, line: 1, column: 1), message: "not UTF-8 text")
        }
        return try parse(text: text, file: path)
    }

    public static func parse(text: String, file: String) throws -> [SpendLogRecord] {
        let trimmed = text.drop { $0.isWhitespace || $0 == "\u{FEFF}" }
        if trimmed.first == "[" { return try parseJSONArray(text, file: file) }
        if trimmed.first == "{" { return try parseJSONLines(text, file: file) }
        return try parseCSV(text, file: file)
    }

    // MARK: CSV

    static func parseCSV(_ text: String, file: String) throws -> [SpendLogRecord] {
        var rows: [(line: Int, cells: [(String, column: Int)])] = []
        var cells: [(String, column: Int)] = []
        var cell = "", cellColumn = 1, line = 1, column = 1, rowLine = 1
        var quoted = false, wasQuoted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? { if let p = pending { pending = nil; return p }; return iterator.next() }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let n = iterator.next() {
                        if n == "\"" { cell.unicodeScalars.append("\""); column += 2; continue }
                        pending = n
                    }
                    quoted = false
                    column += 1
                    continue
                }
                cell.unicodeScalars.append(c)
                if c == "\n" { line += 1; column = 1 } else { column += 1 }
                continue
            }
            switch c {
            case "\"":
                guard cell.isEmpty, !wasQuoted else {
                    throw SpendLogError(location: .file(file, line: line, column: column), message: "a quote inside an unquoted field")
                }
                quoted = true
                wasQuoted = true
                column += 1
            case ",":
                cells.append((cell, cellColumn))
                cell = ""; wasQuoted = false
                column += 1
                cellColumn = column
            case "\r": break
            case "\n":
                cells.append((cell, cellColumn))
                if !(cells.count == 1 && cells[0].0.isEmpty && !wasQuoted) { rows.append((rowLine, cells)) }
                cells = []; cell = ""; wasQuoted = false
                line += 1; column = 1; cellColumn = 1; rowLine = line
            default:
                cell.unicodeScalars.append(c)
                column += 1
            }
        }
        if quoted { throw SpendLogError(location: .file(file, line: line, column: column), message: "a quoted field is not closed") }
        if !cell.isEmpty || !cells.isEmpty { cells.append((cell, cellColumn)); rows.append((rowLine, cells)) }
        guard let header = rows.first else {
            throw SpendLogError(location: .file(file, line: 1, column: 1), message: "the file is empty; expected a header row with \(required.joined(separator: ", "))")
        }
        let names = header.cells.map { $0.0.trimmingCharacters(in: .whitespaces) }
        for name in required where !names.contains(name) {
            throw SpendLogError(location: .file(file, line: header.line, column: 1),
                                message: "the header has no column '\(name)'" + (nearest(to: name, in: names).map { " (found '\($0)')" } ?? ""))
        }
        var records: [SpendLogRecord] = []
        for row in rows.dropFirst() {
            guard row.cells.count == names.count else {
                throw SpendLogError(location: .file(file, line: row.line, column: row.cells.last.map { $0.column } ?? 1),
                                    message: "expected \(names.count) fields as in the header, found \(row.cells.count)")
            }
            var values: [String: (String, SourceLocation)] = [:]
            for (i, name) in names.enumerated() { values[name] = (row.cells[i].0, .file(file, line: row.line, column: row.cells[i].column)) }
            records.append(try record(values, row: .file(file, line: row.line, column: 1)))
        }
        return records
    }

    // MARK: JSON

    static func parseJSONArray(_ text: String, file: String) throws -> [SpendLogRecord] {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(text.utf8)) } catch {
            throw SpendLogError(location: .file(file, line: 1, column: 1), message: "not valid JSON: \(error.localizedDescription)")
        }
        guard let array = object as? [Any] else { throw SpendLogError(location: .file(file, line: 1, column: 1), message: "expected a JSON array of rows") }
        // Row i starts on the line of its opening brace (found by scanning, since JSONSerialization gives no positions).
        let starts = objectStartLines(text)
        return try array.enumerated().map { i, item in
            let line = i < starts.count ? starts[i] : 1
            return try jsonRecord(item, at: .file(file, line: line, column: 1), label: "row \(i)")
        }
    }

    static func parseJSONLines(_ text: String, file: String) throws -> [SpendLogRecord] {
        var records: [SpendLogRecord] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let object: Any
            do { object = try JSONSerialization.jsonObject(with: Data(line.utf8)) } catch {
                throw SpendLogError(location: .file(file, line: i + 1, column: 1), message: "not a JSON object: \(error.localizedDescription)")
            }
            records.append(try jsonRecord(object, at: .file(file, line: i + 1, column: 1), label: "line \(i + 1)"))
        }
        return records
    }

    private static func objectStartLines(_ text: String) -> [Int] {
        var lines: [Int] = [], line = 1, depth = 0, inString = false, escaped = false
        for c in text.utf8 {
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
            } else {
                switch c {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"): if depth == 1 { lines.append(line) }; depth += 1
                case UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default: break
                }
            }
            if c == UInt8(ascii: "\n") { line += 1 }
        }
        return lines
    }

    private static func jsonRecord(_ item: Any, at location: SourceLocation, label: String) throws -> SpendLogRecord {
        guard let dict = item as? [String: Any] else { throw SpendLogError(location: location, message: "\(label): expected a JSON object") }
        var values: [String: (String, SourceLocation)] = [:]
        for (k, v) in dict {
            let text: String = switch v {
            case let s as String: s
            case let n as NSNumber: n.stringValue
            case is NSNull: ""
            default: "\(v)"
            }
            values[k] = (text, location)
        }
        for name in required where values[name] == nil {
            throw SpendLogError(location: location, message: "\(label) has no '\(name)'" + (nearest(to: name, in: Array(values.keys)).map { " (found '\($0)')" } ?? ""))
        }
        return try record(values, row: location)
    }

    // MARK: Fields

    private static func record(_ v: [String: (String, SourceLocation)], row: SourceLocation) throws -> SpendLogRecord {
        func field(_ name: String) -> (String, SourceLocation)? { v[name].map { ($0.0.trimmingCharacters(in: .whitespaces), $0.1) } }
        func time(_ name: String) throws -> Int64? {
            guard let f = field(name), !f.0.isEmpty else { return nil }
            let (s, at) = f
            let bytes = Array(s.utf8)
            if let t = TimestampParser.iso8601Nanos(bytes) ?? TimestampParser.decimalNanos(bytes, unitNanos: 1_000_000_000) { return t }
            throw SpendLogError(location: at, message: "\(name): expected an ISO 8601 time (2024-06-01T12:00:00.250Z) or Unix seconds, found '\(s)'")
        }
        func int(_ name: String) throws -> Int {
            guard let f = field(name), !f.0.isEmpty else { return 0 }
            let (s, at) = f
            guard let n = Int(s), n >= 0, n <= 100_000_000 else {
                throw SpendLogError(location: at, message: "\(name): expected a token count from 0 to 100000000, found '\(s)'")
            }
            return n
        }
        guard let start = try time("startTime") else { throw SpendLogError(location: field("startTime")?.1 ?? row, message: "startTime is empty") }
        guard let end = try time("endTime") else { throw SpendLogError(location: field("endTime")?.1 ?? row, message: "endTime is empty") }
        guard end >= start else { throw SpendLogError(location: field("endTime")!.1, message: "endTime is before startTime") }
        let first = try time("completionStartTime")
        if let first, first < start || first > end {
            throw SpendLogError(location: field("completionStartTime")!.1, message: "completionStartTime is outside [startTime, endTime]")
        }
        let spendText = field("spend")?.0 ?? ""
        guard let spend = spendText.isEmpty ? 0 : Double(spendText), spend.isFinite, spend >= 0 else {
            throw SpendLogError(location: field("spend")!.1, message: "spend: expected dollars >= 0, found '\(spendText)'")
        }
        var failure: Int? = nil
        if let f = field("status"), !f.0.isEmpty {
            let (s, at) = f
            switch s.lowercased() {
            case "success", "200": failure = nil
            case "failure", "error", "failed": failure = 500
            default:
                guard let code = Int(s), (100...599).contains(code) else {
                    throw SpendLogError(location: at, message: "status: expected success, failure or an HTTP status, found '\(s)'")
                }
                failure = (200..<300).contains(code) ? nil : code
            }
        }
        let cache = field("cache_hit")?.0.lowercased() ?? ""
        guard ["", "true", "false", "1", "0", "none", "null"].contains(cache) else {
            throw SpendLogError(location: field("cache_hit")!.1, message: "cache_hit: expected true or false, found '\(cache)'")
        }
        let model = field("model")?.0 ?? ""
        guard !model.isEmpty else { throw SpendLogError(location: field("model")!.1, message: "model is empty") }
        return SpendLogRecord(
            start: start, end: end, completionStart: first, model: model,
            modelGroup: field("model_group").map(\.0).flatMap { $0.isEmpty ? nil : $0 } ?? model,
            apiBase: field("api_base")?.0 ?? "", promptTokens: try int("prompt_tokens"), completionTokens: try int("completion_tokens"),
            spend: spend, failureStatus: failure, cacheHit: cache == "true" || cache == "1",
            user: field("user")?.0 ?? "", team: field("team_id")?.0 ?? "")
    }
}
