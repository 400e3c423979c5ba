import NexusGateway
import NexusScenario

/// A malformed trace: the file, the 1-based line, and what was wrong.
public struct TraceError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based line; 0 when the file could not be opened.
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "\(file):\(line): error: \(message)" : "\(file): error: \(message)" }

    /// The error as reported to the user: a file that cannot be opened at all (line 0) is reported at the
    /// place that named it (the scenario's `traffic.trace.file` line, or the `--trace` flag), when known.
    public func description(namedAt location: SourceLocation?) -> String {
        guard line == 0, let location else { return description }
        return ScenarioError(location: location, keyPath: "traffic.trace.file", message: "\(file): \(message)").description
    }

    /// As a scenario error (same location rules), for commands that report input errors uniformly.
    public var scenarioError: ScenarioError {
        ScenarioError(location: line > 0 ? .file(file, line: line, column: 1) : nil, keyPath: "traffic.trace", message: message)
    }
}

/// One request read from a trace, on the trace's own clock.
struct TraceRow {
    /// Nanoseconds on the trace's clock (epoch or relative, as the trace writes it).
    var time: Int64 = 0
    var input = 0
    var output = 0
    var model: String?
    var user: String?
    var className: String?
    var prefixBlocks: [Int64] = []
}

/// Reads the rows of a trace one at a time (constant memory), in any supported format.
final class TraceReader {
    private enum Layout {
        /// CSV with a header: field positions.
        case csv(timestamp: Int, input: Int, output: Int, model: Int?, user: Int?, className: Int?, width: Int)
        /// JSON lines: field names.
        case json(TraceColumns, prefixField: String?)
    }

    let path: String
    private let lines: LineReader
    private let layout: Layout
    private let unit: TimestampUnit
    /// Line number of the last row returned or rejected.
    var lineNumber: Int { lines.lineNumber }
    var bufferCapacity: Int { lines.bufferCapacity }

    /// The default columns of each named format.
    static func defaultColumns(_ format: TraceFormat, json: Bool) -> TraceColumns? {
        switch format {
        case .azure: TraceColumns(timestamp: "TIMESTAMP", timestampUnit: .iso8601, inputTokens: "ContextTokens", outputTokens: "GeneratedTokens")
        case .mooncake: TraceColumns(timestamp: "timestamp", timestampUnit: .ms, inputTokens: "input_length", outputTokens: "output_length")
        case .burstgpt: TraceColumns(timestamp: "Timestamp", timestampUnit: .s, inputTokens: "Request tokens", outputTokens: "Response tokens",
                                     model: "Model")
        case .litellm: TraceColumns(timestamp: "startTime", timestampUnit: .iso8601, inputTokens: "prompt_tokens",
                                    outputTokens: "completion_tokens", model: "model", user: "user")
        case .csv, .jsonl: nil
        }
    }

