import Foundation
import HTTPTypes
import Hummingbird
import NexusGateway
import NexusSim
import NIOCore

/// One decided request on its way back: waits for the decided delays in wall time, answers in OpenAI's format,
/// bills what was sent and releases the limits the attempt held.
struct EmulatedExchange: Sendable {
    let emulator: ProviderEmulator
    let endpoint: Int
    let decision: EmulatedProviders.Decision
    let clock: EmulatorClock
    /// The model name as the request gave it (echoed in the answer).
    let model: String
    let id: String
    /// Whether the request asked for usage in its stream (`stream_options.include_usage`).
    let includeUsage: Bool

    var answer: ProviderAnswer { decision.answer }

    // MARK: Refusals and errors before the first token

    /// An error that comes back before any token: after the fast-failure latency for refusals (outage, context
    /// window, rate limit), after the time to first token for background errors.
    func refuse(_ error: AttemptError) async -> Response {
        await sleep(untilOffset: answer.endsAfter)
        let (body, headers) = errorDocument(for: error)
        emulator.stats.countResponse(endpoint, status: body.status, stream: false)
        end(producedTokens: 0, billed: false, stream: false, streamFailed: false)
        return ProviderEmulator.errorResponse(body, headers: stamped(headers))
    }

    // MARK: Whole answers

    /// A non-streamed answer: everything at the end of generation (or the error that cut generation short).
    func answerWhole() async -> Response {
        let pacing = StreamPacing(outputTokens: decision.outputTokens, tokensPerSecond: answer.tokensPerSecond, speed: clock.speed)
        await sleep(untilOffset: answer.endsAfter)
        if let error = answer.error {
            let produced = pacing.tokensProduced(afterNanos: answer.endsAfter - answer.firstTokenAfter)
            let (body, headers) = errorDocument(for: error)
            emulator.stats.countResponse(endpoint, status: body.status, stream: false)
            end(producedTokens: produced, billed: true, stream: false, streamFailed: false)
            return ProviderEmulator.errorResponse(body, headers: stamped(headers))
        }
        let output = decision.outputTokens
        let completion = ChatCompletion(
            id: id, created: Self.unixSeconds(), model: model,
            choices: [.init(message: ChatMessage(role: "assistant", text: TokenText.text(0..<output)),
                            finishReason: decision.truncated ? "length" : "stop")],
            usage: usage(outputTokens: output))
        emulator.stats.countResponse(endpoint, status: 200, stream: false)
        end(producedTokens: output, billed: true, stream: false, streamFailed: false)
        return ProviderEmulator.jsonResponse(status: .ok, completion.jsonBytes, headers: stamped(rateLimitHeaders(refused: false)))
    }

    // MARK: Streams

