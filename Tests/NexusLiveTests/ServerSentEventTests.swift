import Testing
@testable import NexusLive

@Suite struct ServerSentEventTests {
    @Test func framesAreDataLinesEndedByABlankLine() {
        #expect(String(decoding: ServerSentEvent.frame(json: Array("{\"a\":1}".utf8)), as: UTF8.self) == "data: {\"a\":1}\n\n")
        #expect(String(decoding: ServerSentEvent.doneFrame, as: UTF8.self) == "data: [DONE]\n\n")
        #expect(String(decoding: ServerSentEvent(event: "e", data: "a\nb").bytes, as: UTF8.self) == "event: e\ndata: a\ndata: b\n\n")
    }

    @Test func parserHandlesEventsSplitAtEveryByte() throws {
        let stream = ": keep-alive\r\ndata: {\"x\":1}\r\n\r\nevent: note\ndata:first\ndata:  second\n\ndata: [DONE]\r\r"
        let expected = [
            ServerSentEvent(data: "{\"x\":1}"),
            ServerSentEvent(event: "note", data: "first\n second"),
            ServerSentEvent(data: "[DONE]"),
        ]
        var whole = ServerSentEventParser()
        #expect(try whole.feed(Array(stream.utf8)) == expected)
        let wholeTruncated = whole.finish()
        #expect(!wholeTruncated)
        var byByte = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for byte in stream.utf8 { events += try byByte.feed([byte]) }
        #expect(events == expected)
        #expect(events.last?.isDone == true)
    }

    @Test func aTruncatedEventIsReportedNotDispatched() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.feed(Array("data: {\"partial\"".utf8)).isEmpty)
        let truncated = parser.finish()
        #expect(truncated)
    }

    @Test func anOverlongLineIsAnError() {
        var parser = ServerSentEventParser(maximumLineBytes: 16)
        #expect(throws: ServerSentEventParserError.lineTooLong(16)) {
            try parser.feed(Array(("data: " + String(repeating: "x", count: 20)).utf8))
        }
    }

    @Test func streamEventsAreChunksDoneOrErrors() throws {
        let chunk = ChatCompletionChunk(id: "c", created: 1, model: "m", choices: [.init(content: "hi")])
        #expect(try ChatCompletionStreamEvent(event: ServerSentEvent(data: String(decoding: chunk.jsonBytes, as: UTF8.self))) == .chunk(chunk))
        #expect(try ChatCompletionStreamEvent(event: ServerSentEvent(data: "[DONE]")) == .done)
        let failure = try ChatCompletionStreamEvent(event: ServerSentEvent(data: #"{"error":{"message":"overloaded","type":"server_error"}}"#))
        #expect(failure == .error(OpenAIError(status: 500, message: "overloaded", type: "server_error")))
        #expect(throws: OpenAIError.self) { try ChatCompletionStreamEvent(event: ServerSentEvent(data: "not json")) }
    }
}
