/// A strict JSON parser (RFC 8259) over UTF-8 bytes, with errors that give the line and column.
///
/// Nesting is limited (`maximumDepth`) so that a hostile body cannot exhaust the stack.
public struct JSONParser {
    /// Deepest nesting of arrays and objects accepted.
    public static let maximumDepth = 64

    /// Parses one JSON document; whitespace around it is allowed, anything else after it is an error.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) -> JSONValue in
            var parser = Cursor(bytes: buffer)
            parser.skipWhitespace()
            let value = try parser.parseValue(depth: 0)
            parser.skipWhitespace()
            if parser.position < buffer.count {
                throw parser.error("unexpected '\(parser.printable(buffer[parser.position]))' after the JSON value")
            }
            return value
        }
    }

    /// Parses one JSON document from text.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
            let offset = min(offset ?? position, bytes.count)
            var line = 1
            var column = 1
            for index in 0..<offset {
                if bytes[index] == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else if bytes[index] & 0xC0 != 0x80 {
                    column += 1
                }
            }
            return JSONSyntaxError(message: message, offset: offset, line: line, column: column)
        }

        func printable(_ byte: UInt8) -> String {
            byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\u{\(String(byte, radix: 16))}"
        }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
            guard position < bytes.count else { throw error("unexpected end of input, expected a value") }
            switch bytes[position] {
            case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
            case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
            case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
            case UInt8(ascii: "n"): try expectLiteral("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
            default: throw error("unexpected '\(printable(bytes[position]))', expected a value")
            }
        }

        mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
            let start = position
            let count = literal.utf8CodeUnitCount
            guard bytes.count - position >= count else { throw error("invalid literal, expected '\(literal)'", at: start) }
            let base = literal.utf8Start
            for index in 0..<count where bytes[position + index] != base[index] {
                throw error("invalid literal, expected '\(literal)'", at: start)
            }
            position += count
        }

        mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
            guard depth <= JSONParser.maximumDepth else { throw error("nesting deeper than \(JSONParser.maximumDepth) levels") }
            position += 1
            var members: [JSONObject.Member] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(JSONObject(members: members))
            }
            while true {
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                    throw error(position < bytes.count ? "expected a string key in an object" : "unexpected end of input in an object")
                }
                let key = try parseString()
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                    throw error("expected ':' after the object key \"\(key)\"")
                }
                position += 1
                skipWhitespace()
                let value = try parseValue(depth: depth)
                members.append(JSONObject.Member(key: key, value: value))
                skipWhitespace()
                guard position < bytes.count else { throw error("unexpected end of input in an object, expected ',' or '}'") }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                if bytes[position] == UInt8(ascii: "}") {
                    position += 1
                    return .object(JSONObject(members: members))
                }
                throw error("expected ',' or '}' in an object, found '\(printable(bytes[position]))'")
            }
        }

        mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
            guard depth <= JSONParser.maximumDepth else { throw error("nesting deeper than \(JSONParser.maximumDepth) levels") }
            position += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                elements.append(try parseValue(depth: depth))
                skipWhitespace()
                guard position < bytes.count else { throw error("unexpected end of input in an array, expected ',' or ']'") }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                if bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    return .array(elements)
                }
                throw error("expected ',' or ']' in an array, found '\(printable(bytes[position]))'")
            }
        }

        mutating func parseString() throws(JSONSyntaxError) -> String {
            let start = position
            position += 1
            var runStart = position
            var pieces: [UInt8] = []
            var escaped = false
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    let text: String?
                    if escaped {
                        pieces.append(contentsOf: bytes[runStart..<position])
                        text = String(validating: pieces, as: UTF8.self)
                    } else {
                        text = String(validating: UnsafeBufferPointer(rebasing: bytes[runStart..<position]), as: UTF8.self)
                    }
                    guard let text else { throw error("a string is not valid UTF-8", at: start) }
                    position += 1
                    return text
                }
                if byte < 0x20 { throw error("unescaped control character in a string") }
                if byte == UInt8(ascii: "\\") {
                    escaped = true
                    pieces.append(contentsOf: bytes[runStart..<position])
                    position += 1
                    guard position < bytes.count else { break }
                    switch bytes[position] {
                    case UInt8(ascii: "\""): pieces.append(UInt8(ascii: "\""))
                    case UInt8(ascii: "\\"): pieces.append(UInt8(ascii: "\\"))
                    case UInt8(ascii: "/"): pieces.append(UInt8(ascii: "/"))
                    case UInt8(ascii: "b"): pieces.append(0x08)
                    case UInt8(ascii: "f"): pieces.append(0x0C)
                    case UInt8(ascii: "n"): pieces.append(0x0A)
                    case UInt8(ascii: "r"): pieces.append(0x0D)
                    case UInt8(ascii: "t"): pieces.append(0x09)
                    case UInt8(ascii: "u"):
                        let scalar = try parseUnicodeEscape()
                        pieces.append(contentsOf: String(Character(scalar)).utf8)
                        runStart = position
                        continue
                    default: throw error("invalid escape '\\\(printable(bytes[position]))' in a string")
                    }
                    position += 1
                    runStart = position
                    continue
                }
                position += 1
            }
            throw error("unterminated string", at: start)
        }

        /// Reads `uXXXX` (position on the `u`), combining a surrogate pair; leaves position after it.
        mutating func parseUnicodeEscape() throws(JSONSyntaxError) -> Unicode.Scalar {
            let escapeStart = position - 1
            position += 1
            let high = try readHex4()
            if (0xD800...0xDBFF).contains(high) {
                guard bytes.count - position >= 6, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
                else { throw error("a high surrogate escape must be followed by a low surrogate", at: escapeStart) }
                position += 2
                let low = try readHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid low surrogate escape", at: escapeStart) }
                let value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                guard let scalar = Unicode.Scalar(value) else { throw error("invalid unicode escape", at: escapeStart) }
                return scalar
            }
            guard let scalar = Unicode.Scalar(high) else { throw error("a lone surrogate escape in a string", at: escapeStart) }
            return scalar
        }

        mutating func readHex4() throws(JSONSyntaxError) -> UInt32 {
            guard bytes.count - position >= 4 else { throw error("incomplete unicode escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw error("invalid hexadecimal digit in a unicode escape")
                }
                value = value << 4 | digit
                position += 1
            }
            return value
        }

        mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
            let start = position
            var isInteger = true
            if bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard position < bytes.count, isDigit(bytes[position]) else { throw error("invalid number", at: start) }
            if bytes[position] == UInt8(ascii: "0") {
                position += 1
                if position < bytes.count, isDigit(bytes[position]) { throw error("a number may not have a leading zero", at: start) }
            } else {
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                isInteger = false
                position += 1
                guard position < bytes.count, isDigit(bytes[position]) else { throw error("expected a digit after '.'", at: start) }
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
                isInteger = false
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
                guard position < bytes.count, isDigit(bytes[position]) else { throw error("expected a digit in the exponent", at: start) }
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            if isInteger, let integer = Int(text) { return .integer(integer) }
            guard let double = Double(text), double.isFinite else { throw error("number out of range", at: start) }
            return .double(double)
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    }
}

/// Text that is not JSON: what is wrong and where (byte offset, 1-based line and column).
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var line: Int
    public var column: Int

    public var description: String { "line \(line), column \(column): \(message)" }
}
