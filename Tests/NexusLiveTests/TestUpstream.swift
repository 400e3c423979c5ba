import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
@testable import NexusLive

/// A scripted OpenAI-compatible upstream inside the test process, on 127.0.0.1 and an ephemeral port, serving
/// `/<provider>/v1/chat/completions` (the provider emulator's layout). Each provider answers from a queue of
/// scripted behaviours, then with its default; every call is recorded.
final class TestUpstream: @unchecked Sendable {
    enum Behaviour: Sendable {
        /// 200 with `text` and the given usage.
        case answer(text: String, promptTokens: Int, completionTokens: Int)
        /// An error status, with `Retry-After` seconds when given.
        case fail(status: Int, retryAfter: String?)
        /// SSE chunks of `pieces`, `delayMilliseconds` apart, then usage and `[DONE]`.
        case stream(pieces: [String], delayMilliseconds: Int, promptTokens: Int)
        /// Waits, then answers.
        case slow(milliseconds: Int, text: String, promptTokens: Int, completionTokens: Int)
    }

    struct Call: Sendable {
        var provider: String
        var at: Date
        var authorization: String?
        var model: String?
        var maxTokens: Int?
        var stream: Bool
    }

    private let lock = NSLock()
    private var scripts: [String: [Behaviour]] = [:]
    private var defaults: [String: Behaviour] = [:]
    private var recorded: [Call] = []
    private var task: Task<Void, Error>?
    private(set) var port = 0

    func script(_ provider: String, _ behaviours: [Behaviour], then fallback: Behaviour? = nil) {
        lock.lock()
        scripts[provider, default: []] += behaviours
        if let fallback { defaults[provider] = fallback }
        lock.unlock()
    }

    var calls: [Call] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    func calls(to provider: String) -> [Call] { calls.filter { $0.provider == provider } }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private func next(for provider: String, call: Call) -> Behaviour {
        lock.lock()
        defer { lock.unlock() }
        recorded.append(call)
        if var queue = scripts[provider], !queue.isEmpty {
            let first = queue.removeFirst()
            scripts[provider] = queue
            return first
        }
        return defaults[provider] ?? .answer(text: "ok from \(provider)", promptTokens: 10, completionTokens: 5)
    }

    /// Starts listening; returns once the port is known.
    func start() async throws {
        let router = Hummingbird.Router()
        router.post("/:provider/v1/chat/completions") { request, context -> Response in
            let provider = context.parameters.get("provider") ?? "?"
            let body = try await request.body.collect(upTo: 1 << 20)
            let parsed = try? ChatCompletionRequest(jsonBytes: Array(body.readableBytesView))
            let call = Call(provider: provider, at: Date(), authorization: request.headers[.authorization], model: parsed?.model,
                            maxTokens: parsed?.maxTokens, stream: parsed?.stream ?? false)
            return try await self.respond(self.next(for: provider, call: call), model: parsed?.model ?? "m")
        }
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) })
        task = Task { try await app.run() }
        for await port in stream {
            self.port = port
            break
        }
    }

    func stop() {
        task?.cancel()
    }

    private func respond(_ behaviour: Behaviour, model: String) async throws -> Response {
        switch behaviour {
        case .answer(let text, let prompt, let completion):
            return json(ChatCompletion(id: "up-1", created: 1, model: model,
                                       choices: [.init(message: ChatMessage(role: "assistant", text: text))],
                                       usage: Usage(promptTokens: prompt, completionTokens: completion)).jsonBytes)
        case .slow(let milliseconds, let text, let prompt, let completion):
            try await Task.sleep(nanoseconds: UInt64(milliseconds) * 1_000_000)
            return try await respond(.answer(text: text, promptTokens: prompt, completionTokens: completion), model: model)
        case .fail(let status, let retryAfter):
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            if let retryAfter { headers[HTTPField.Name("retry-after")!] = retryAfter }
            let error = OpenAIError(status: status, message: "scripted \(status)")
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: error.jsonBytes)))
        case .stream(let pieces, let delay, let prompt):
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                let first = ChatCompletionChunk(id: "up-s", created: 1, model: model, choices: [.init(role: "assistant", content: "")])
                try await writer.write(ByteBuffer(bytes: ServerSentEvent.frame(json: first.jsonBytes)))
                for piece in pieces {
                    if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay) * 1_000_000) }
                    let chunk = ChatCompletionChunk(id: "up-s", created: 1, model: model, choices: [.init(content: piece)])
                    try await writer.write(ByteBuffer(bytes: ServerSentEvent.frame(json: chunk.jsonBytes)))
                }
                let last = ChatCompletionChunk(id: "up-s", created: 1, model: model, choices: [.init(finishReason: "stop")])
                try await writer.write(ByteBuffer(bytes: ServerSentEvent.frame(json: last.jsonBytes)))
                let usage = ChatCompletionChunk(id: "up-s", created: 1, model: model, choices: [],
                                                usage: Usage(promptTokens: prompt, completionTokens: pieces.count))
                try await writer.write(ByteBuffer(bytes: ServerSentEvent.frame(json: usage.jsonBytes)))
                try await writer.write(ByteBuffer(bytes: ServerSentEvent.doneFrame))
                try await writer.finish(nil)
            })
        }
    }

    private func json(_ bytes: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
