/// An incremental parser of `text/event-stream` bytes: feed it whatever arrived, get the events completed so far.
///
/// Follows the WHATWG rules: lines end in LF, CR or CRLF (a CRLF split across two feeds is handled); a blank line
/// dispatches the event; `:` starts a comment; one optional space after `field:` is dropped; an event with no
/// `data` is not dispatched. A line longer than `maximumLineBytes` is an error, so an upstream cannot make the
/// gateway buffer without bound.
public struct ServerSentEventParser: Sendable {
    /// Longest line accepted.
    public let maximumLineBytes: Int

    private var line: [UInt8] = []
    private var lastWasCarriageReturn = false
    private var dataLines: [String] = []
    private var hasData = false
    private var eventType: String?
    private var eventID: String?
    private var retry: Int?

    public init(maximumLineBytes: Int = 1 << 20) {
        self.maximumLineBytes = maximumLineBytes
    }

    /// Consumes bytes; returns the events they complete, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(ServerSentEventParserError) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if lastWasCarriageReturn {
                    lastWasCarriageReturn = false
                    continue
                }
                endLine(into: &events)
            } else if byte == UInt8(ascii: "\r") {
                lastWasCarriageReturn = true
                endLine(into: &events)
            } else {
                lastWasCarriageReturn = false
                guard line.count < maximumLineBytes else { throw .lineTooLong(maximumLineBytes) }
                line.append(byte)
            }
        }
        return events
    }

    /// Ends the stream. An event not closed by a blank line is discarded, as the standard says; returns whether
    /// such an incomplete event (or line) was pending, which for a relayed completion means a truncated stream.
    public mutating func finish() -> Bool {
        let truncated = !line.isEmpty || hasData
        line.removeAll()
        dataLines.removeAll()
        hasData = false
        eventType = nil
        return truncated
    }

    private mutating func endLine(into events: inout [ServerSentEvent]) {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            if hasData {
                events.append(ServerSentEvent(event: eventType, data: dataLines.joined(separator: "\n"), id: eventID, retryMilliseconds: retry))
            }
            dataLines.removeAll(keepingCapacity: true)
            hasData = false
            eventType = nil
            retry = nil
            return
        }
        if line[0] == UInt8(ascii: ":") { return }
        let field: String
        var value: String
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = String(decoding: line[..<colon], as: UTF8.self)
            var valueStart = colon + 1
            if valueStart < line.count, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
            value = String(decoding: line[valueStart...], as: UTF8.self)
        } else {
            field = String(decoding: line, as: UTF8.self)
            value = ""
        }
        switch field {
        case "data":
            dataLines.append(value)
            hasData = true
        case "event": eventType = value
        case "id": if !value.contains("\0") { eventID = value }
        case "retry": if !value.isEmpty, value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) { retry = Int(value.prefix(9)) }
        default: value = ""
        }
    }
}

/// A stream that cannot be parsed.
public enum ServerSentEventParserError: Error, Sendable, Equatable, CustomStringConvertible {
    case lineTooLong(Int)

    public var description: String {
        switch self {
        case .lineTooLong(let limit): "a server-sent event line is longer than \(limit) bytes"
        }
    }
}
