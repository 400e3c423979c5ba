import Testing
@testable import NexusLive

@Suite struct ChatCompletionRequestTests {
    private func decode(_ text: String) throws(OpenAIError) -> ChatCompletionRequest {
        try ChatCompletionRequest(jsonBytes: Array(text.utf8))
    }

    private func error(_ text: String) -> OpenAIError? {
        do {
            _ = try decode(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func decodesTheInterpretedParametersAndKeepsTheOthers() throws {
        let request = try decode("""
            {"model": "mission_critical", "messages": [{"role": "system", "content": "Be brief."},
             {"role": "user", "content": [{"type": "text", "text": "Hello"}, {"type": "text", "text": "there"}], "name": "ann"}],
             "stream": true, "stream_options": {"include_usage": true}, "max_tokens": 64, "max_completion_tokens": 128,
             "temperature": 0.2, "top_p": 1, "stop": "END", "seed": 7, "user": "u-1",
             "response_format": {"type": "json_object"}, "tools": []}
            """)
        #expect(request.model == "mission_critical")
        #expect(request.messages.count == 2)
        #expect(request.messages[1].text == "Hello\nthere")
        #expect(request.messages[1].otherFields["name"] == .string("ann"))
        #expect(request.stream && request.includeUsage)
        #expect(request.maxTokens == 128)
        #expect(request.temperature == 0.2 && request.topP == 1)
        #expect(request.stop == ["END"])
        #expect(request.seed == 7 && request.user == "u-1")
        #expect(request.otherParameters.members.map(\.key) == ["response_format", "tools"])
        #expect(request.promptText == "Be brief.\nHello\nthere")
        // 9 + 11 bytes of text → 5 tokens, plus 4 per message.
        #expect(request.estimatedPromptTokens == 5 + 8)
    }

    @Test func encodingRoundTrips() throws {
        let request = try decode("""
            {"model": "t", "messages": [{"role": "assistant", "content": null, "tool_calls": [{"id": "c1"}]},
             {"role": "user", "content": "hi"}], "n": 2, "stop": ["a", "b"], "logit_bias": {"50256": -100}}
            """)
        let again = try ChatCompletionRequest(jsonBytes: request.jsonBytes)
        #expect(again == request)
        #expect(again.messages[0].content == .none)
        #expect(again.messages[0].otherFields["tool_calls"] != nil)
    }

    @Test func malformedJSONIsA400WithLineAndColumn() {
        let failure = error("{\"model\": \"t\",\n \"messages\": [}")
        #expect(failure?.status == 400)
        #expect(failure?.type == "invalid_request_error")
        #expect(failure?.code == "invalid_json")
        #expect(failure?.message.contains("line 2, column 15") == true)
        #expect(error("[1, 2]")?.message == "The request body must be a JSON object, but got an array instead.")
    }

    @Test func missingParametersAreNamed() {
        let noMessages = error(#"{"model": "t"}"#)
        #expect(noMessages == .invalidRequest("Missing required parameter: 'messages'.", param: "messages", code: "missing_required_parameter"))
        #expect(error(#"{"messages": [{"role": "user", "content": "x"}]}"#)?.param == "model")
        #expect(error(#"{"model": "t", "messages": [{"content": "x"}]}"#)?.param == "messages[0].role")
        #expect(error(#"{"model": "t", "messages": [{"role": "user"}]}"#)?.param == "messages[0].content")
        #expect(error(#"{"model": "t", "messages": []}"#)?.code == "empty_array")
    }

    @Test func wrongTypesAndValuesAreNamed() {
        let content = error(#"{"model": "t", "messages": [{"role": "user", "content": "a"}, {"role": "user", "content": 5}]}"#)
        #expect(content?.param == "messages[1].content")
        #expect(content?.message == "Invalid type for 'messages[1].content': expected one of a string or an array of objects, but got an integer instead.")
        #expect(content?.code == "invalid_type")
        #expect(error(#"{"model": 3, "messages": []}"#)?.param == "model")
        #expect(error(#"{"model": "t", "messages": "hi"}"#)?.param == "messages")
        #expect(error(#"{"model": "t", "messages": ["hi"]}"#)?.param == "messages[0]")
        #expect(error(#"{"model": "t", "messages": [{"role": "robot", "content": "x"}]}"#)?.code == "invalid_value")
        #expect(error(#"{"model": "t", "messages": [{"role": "user", "content": "x"}], "stream": "yes"}"#)?.param == "stream")
        #expect(error(#"{"model": "t", "messages": [{"role": "user", "content": "x"}], "temperature": 3}"#)?.param == "temperature")
        #expect(error(#"{"model": "t", "messages": [{"role": "user", "content": "x"}], "max_tokens": 0}"#)?.param == "max_tokens")
        #expect(error(#"{"model": "t", "messages": [{"role": "user", "content": "x"}], "max_tokens": 1.5}"#)?.param == "max_tokens")
        #expect(error(#"{"model": "t", "messages": [{"role": "user", "content": "x"}], "stop": [1]}"#)?.param == "stop[0]")
        #expect(error(#"{"model": "t", "messages": [{"role": "user", "content": "x"}], "stream_options": {"include_usage": true}}"#)?.param == "stream_options")
        #expect(error(#"{"model": "t", "messages": [{"role": "user", "content": [{"type": "text"}]}]}"#)?.param == "messages[0].content[0].text")
    }
}
