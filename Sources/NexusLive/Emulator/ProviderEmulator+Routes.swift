import Foundation
import HTTPTypes
import Hummingbird
import NexusGateway
import NexusSim
import NIOCore

/// The HTTP surface: routing, request decoding and the non-streamed answers.
extension ProviderEmulator {
    /// Largest request body accepted: a 1M-token prompt at ~4 bytes a token, with room for the JSON around it.
    static let maxRequestBytes = 8 << 20

    func makeRouter(clock: ClockBox) -> Hummingbird.Router<BasicRequestContext> {
        let router = Hummingbird.Router()
        router.get("/health") { _, _ in
            ProviderEmulator.jsonResponse(status: .ok, JSONWriter.bytes(.object(["status": .string("ok")])))
        }
        router.get("/stats") { [self] _, _ in
            ProviderEmulator.jsonResponse(status: .ok, JSONWriter.bytes(statsDocument(clock: clock.current)))
        }
        router.get("/metrics") { [self] _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: stats.prometheusText())))
        }
        router.get("/:provider/v1/models") { [self] _, context in
            guard let name = context.parameters.get("provider"), let p = providerIndex[name] else {
                return ProviderEmulator.errorResponse(unknownProvider(context.parameters.get("provider") ?? ""))
            }
            return ProviderEmulator.jsonResponse(status: .ok, JSONWriter.bytes(modelList(provider: p)))
        }
        router.post("/:provider/v1/chat/completions") { [self] request, context in
            var request = request
            let body = try await request.collectBody(upTo: ProviderEmulator.maxRequestBytes)
            return await chatCompletion(provider: context.parameters.get("provider") ?? "", request: request,
                                        body: body, clock: clock.current)
        }
        return router
    }

    /// Answers one chat completion: decides it, waits for the decided delays, answers (or streams).
    func chatCompletion(provider name: String, request: Request, body: ByteBuffer, clock: EmulatorClock) async -> Response {
        guard let providerEndpoints = endpointIndex[name] else {
            stats.countUnknownRequest()
            return ProviderEmulator.errorResponse(unknownProvider(name))
        }
        let decoded: ChatCompletionRequest
        do throws(OpenAIError) {
            decoded = try ChatCompletionRequest(jsonBytes: body.readableBytesView)
        } catch {
            stats.countUnknownRequest()
            return ProviderEmulator.errorResponse(error)
        }
        guard let endpoint = providerEndpoints[decoded.model] else {
            stats.countUnknownRequest()
            let known = plan.endpoints.indices.filter { plan.endpoints[$0].provider == providerIndex[name]! }
                .map { stats.endpoints[$0].model }
            return ProviderEmulator.errorResponse(OpenAIError(
                status: 404,
                message: "The model '\(decoded.model)' does not exist at provider '\(name)'; it serves: \(known.joined(separator: ", "))",
                type: "invalid_request_error", param: "model", code: "model_not_found"))
        }
        stats.countRequest(endpoint)
        let inputTokens: Int
        let outputHint: Int?
        do throws(OpenAIError) {
            inputTokens = try ProviderEmulator.tokenHeader(request.headers, ProviderEmulator.inputTokensHeader) ?? decoded.estimatedPromptTokens
            outputHint = try ProviderEmulator.tokenHeader(request.headers, ProviderEmulator.outputTokensHeader)
        } catch {
            stats.countResponse(endpoint, status: error.status, stream: false)
            return ProviderEmulator.errorResponse(error)
        }
        let decision = providers.decide(endpoint: endpoint, inputTokens: inputTokens, maxTokens: decoded.maxTokens,
                                        outputHint: outputHint, at: clock.now())
        let exchange = EmulatedExchange(emulator: self, endpoint: endpoint, decision: decision, clock: clock,
                                model: decoded.model, id: "chatcmpl-emu-\(requestCounter.take())",
                                includeUsage: decoded.includeUsage)
        if let error = decision.answer.error, decision.answer.firstTokenAfter < 0 {
            return await exchange.refuse(error)
        }
        return decoded.stream ? exchange.stream() : await exchange.answerWhole()
    }

    // MARK: Documents

    func modelList(provider p: Int) -> JSONValue {
        let models = plan.endpoints.indices.filter { plan.endpoints[$0].provider == p }.map { i -> JSONValue in
            .object([
                "id": .string(stats.endpoints[i].model),
                "object": .string("model"),
                "created": .integer(0),
                "owned_by": .string(plan.providers[p].name),
            ])
        }
        return .object(["object": .string("list"), "data": .array(models)])
    }

    func unknownProvider(_ name: String) -> OpenAIError {
        OpenAIError(status: 404,
                    message: "No provider '\(name)' in scenario '\(plan.scenario.name)'; providers: \(plan.providers.map(\.name).joined(separator: ", "))",
                    type: "invalid_request_error", code: "unknown_provider")
    }

    // MARK: Headers

    static let inputTokensHeader = HTTPField.Name("x-nexus-input-tokens")!
    static let outputTokensHeader = HTTPField.Name("x-nexus-output-tokens")!
    /// Largest token count a hint header may carry (a hint above it is a mistake, not a workload).
    static let maxHintTokens = 100_000_000

    /// A token-count header: absent → `nil`; a whole number 0…``maxHintTokens`` → its value; anything else → a 400
    /// naming the header.
    static func tokenHeader(_ headers: HTTPFields, _ name: HTTPField.Name) throws(OpenAIError) -> Int? {
        guard let text = headers[name] else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), (0...maxHintTokens).contains(value) else {
            throw OpenAIError.invalidRequest("header \(name.canonicalName) must be a whole number of tokens from 0 to \(maxHintTokens), found '\(text)'",
                                             param: name.canonicalName, code: "invalid_header")
        }
        return value
    }

    static func jsonResponse(status: HTTPResponse.Status, _ bytes: [UInt8], headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func errorResponse(_ error: OpenAIError, headers: HTTPFields = [:]) -> Response {
        jsonResponse(status: .init(code: error.status), error.jsonBytes, headers: headers)
    }
}