    init(_ spec: TraceSpec, maximumLineBytes: Int = LineReader.defaultMaximumLineBytes) throws(TraceError) {
        path = spec.path
        let lines = try LineReader(path: spec.path, maximumLineBytes: maximumLineBytes)
        self.lines = lines
        // LiteLLM exports come as CSV or JSON lines: a first line starting with '{' is JSON.
        var firstLine: [UInt8]?
        var isJSON = spec.format == .mooncake || spec.format == .jsonl
        if spec.format == .litellm {
            firstLine = try lines.nextLine { Array($0) }
            isJSON = firstLine.map { $0.drop { $0 == 0x20 || $0 == 0x09 }.first == UInt8(ascii: "{") } ?? false
        }
        guard let columns = spec.columns ?? Self.defaultColumns(spec.format, json: isJSON) else {
            throw TraceError(file: spec.path, line: 0, message: "format '\(spec.format.rawValue)' needs a column mapping")
        }
        unit = columns.timestampUnit
        if isJSON {
            layout = .json(columns, prefixField: spec.format == .mooncake ? "hash_ids" : nil)
            if firstLine != nil { pushBack = firstLine }
            return
        }
        let header: [UInt8]
        if let firstLine { header = firstLine } else {
            guard let h = try lines.nextLine({ Array($0) }) else { throw TraceError(file: spec.path, line: 1, message: "the trace is empty; expected a header line") }
            header = h
        }
        guard let names = splitCSV(header[...])?.map({ $0.trimmingSpaces }) else {
            throw TraceError(file: spec.path, line: 1, message: "malformed CSV header (unterminated quote)")
        }
        func index(_ name: String?, required: Bool) throws(TraceError) -> Int? {
            guard let name else { return nil }
            if let i = names.firstIndex(where: { $0.caseInsensitiveEquals(name) }) { return i }
            guard required else { return nil }
            let listed = names.prefix(50).map(\.excerpt).joined(separator: ", ")
            var message = "the header has no column \(name.quotedExcerpt); columns: \(listed)"
                + (names.count > 50 ? ", … (\(names.count) columns)" : "")
            if let s = ScenarioError.suggestion(for: name, among: names) { message += " (did you mean '\(s)'?)" }
            throw TraceError(file: spec.path, line: 1, message: message)
        }
        // Named formats' optional columns (a LiteLLM export without `user`) may be absent; mapped ones must exist.
        let mapped = spec.columns != nil
        layout = .csv(timestamp: try index(columns.timestamp, required: true)!, input: try index(columns.inputTokens, required: true)!,
                      output: try index(columns.outputTokens, required: true)!, model: try index(columns.model, required: mapped),
                      user: try index(columns.user, required: mapped), className: try index(columns.requestClass, required: mapped),
                      width: names.count)
    }

    private var pushBack: [UInt8]?