    /// A streamed answer: headers at once, the first token at the time to first token, then the rest at the
    /// sampled speed (see ``StreamPacing``); an error event instead of the rest when generation fails mid-way.
    func stream() -> Response {
        var headers = stamped(rateLimitHeaders(refused: false))
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        emulator.stats.countResponse(endpoint, status: 200, stream: true)
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await writeStream(to: &writer)
        })
    }

    private func writeStream(to writer: inout any ResponseBodyWriter) async throws {
        let pacing = StreamPacing(outputTokens: decision.outputTokens, tokensPerSecond: answer.tokensPerSecond, speed: clock.speed)
        let first = answer.firstTokenAfter
        // Tokens the stream carries: all of them, or those produced before a mid-stream error.
        let total = answer.error == nil ? pacing.outputTokens : pacing.tokensProduced(afterNanos: answer.endsAfter - first)
        let created = Self.unixSeconds()
        var sent = 0
        var billed = false
        do {
            try await sleepOrThrow(untilOffset: first)
            billed = true
            let firstTokens = min(pacing.tokensSent(throughChunk: 0), total)
            try await writer.write(chunk(created: created, role: "assistant", content: TokenText.text(0..<firstTokens)))
            sent = firstTokens
            var k = 1
            while sent < total {
                let through = min(pacing.tokensSent(throughChunk: k), total)
                // The last chunk of a failing stream leaves when the error happens.
                let offset = through == total && answer.error != nil ? answer.endsAfter : first + pacing.offsetNanos(ofChunk: k)
                try await sleepOrThrow(untilOffset: offset)
                try await writer.write(chunk(created: created, content: TokenText.text(sent..<through)))
                sent = through
                k += 1
            }
            if let error = answer.error {
                try await sleepOrThrow(untilOffset: answer.endsAfter)
                let (body, _) = errorDocument(for: error)
                try await writer.write(ByteBuffer(bytes: ServerSentEvent.frame(json: body.jsonBytes)))
                try await writer.finish(nil)
                end(producedTokens: sent, billed: true, stream: true, streamFailed: true)
                return
            }
            try await writer.write(chunk(created: created, finishReason: decision.truncated ? "length" : "stop"))
            // Usage always closes the stream (a gateway needs it to bill), as OpenAI sends it with `include_usage`.
            let usageChunk = ChatCompletionChunk(id: id, created: created, model: model, choices: [], usage: usage(outputTokens: sent))
            try await writer.write(ByteBuffer(bytes: ServerSentEvent.frame(json: usageChunk.jsonBytes)))
            try await writer.write(ByteBuffer(bytes: ServerSentEvent.doneFrame))
            try await writer.finish(nil)
            end(producedTokens: sent, billed: true, stream: true, streamFailed: false)
        } catch {
            // The client went away (or the server is stopping): what was sent is billed, the limits released.
            end(producedTokens: sent, billed: billed, stream: true, streamFailed: false)
            throw error
        }
    }

    private func chunk(created: Int, role: String? = nil, content: String? = nil, finishReason: String? = nil) -> ByteBuffer {
        let chunk = ChatCompletionChunk(
            id: id, created: created, model: model,
            choices: [.init(role: role, content: content, finishReason: finishReason)],
            writesNullUsage: includeUsage)
        return ByteBuffer(bytes: ServerSentEvent.frame(json: chunk.jsonBytes))
    }

    // MARK: Billing and limits

    private func usage(outputTokens: Int) -> Usage {
        Usage(promptTokens: decision.inputTokens, completionTokens: outputTokens,
              cachedPromptTokens: answer.cachedInputTokens > 0 ? answer.cachedInputTokens : nil)
    }

    /// Bills the attempt (when its first token came) and releases its limits.
    private func end(producedTokens: Int, billed: Bool, stream: Bool, streamFailed: Bool) {
        let price = emulator.plan.endpoints[endpoint].price
        let input = billed ? decision.inputTokens : 0
        let output = billed ? producedTokens : 0
        let cost = billed ? price.cost(inputTokens: input, outputTokens: output, cachedInputTokens: answer.cachedInputTokens) : .zero
        emulator.stats.countCompletion(endpoint, inputTokens: input, outputTokens: output, cost: cost,
                                       streamEnded: stream, streamFailed: streamFailed)
        emulator.providers.ended(endpoint: endpoint, decision: decision, producedTokens: output, at: clock.now())
    }

    // MARK: Time

    /// Scenario time at which the request was decided, milliseconds from server start: what a client needs to
    /// tell which outage window or limit window its request fell in.
    static let providerTimeHeader = HTTPField.Name("x-nexus-provider-time-ms")!

    func stamped(_ headers: HTTPFields) -> HTTPFields {
        var headers = headers
        headers[Self.providerTimeHeader] = String(decision.receivedAt / 1_000_000)
        return headers
    }

    /// Waits until `offset` scenario nanoseconds after the request was decided; returns early if cancelled.
    private func sleep(untilOffset offset: Nanoseconds) async {
        try? await sleepOrThrow(untilOffset: offset)
    }

    private func sleepOrThrow(untilOffset offset: Nanoseconds) async throws {
        guard offset > 0 else { return }
        let deadline = clock.instant(atScenarioTime: decision.receivedAt + offset)
        if deadline > .now { try await Task.sleep(until: deadline, clock: .continuous) }
    }

    static func unixSeconds() -> Int { Int(Date().timeIntervalSince1970) }
}
