import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// A chat-completions upstream on 127.0.0.1 (ephemeral port) for loopback tests of the load generator: it
/// records every request it receives and answers with the hinted token counts as usage, naming the model it
/// was told to. Optionally it holds every answer until a number of requests have arrived (an upstream that
/// stalls), never longer than `holdLimit`. It stops when the test's body returns.
enum LoopbackUpstream {
    struct Received: Sendable {
        var className: String?
        var classification: String?
        var user: String?
        var authorization: String?
        var model: String?
        var inputHint: Int?
        var outputHint: Int?
        var maxTokens: Int?
        var stream: Bool?
        var includeUsage: Bool?
        var promptBytes: Int
        var receivedAtNanos: UInt64
    }

    struct Behaviour: Sendable {
        /// The `x-nexus-endpoint` to answer with (the qualified scenario model), per `model` requested.
        var endpoint: @Sendable (String) -> String
        /// Hold every answer until this many requests have arrived.
        var holdUntil: Int? = nil
        var holdLimit: Duration = .seconds(20)
        /// HTTP status to answer with, per request index (200 when `nil`).
        var status: @Sendable (Int) -> Int = { _ in 200 }
    }

    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [Received] = []
        private var waiters: [CheckedContinuation<Void, Never>] = []
        private var released = false

        var requests: [Received] { lock.withLock { items } }

        /// Records a request; returns its index.
        func add(_ r: Received, releaseAt count: Int?) -> Int {
            lock.withLock {
                items.append(r)
                if let count, items.count >= count { releaseLocked() }
                return items.count - 1
            }
        }

        func wait() async {
            await withCheckedContinuation { c in
                lock.withLock { if released { c.resume() } else { waiters.append(c) } }
            }
        }

        func release() { lock.withLock { releaseLocked() } }

        private func releaseLocked() {
            released = true
            for w in waiters { w.resume() }
            waiters.removeAll()
        }
    }

    static func run<T: Sendable>(_ behaviour: Behaviour, _ body: @Sendable @escaping (_ port: Int, _ log: Log) async throws -> T) async throws -> T {
        let log = Log()
        let router = Router()
        router.post("v1/chat/completions") { request, _ -> Response in
            let receivedAt = DispatchTime.now().uptimeNanoseconds
            let bytes = try await request.body.collect(upTo: 16 << 20)
            let object = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any] ?? [:]
            func header(_ name: String) -> String? { request.headers[HTTPField.Name(name)!] }
            let messages = object["messages"] as? [[String: Any]]
            let prompt = messages?.first?["content"] as? String ?? ""
            let model = object["model"] as? String ?? ""
            let stream = object["stream"] as? Bool ?? false
            let received = Received(
                className: header("x-nexus-class"), classification: header("x-nexus-classification"), user: header("x-nexus-user"),
                authorization: header("authorization"), model: model, inputHint: header("x-nexus-input-tokens").flatMap { Int($0) },
                outputHint: header("x-nexus-output-tokens").flatMap { Int($0) }, maxTokens: object["max_tokens"] as? Int,
                stream: object["stream"] as? Bool,
                includeUsage: (object["stream_options"] as? [String: Any])?["include_usage"] as? Bool,
                promptBytes: prompt.utf8.count, receivedAtNanos: receivedAt)
            let index = log.add(received, releaseAt: behaviour.holdUntil)
            if behaviour.holdUntil != nil {
                let limit = behaviour.holdLimit
                let releaser = Task { try? await Task.sleep(for: limit); log.release() }
                await log.wait()
                releaser.cancel()
            }
            var headers = HTTPFields()
            headers[HTTPField.Name("x-nexus-endpoint")!] = behaviour.endpoint(model)
            let status = behaviour.status(index)
            guard status == 200 else {
                headers[.contentType] = "application/json"
                let error = #"{"error":{"message":"upstream says \#(status)","type":"test","code":null}}"#
                return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: error)))
            }
            let input = received.inputHint ?? 0, output = min(received.outputHint ?? 0, received.maxTokens ?? .max)
            let usage = #"{"prompt_tokens":\#(input),"completion_tokens":\#(output),"total_tokens":\#(input + output)}"#
            if stream {
                headers[.contentType] = "text/event-stream"
                var text = #"data: {"id":"c","object":"chat.completion.chunk","model":"\#(model)","choices":[{"index":0,"delta":{"role":"assistant","content":"hi"}}]}"# + "\n\n"
                text += #"data: {"id":"c","object":"chat.completion.chunk","model":"\#(model)","choices":[],"usage":\#(usage)}"# + "\n\n"
                text += "data: [DONE]\n\n"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
            }
            headers[.contentType] = "application/json"
            let json = #"{"id":"c","object":"chat.completion","model":"\#(model)","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":\#(usage)}"#
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            try await body(client.port!, log)
        }
    }
}
