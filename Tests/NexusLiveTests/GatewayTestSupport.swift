import AsyncHTTPClient
import Foundation
import NIOCore
import NexusScenario
@testable import NexusLive

/// A live gateway on 127.0.0.1 and an ephemeral port in front of a ``TestUpstream``, stopped when the test ends.
final class GatewayHarness: @unchecked Sendable {
    let upstream = TestUpstream()
    private(set) var gateway: LiveGateway!
    private var server: Task<Void, Error>?
    private(set) var port = 0
    let client = HTTPClient(eventLoopGroupProvider: .singleton)

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: String
        var json: JSONValue? { try? JSONParser.parse(body) }
        var errorCode: String? { json?.objectValue?["error"]?.objectValue?["code"]?.stringValue }
    }

    /// Starts the upstream and the gateway for `scenario` (YAML).
    static func start(_ scenario: String, keysFile: String? = nil, auditLog: String? = nil, statePath: String? = nil,
                      script: (TestUpstream) -> Void = { _ in }) async throws -> GatewayHarness {
        let harness = GatewayHarness()
        script(harness.upstream)
        try await harness.upstream.start()
        let parsed = try ScenarioLoader.parse(text: scenario)
        harness.gateway = try LiveGateway(scenario: parsed, options: GatewayOptions(
            listen: ListenAddress(host: "127.0.0.1", port: 0), upstreamsBase: harness.upstream.baseURL, keysFile: keysFile,
            statePath: statePath, auditLogPath: auditLog))
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let server = GatewayServer(gateway: harness.gateway)
        harness.server = Task { try await server.run(gracefulShutdownSignals: []) { continuation.yield($0.port) } }
        for await port in stream {
            harness.port = port
            break
        }
        return harness
    }

    func stop() async {
        server?.cancel()
        _ = try? await server?.value
        upstream.stop()
        try? await client.shutdown()
    }

    /// Sends a chat completion; `body` defaults to one user message.
    func chat(model: String = "standard", prompt: String = "hello", extra: String = "", headers: [String: String] = [:],
              rawBody: String? = nil) async throws -> Reply {
        let body = rawBody ?? #"{"model": "\#(model)", "messages": [{"role": "user", "content": "\#(prompt)"}]\#(extra)}"#
        return try await send("POST", "/v1/chat/completions", body: body, headers: headers)
    }

    /// `/metrics`, polled briefly until it contains `text`: a request's counters are recorded just after its reply.
    func metrics(containing text: String) async throws -> String {
        var body = ""
        for _ in 0..<100 {
            body = try await send("GET", "/metrics").body
            if body.contains(text) { break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        return body
    }

    func send(_ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(20))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        var headerMap: [String: String] = [:]
        for header in response.headers { headerMap[header.name.lowercased()] = header.value }
        return Reply(status: Int(response.status.code), headers: headerMap, body: String(buffer: bytes))
    }
}

enum LiveFixture {
    /// Two providers, a two-model tier with retries, fallbacks and a breaker, a cacheable class.
    static func scenario(budget: String = "", breaker: String = "circuit_breaker: none", hedge: String = "") -> String {
        """
        name: live-test
        simulation:
          duration: 1h
        gateway:
          instances: 1
          concurrency: 64
        routing:
          retries: {max: 1, backoff: 10ms, max_backoff: 50ms, on: [429, 500, 502, 503, 504, timeout, connection_error]}
          fallbacks: true
          attempt_timeout: 5s
          \(breaker)
        \(hedge)
        providers:
          - name: alpha
            classifications: [public, internal]
            models:
              - {name: a1, price: {input_per_mtok: $1, output_per_mtok: $2}, ttft: 1ms}
          - name: beta
            classifications: [public, internal, confidential]
            models:
              - {name: b1, price: {input_per_mtok: $3, output_per_mtok: $4}, ttft: 1ms}
        tiers:
          - {name: standard, models: [alpha/a1, beta/b1]}
          - {name: secure, models: [beta/b1]}
        cache:
          ttl: {simple: 1h, pattern: 30m, complex: 0s}
          hit_latency: 0ms
        \(budget)
        traffic:
          arrivals: {process: poisson, rate: 1/s}
          classes:
            - {name: chat, share: 100%, tier: standard, input_tokens: 100, output_tokens: 20, cache_class: simple}
        """
    }

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("nexus-live-\(UInt64.random(in: 0...UInt64.max))-\(name)").path
    }
}
