import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NexusGateway

/// Sends attempts to upstream providers with AsyncHTTPClient and reads their answers, streamed or not.
///
/// A streamed answer is parsed event by event as it arrives and each chunk is handed to `onChunk` at once, so
/// the client sees the upstream's first token as soon as the gateway does.
struct UpstreamClient: Sendable {
    let http: HTTPClient
    /// The gateway's clock: first tokens are stamped in gateway time, and an upstream's `Retry-After` (wall
    /// time) is read into it.
    let clock: GatewayClock
    /// Largest upstream body read for a non-streamed answer or an error.
    let maximumBodyBytes: Int

    /// Runs one attempt. Never throws: failures become the result's `status`. Task cancellation (the lifecycle
    /// cancelled the attempt, or its timeout cut it) ends the attempt with what it produced so far, status
    /// `cancelled`; the driver turns a cut into `failed(.timeout)`.
    func run(
        _ request: ChatCompletionRequest, upstream: UpstreamDirectory.Upstream, maxTokens: Int,
        headers extra: [(name: String, value: String)] = [],
        onChunk: @Sendable (ChatCompletionChunk) async -> Void
    ) async -> UpstreamAttemptResult {
        var outgoing = request
        outgoing.model = upstream.model
        outgoing.maxTokens = maxTokens
        if outgoing.stream { outgoing.includeUsage = true }
        var http = HTTPClientRequest(url: upstream.chatCompletionsURL)
        http.method = .POST
        http.headers.add(name: "content-type", value: "application/json")
        if outgoing.stream { http.headers.add(name: "accept", value: "text/event-stream") }
        if let key = upstream.apiKey { http.headers.add(name: "authorization", value: "Bearer \(key)") }
        for header in extra { http.headers.add(name: header.name, value: header.value) }
        http.body = .bytes(ByteBuffer(bytes: outgoing.jsonBytes))
        var result = UpstreamAttemptResult(status: .failed(.connectionError))
        do {
            let response = try await self.http.execute(http, deadline: .distantFuture)
            let status = Int(response.status.code)
            guard status == 200 else {
                let body = try await response.body.collect(upTo: maximumBodyBytes)
                let error = OpenAIError(status: status, body: body.readableBytesView)
                let retryAfter = UpstreamAttemptResult.retryAfter(
                    milliseconds: response.headers.first(name: "retry-after-ms"), seconds: response.headers.first(name: "retry-after"))
                    .map(clock.gatewayNanos(ofWallNanos:))
                result.status = .failed(UpstreamAttemptResult.classify(status: status, retryAfter: retryAfter, error: error))
                result.upstreamError = error
                return result
            }
            if outgoing.stream {
                try await relay(response, into: &result, onChunk: onChunk)
            } else {
                let body = try await response.body.collect(upTo: maximumBodyBytes)
                let completion = try ChatCompletion(jsonBytes: body.readableBytesView)
                result.firstTokenAt = clock.now()
                result.completion = completion
                result.outputTokens = completion.usage?.completionTokens ?? Self.estimateTokens(completion.text)
                result.inputTokens = completion.usage?.promptTokens
                result.cachedInputTokens = completion.usage?.cachedPromptTokens ?? 0
                result.finishReason = completion.choices.first?.finishReason
                result.status = .answered
            }
        } catch is CancellationError {
            result.status = .cancelled
        } catch let error as OpenAIError {
            // An answer that is not OpenAI's format: the upstream is broken, as with a 502.
            result.status = .failed(.serverError(status: 502))
            result.upstreamError = OpenAIError(status: 502, message: "the upstream's answer is not a chat completion: \(error.message)")
        } catch {
            if Task.isCancelled {
                result.status = .cancelled
            } else if result.firstTokenAt != nil {
                // The stream broke midway: what arrived is billed, the attempt failed.
                result.status = .failed(.serverError(status: 502))
                result.upstreamError = OpenAIError(status: 502, message: "the upstream stream ended early")
            } else {
                result.status = .failed(.connectionError)
                result.upstreamError = OpenAIError(status: 502, message: "could not reach the upstream \(upstream.provider)")
            }
        }
        return result
    }

    private func relay(
        _ response: HTTPClientResponse, into result: inout UpstreamAttemptResult,
        onChunk: @Sendable (ChatCompletionChunk) async -> Void
    ) async throws {
        var parser = ServerSentEventParser()
        var sawDone = false
        var chunks = 0
        for try await buffer in response.body {
            try Task.checkCancellation()
            let events = try parser.feed(buffer.readableBytesView)
            for event in events {
                switch try ChatCompletionStreamEvent(event: event) {
                case .done:
                    sawDone = true
                case .error(let error):
                    result.status = .failed(.serverError(status: 502))
                    result.upstreamError = error
                    return
                case .chunk(let chunk):
                    if result.firstTokenAt == nil { result.firstTokenAt = clock.now() }
                    for choice in chunk.choices where choice.index == 0 {
                        if let content = choice.content, !content.isEmpty {
                            result.streamedText += content
                            chunks += 1
                        }
                        if let reason = choice.finishReason { result.finishReason = reason }
                    }
                    if let usage = chunk.usage {
                        result.outputTokens = usage.completionTokens
                        result.inputTokens = usage.promptTokens
                        result.cachedInputTokens = usage.cachedPromptTokens ?? 0
                    } else {
                        result.outputTokens = max(result.outputTokens, chunks)
                    }
                    await onChunk(chunk)
                }
            }
            if sawDone { break }
        }
        try Task.checkCancellation()
        guard sawDone else {
            result.status = .failed(.serverError(status: 502))
            result.upstreamError = OpenAIError(status: 502, message: "the upstream stream ended without data: [DONE]")
            return
        }
        result.status = .answered
    }

    /// About four bytes of text per token, when an upstream reports no usage.
    static func estimateTokens(_ text: String) -> Int { (text.utf8.count + 3) / 4 }
}
