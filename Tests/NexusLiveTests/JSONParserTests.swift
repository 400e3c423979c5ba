import Testing
@testable import NexusLive

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValueAndKeepsMemberOrder() throws {
        let value = try JSONParser.parse(#" {"b": [1, -2.5, 3e2, true, false, null], "a": "x\"\\\/\n\u00e9\ud83d\ude00"} "#)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object.members.map(\.key) == ["b", "a"])
        #expect(object["b"] == .array([.integer(1), .double(-2.5), .double(300), .bool(true), .bool(false), .null]))
        #expect(object["a"] == .string("x\"\\/\né😀"))
    }

    @Test func writerOutputParsesBackToTheSameValue() throws {
        let value: JSONValue = .object([
            "text": .string("line\nnext \"quoted\" \u{01} tab\t"), "n": .integer(-7), "d": .double(0.125),
            "list": .array([.null, .bool(true), .object([:])]),
        ])
        let text = JSONWriter.string(value)
        #expect(!text.contains("\n"))
        #expect(try JSONParser.parse(text) == value)
        #expect(JSONWriter.string(.double(2)) == "2")
        #expect(JSONWriter.string(.double(.nan)) == "null")
    }

    /// The exact escapes of RFC 8259 §7 the writer emits: quote and backslash escaped, the three common controls
    /// by letter, other controls as lowercase `\u00XX`, everything else (UTF-8 included) copied as is.
    @Test func stringsAreEscapedExactly() {
        #expect(JSONWriter.string(.string("a\"b\\c\n\r\t\u{01}\u{1f}é end")) == #""a\"b\\c\n\r\t\u0001\u001fé end""#)
        #expect(JSONWriter.string(.string("")) == #""""#)
        #expect(JSONWriter.string(.string("\"")) == #""\"""#)
    }

    @Test func syntaxErrorsGiveLineAndColumn() {
        #expect(throws: JSONSyntaxError(message: "expected ':' after the object key \"b\"", offset: 14, line: 2, column: 6)) {
            try JSONParser.parse("{\"a\": 1,\n\"b\"  2}")
        }
        let cases: [(String, String)] = [
            ("", "unexpected end of input, expected a value"),
            ("{\"a\": 01}", "a number may not have a leading zero"),
            ("[1, 2", "unexpected end of input in an array, expected ',' or ']'"),
            ("\"abc", "unterminated string"),
            ("{} x", "unexpected 'x' after the JSON value"),
            ("\"\\ud800\"", "a high surrogate escape must be followed by a low surrogate"),
            ("tru", "invalid literal, expected 'true'"),
            ("[1,]", "unexpected ']', expected a value"),
        ]
        for (text, message) in cases {
            do {
                _ = try JSONParser.parse(text)
                Issue.record("parsed \(text)")
            } catch {
                #expect(error.message == message, "\(text)")
            }
        }
    }

    @Test func nestingIsLimitedInsteadOfExhaustingTheStack() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
        let allowed = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        _ = try JSONParser.parse(allowed)
    }

    @Test func invalidUTF8InAStringIsAnError() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) }
    }
}

