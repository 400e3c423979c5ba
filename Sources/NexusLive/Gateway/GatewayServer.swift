import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NexusGateway
import ServiceLifecycle
import UnixSignals

/// The request context of the gateway's routes: Hummingbird's basics plus the client's address (loopback-only
/// mode serves local clients only).
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Whether the client is on this machine (127.0.0.0/8, ::1, or IPv4-mapped loopback).
    var isLoopback: Bool {
        guard let ip = remoteAddress?.ipAddress else {
            // A Unix socket is local by definition.
            return remoteAddress != nil
        }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }
}

/// The gateway's HTTP server (Hummingbird 2): OpenAI's chat-completions and models routes, `/health` and
/// `/metrics`; graceful shutdown (SIGTERM, SIGINT) drains the requests in flight before the process exits.
public struct GatewayServer: Sendable {
    public let gateway: LiveGateway

    public init(gateway: LiveGateway) { self.gateway = gateway }

    static let nexusClass = HTTPField.Name("x-nexus-class")!
    static let nexusClassification = HTTPField.Name("x-nexus-classification")!
    static let nexusUser = HTTPField.Name("x-nexus-user")!
    static let nexusTeam = HTTPField.Name("x-nexus-team")!
    /// Token-count hints passed on to the upstream (see ``CallerIdentity/tokenHints``).
    static let forwardedHints = ["x-nexus-input-tokens", "x-nexus-output-tokens"].map { HTTPField.Name($0)! }
    static let nexusIntent = HTTPField.Name("x-nexus-intent")!

    /// The routes.
    public func router() -> Hummingbird.Router<GatewayRequestContext> {
        let router = Hummingbird.Router(context: GatewayRequestContext.self)
        let gateway = self.gateway
        let limit = gateway.options.maximumBodyBytes
        router.post("/v1/chat/completions") { request, context -> Response in
            let caller: CallerIdentity
            switch gateway.authorize(authorization: request.headers[.authorization], remoteIsLoopback: context.isLoopback) {
            case .failure(let error):
                return Self.response(.error(error))
            case .success(let key):
                caller = CallerIdentity(
                    keyID: key?.id, user: request.headers[Self.nexusUser], team: request.headers[Self.nexusTeam],
                    trafficClass: request.headers[Self.nexusClass], classification: request.headers[Self.nexusClassification], key: key,
                    tokenHints: Self.tokenHints(request.headers), intent: request.headers[Self.nexusIntent])
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: limit)
            } catch {
                return Self.response(.error(OpenAIError(
                    status: 413, message: "The request body is larger than the gateway's limit of \(limit) bytes.",
                    type: "invalid_request_error", code: "request_too_large")))
            }
            let reply = await gateway.chatCompletion(body: Array(body.readableBytesView), caller: caller)
            return Self.response(reply)
        }
        router.get("/v1/models") { request, context -> Response in
            if case .failure(let error) = gateway.authorize(authorization: request.headers[.authorization], remoteIsLoopback: context.isLoopback) {
                return Self.response(.error(error))
            }
            return Self.response(GatewayReply(status: 200, headers: [("content-type", "application/json")], body: .bytes(gateway.modelsJSON())))
        }
        router.get("/health") { _, _ -> Response in
            Self.response(GatewayReply(status: 200, headers: [("content-type", "application/json")],
                                       body: .bytes(Array(#"{"status":"ok"}"#.utf8))))
        }
        router.get("/metrics") { _, _ -> Response in
            Self.response(GatewayReply(status: 200, headers: [("content-type", "text/plain; version=0.0.4")],
                                       body: .bytes(gateway.metricsExposition())))
        }
        return router
    }

    /// The hint headers a request carries, by lower-case name.
    static func tokenHints(_ headers: HTTPFields) -> [String: String] {
        var hints: [String: String] = [:]
        for name in forwardedHints {
            if let value = headers[name] { hints[name.canonicalName] = value }
        }
        return hints
    }

    /// Turns a reply into a Hummingbird response; a streamed body is written chunk by chunk as it comes.
    static func response(_ reply: GatewayReply) -> Response {
        var headers = HTTPFields()
        for header in reply.headers {
            if let name = HTTPField.Name(header.name) { headers.append(HTTPField(name: name, value: header.value)) }
        }
        let status = HTTPResponse.Status(code: reply.status)
        switch reply.body {
        case .bytes(let bytes):
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        case .stream(let stream):
            return Response(status: status, headers: headers, body: ResponseBody { writer in
                for await bytes in stream {
                    try await writer.write(ByteBuffer(bytes: bytes))
                }
                try await writer.finish(nil)
            })
        }
    }

    /// Runs the server until SIGTERM or SIGINT (then drains in-flight requests), or until the task is cancelled.
    /// - Parameter onListening: called with the bound address (the real port when the listen port is 0).
    public func run(gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
                    onListening: @escaping @Sendable (ListenAddress) async -> Void = { _ in }) async throws {
        let gateway = self.gateway
        let listen = gateway.options.listen
        let app = Application(
            router: router(),
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "nexus-gateway"),
            services: gateway.autoscaler.map { [AutoscalerService(gateway: gateway, autoscaler: $0)] } ?? [],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? listen.port
                await onListening(ListenAddress(host: listen.host, port: port))
            },
            logger: gateway.logger)
        let group = ServiceGroup(configuration: .init(
            services: [app], gracefulShutdownSignals: gracefulShutdownSignals, logger: gateway.logger))
        do {
            try await group.run()
        } catch {
            await gateway.shutdown()
            throw error
        }
        await gateway.shutdown()
    }
}

/// Evaluates the autoscaling policy every interval while the server runs.
struct AutoscalerService: Service {
    let gateway: LiveGateway
    let autoscaler: LiveAutoscaler

    func run() async throws {
        let interval = UInt64(max(1_000_000, gateway.clock.wallNanos(autoscaler.intervalNanos)))
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(nanoseconds: interval) }
            } catch {
                return
            }
            autoscaler.evaluate(now: gateway.now(), queueDepth: gateway.admission.depth, inFlight: gateway.admission.inFlight)
        }
    }
}
