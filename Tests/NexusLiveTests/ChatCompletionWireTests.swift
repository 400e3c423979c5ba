import Testing
@testable import NexusLive

@Suite struct ChatCompletionWireTests {
    @Test func completionRoundTripsWithUsage() throws {
        let completion = ChatCompletion(
            id: "chatcmpl-1", created: 1_700_000_000, model: "gpt-4o",
            choices: [.init(message: ChatMessage(role: "assistant", text: "Hi!"))],
            usage: Usage(promptTokens: 12, completionTokens: 3, cachedPromptTokens: 8))
        let text = String(decoding: completion.jsonBytes, as: UTF8.self)
        #expect(text == #"{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hi!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":8}}}"#)
        #expect(try ChatCompletion(jsonBytes: completion.jsonBytes) == completion)
        #expect(completion.text == "Hi!")
    }

    @Test func upstreamCompletionWithExtraMembersDecodes() throws {
        let body = #"{"id":"x","object":"chat.completion","created":5,"model":"m","system_fingerprint":"fp","choices":[{"index":0,"message":{"role":"assistant","content":"ok","refusal":null},"logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"#
        let completion = try ChatCompletion(jsonBytes: Array(body.utf8))
        #expect(completion.choices[0].finishReason == "length")
        #expect(completion.usage == Usage(promptTokens: 1, completionTokens: 2))
        #expect(throws: OpenAIError.self) { try ChatCompletion(jsonBytes: Array(#"{"id":"x"}"#.utf8)) }
    }

    @Test func chunksEncodeAsOpenAIStreamsThem() throws {
        let first = ChatCompletionChunk(id: "c", created: 1, model: "m", choices: [.init(role: "assistant", content: "")], writesNullUsage: true)
        #expect(String(decoding: first.jsonBytes, as: UTF8.self)
            == #"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}"#)
        let last = ChatCompletionChunk(id: "c", created: 1, model: "m", choices: [], usage: Usage(promptTokens: 4, completionTokens: 2))
        let decoded = try ChatCompletionChunk(jsonBytes: last.jsonBytes)
        #expect(decoded == last)
        #expect(try ChatCompletionChunk(jsonBytes: first.jsonBytes) == first)
    }

    @Test func errorsEncodeAndDecodeInOpenAIsFormat() throws {
        let error = OpenAIError(status: 401, message: "Incorrect API key provided.", code: "invalid_api_key")
        #expect(error.type == "authentication_error")
        #expect(String(decoding: error.jsonBytes, as: UTF8.self)
            == #"{"error":{"message":"Incorrect API key provided.","type":"authentication_error","param":null,"code":"invalid_api_key"}}"#)
        #expect(OpenAIError(status: 401, body: error.jsonBytes) == error)
        let plain = OpenAIError(status: 502, body: Array("Bad Gateway".utf8))
        #expect(plain.message == "Bad Gateway" && plain.type == "server_error")
        #expect(OpenAIError(status: 503, body: []).message == "upstream returned status 503")
        #expect(OpenAIError(status: 403, message: "x").type == "permission_error")
        #expect(OpenAIError(status: 404, message: "x").type == "not_found_error")
        #expect(OpenAIError(status: 429, message: "x").type == "rate_limit_error")
    }
}