    /// The next row, an error naming the line, or `nil` at the end of the file. Blank lines are skipped.
    /// Throws when the file cannot be read on (a read error, an over-long line, binary data): no later row
    /// can be trusted then, whatever the bad-row policy.
    func next() throws(TraceError) -> Result<TraceRow, TraceError>? {
        while true {
            let result: Result<TraceRow, TraceError>??
            if let line = pushBack {
                pushBack = nil
                result = line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) ? .some(nil) : .some(parse(line[...]))
            } else {
                result = try lines.nextLine { line -> Result<TraceRow, TraceError>? in
                    line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) ? nil : parse(line)
                }
            }
            guard let row = result else { return nil }  // end of file
            if let row { return row }  // else: a blank line
        }
    }

    private func error(_ message: String) -> TraceError { TraceError(file: path, line: lines.lineNumber, message: message) }

    private func parse(_ line: ArraySlice<UInt8>) -> Result<TraceRow, TraceError> {
        switch layout {
        case let .csv(ts, input, output, model, user, className, width):
            guard let fields = splitCSV(line) else { return .failure(error("malformed CSV (unterminated quote)")) }
            guard fields.count == width else {
                return .failure(error("expected \(width) fields as in the header, found \(fields.count)"))
            }
            var row = TraceRow()
            switch timestamp(fields[ts].trimmingSpaces, column: "column \(ts + 1)") {
            case .success(let t): row.time = t
            case .failure(let e): return .failure(e)
            }
            switch tokens(fields[input].trimmingSpaces, what: "input tokens (column \(input + 1))") {
            case .success(let n): row.input = n
            case .failure(let e): return .failure(e)
            }
            switch tokens(fields[output].trimmingSpaces, what: "output tokens (column \(output + 1))") {
            case .success(let n): row.output = n
            case .failure(let e): return .failure(e)
            }
            row.model = model.map { fields[$0].trimmingSpaces }.flatMap { $0.isEmpty ? nil : $0 }
            row.user = user.map { fields[$0].trimmingSpaces }.flatMap { $0.isEmpty ? nil : $0 }
            row.className = className.map { fields[$0].trimmingSpaces }.flatMap { $0.isEmpty ? nil : $0 }
            return .success(row)
        case let .json(columns, prefixField):
            let object: [String: JSONScalar]
            switch parseJSONObject(line) {
            case .success(let o): object = o
            case .failure(let e): return .failure(error("malformed JSON at column \(e.column): \(e.message)"))
            }
            func field(_ name: String) -> Result<String, TraceError> {
                guard let v = object[name] else { return .failure(error("missing field \"\(name)\"")) }
                guard let text = v.text else { return .failure(error("field \"\(name)\": expected a number or string, found \(String(describing: v).excerpt)")) }
                return .success(text)
            }
            var row = TraceRow()
            switch field(columns.timestamp).flatMap({ timestamp($0, column: "field \"\(columns.timestamp)\"") }) {
            case .success(let t): row.time = t
            case .failure(let e): return .failure(e)
            }
            switch field(columns.inputTokens).flatMap({ tokens($0, what: "\"\(columns.inputTokens)\"") }) {
            case .success(let n): row.input = n
            case .failure(let e): return .failure(e)
            }
            switch field(columns.outputTokens).flatMap({ tokens($0, what: "\"\(columns.outputTokens)\"") }) {
            case .success(let n): row.output = n
            case .failure(let e): return .failure(e)
            }
            row.model = columns.model.flatMap { object[$0]?.text }.flatMap { $0.isEmpty ? nil : $0 }
            row.user = columns.user.flatMap { object[$0]?.text }.flatMap { $0.isEmpty ? nil : $0 }
            row.className = columns.requestClass.flatMap { object[$0]?.text }.flatMap { $0.isEmpty ? nil : $0 }
            if let prefixField, let v = object[prefixField] {
                guard case .numbers(let ids) = v, let blocks = Optional(ids.compactMap { Int64($0) }), blocks.count == ids.count else {
                    return .failure(error("field \"\(prefixField)\": expected a list of whole numbers"))
                }
                row.prefixBlocks = blocks
            }
            return .success(row)
        }
    }

    private func timestamp(_ text: String, column: String) -> Result<Int64, TraceError> {
        let bytes = Array(text.utf8)
        let nanos: Int64?
        switch unit {
        case .iso8601: nanos = TimestampParser.iso8601Nanos(bytes)
        case .s: nanos = TimestampParser.decimalNanos(bytes, unitNanos: 1_000_000_000)
        case .ms: nanos = TimestampParser.decimalNanos(bytes, unitNanos: 1_000_000)
        case .us: nanos = TimestampParser.decimalNanos(bytes, unitNanos: 1_000)
        case .ns: nanos = TimestampParser.decimalNanos(bytes, unitNanos: 1)
        }
        guard let nanos else {
            let expected = unit == .iso8601 ? "a date and time such as 2023-11-16 18:15:46.6805900" : "a number of \(unit.rawValue)"
            return .failure(error("timestamp (\(column)): expected \(expected), found \(text.quotedExcerpt)"))
        }
        return .success(nanos)
    }

    private func tokens(_ text: String, what: String) -> Result<Int, TraceError> {
        // Whole numbers; "12.0" (as some exports write counts) is accepted, "12.5" is not. No count up to 1e9
        // needs 64 bytes: a longer field is refused before it is scanned character by character.
        guard text.utf8.count <= 64 else {
            return .failure(error("\(what): expected a whole number of tokens from 0 to 1e9, found \(text.quotedExcerpt)"))
        }
        var t = Substring(text)
        if let dot = t.firstIndex(of: "."), t[t.index(after: dot)...].allSatisfy({ $0 == "0" }) { t = t[..<dot] }
        guard let n = Int(t), n >= 0, n <= 1_000_000_000 else {
            return .failure(error("\(what): expected a whole number of tokens from 0 to 1e9, found \(text.quotedExcerpt)"))
        }
        return .success(n)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }

    func caseInsensitiveEquals(_ other: String) -> Bool { lowercased() == other.lowercased() }

    /// At most ``excerptBytes`` of the text (cut at a character boundary), with the full length when cut:
    /// a malformed field can be megabytes long, and an error message quotes it.
    var excerpt: String {
        utf8.count > Self.excerptBytes ? "\(excerptPrefix)… (\(utf8.count) bytes)" : self
    }

    /// ``excerpt`` in single quotes.
    var quotedExcerpt: String {
        utf8.count > Self.excerptBytes ? "'\(excerptPrefix)…' (\(utf8.count) bytes)" : "'\(self)'"
    }

    private var excerptPrefix: Substring {
        var end = utf8.index(utf8.startIndex, offsetBy: Self.excerptBytes)
        while end > startIndex, end.samePosition(in: unicodeScalars) == nil { end = utf8.index(before: end) }
        return self[..<end]
    }

    static let excerptBytes = 200
}
