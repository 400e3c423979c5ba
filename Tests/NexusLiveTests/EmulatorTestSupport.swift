import AsyncHTTPClient
import Foundation
import NexusLive
import NexusScenario
import NIOCore
import NIOHTTP1

/// Runs provider emulators on loopback ephemeral ports for the tests, each stopped when its test body returns
/// and every wait bounded.
enum EmulatorHarness {
    struct Timeout: Error, CustomStringConvertible {
        var what: String
        var description: String { "timed out: \(what)" }
    }

    /// A scenario with one provider `p` whose models are given as YAML flow mappings (indented list items), one
    /// tier `t` over `p/a`, and a class whose output is `output` tokens.
    static func scenario(models: String, providerExtra: String = "", seed: Int = 7, output: String = "100") throws -> Scenario {
        try ScenarioLoader.parse(text: """
            name: emulator-test
            simulation: {duration: 1h, warmup: 0s, drain: 10m, seed: \(seed)}
            gateway: {instances: 1, concurrency: 1000}
            providers:
              - name: p
                classifications: [public, internal, confidential, restricted]
            \(providerExtra)
                models:
            \(models)
            tiers: [{name: t, models: [p/a]}]
            traffic:
              arrivals: {process: poisson, rate: 1/s}
              classes:
                - {name: c, share: 100%, tier: t, classification: public, input_tokens: 100, output_tokens: \(output), max_output_tokens: 4000}
            """)
    }

    /// Starts `emulator` on 127.0.0.1 with a free port, runs `body` with its base URL, then stops the server.
    static func with<T: Sendable>(
        _ emulator: ProviderEmulator, timeout: Duration = .seconds(60),
        _ body: @Sendable @escaping (String) async throws -> T
    ) async throws -> T {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = Task {
            try await emulator.run(listen: ListenAddress(host: "127.0.0.1", port: 0)) { bound in
                continuation.yield(bound.port)
                continuation.finish()
            }
        }
        defer { server.cancel() }
        let port = try await bounded(.seconds(20), "the emulator to listen") {
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw Timeout(what: "no port") }
            return port
        }
        let result = try await bounded(timeout, "the test body") { try await body("http://127.0.0.1:\(port)") }
        server.cancel()
        _ = await server.result
        return result
    }

    /// Runs `body`, failing with ``Timeout`` if it takes longer than `limit`.
    static func bounded<T: Sendable>(_ limit: Duration, _ what: String, _ body: @Sendable @escaping () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw Timeout(what: what) }
            return value
        }
    }

    static let client = HTTPClient(eventLoopGroupProvider: .singleton)

    /// A response read whole.
    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    static func get(_ url: String) async throws -> Reply {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Data(body.readableBytesView))
    }

    /// POSTs a chat completion for `model` to provider `p` of the emulator at `base`.
    static func chat(_ base: String, model: String = "a", provider: String = "p", stream: Bool = false,
                     maxTokens: Int? = nil, inputTokens: Int? = nil, outputTokens: Int? = nil, prompt: String = "Hello there") async throws -> Reply {
        let response = try await client.execute(
            chatRequest(base, model: model, provider: provider, stream: stream, maxTokens: maxTokens,
                        inputTokens: inputTokens, outputTokens: outputTokens, prompt: prompt),
            timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Data(body.readableBytesView))
    }

    static func chatRequest(_ base: String, model: String = "a", provider: String = "p", stream: Bool = false,
                            maxTokens: Int? = nil, inputTokens: Int? = nil, outputTokens: Int? = nil, prompt: String = "Hello there") -> HTTPClientRequest {
        var request = HTTPClientRequest(url: "\(base)/\(provider)/v1/chat/completions")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        if let inputTokens { request.headers.add(name: "x-nexus-input-tokens", value: String(inputTokens)) }
        if let outputTokens { request.headers.add(name: "x-nexus-output-tokens", value: String(outputTokens)) }
        var body: [String: Any] = ["model": model, "stream": stream, "messages": [["role": "user", "content": prompt]]]
        if let maxTokens { body["max_tokens"] = maxTokens }
        request.body = .bytes(ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: body)))
        return request
    }

    /// The `data:` payloads of an SSE body, in order.
    static func events(_ text: String) -> [String] {
        text.components(separatedBy: "\n\n").compactMap { block in
            let line = block.trimmingCharacters(in: .whitespacesAndNewlines)
            return line.hasPrefix("data: ") ? String(line.dropFirst(6)) : nil
        }
    }
}
