import NexusScenario

extension TraceFormat {
    /// The named format whose columns the trace's first line (a CSV header, or a JSON object's keys) has:
    /// `azure`, `burstgpt` or `litellm` for a CSV header, `mooncake` or `litellm` for JSON lines; `nil` when
    /// none matches (a `csv`/`jsonl` trace needs its format and column mapping given).
    /// Throws when the file cannot be opened or read.
    public static func detect(path: String) throws(TraceError) -> TraceFormat? {
        let lines = try LineReader(path: path)
        var first: [UInt8]?
        while first == nil, let line = try lines.nextLine({ Array($0) }) {
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { first = line }
        }
        guard let first else { return nil }
        let names: [String]
        var json = false
        if first.drop(while: { $0 == 0x20 || $0 == 0x09 }).first == UInt8(ascii: "{") {
            guard case .success(let object) = parseJSONObject(first[...]) else { return nil }
            names = Array(object.keys)
            json = true
        } else {
            guard let fields = splitCSV(first[...]) else { return nil }
            names = fields.map(\.trimmingSpaces)
        }
        let candidates: [TraceFormat] = json ? [.mooncake, .litellm] : [.azure, .burstgpt, .litellm]
        return candidates.first { format in
            guard let columns = TraceReader.defaultColumns(format, json: json) else { return false }
            return [columns.timestamp, columns.inputTokens, columns.outputTokens].allSatisfy { column in
                names.contains { $0.caseInsensitiveEquals(column) }
            }
        }
    }
}

extension TraceFormat {
    /// The formats with fixed columns, for messages: "azure, mooncake, burstgpt, litellm".
    public static var namedFormats: String {
        allCases.filter { TraceReader.defaultColumns($0, json: false) != nil }.map(\.rawValue).joined(separator: ", ")
    }
}
