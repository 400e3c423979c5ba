import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NexusSim

/// Receives one live request's answer on the load generator's event loop: notes when the head left, when the
/// first token came back and when the answer ended, reads the model, usage and error with the shared OpenAI
/// wire format (``ChatCompletion``, ``ServerSentEventParser``, ``ChatCompletionStreamEvent``, ``OpenAIError``),
/// and hands the outcome to the ``LoadRecorder``.
///
/// Confined to one event loop (AsyncHTTPClient calls a delegate on the loop it was given), hence
/// `@unchecked Sendable`.
final class ResponseCollector: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = Void

    /// A non-streamed answer (or an error body) longer than this is not kept; its usage cannot be read then.
    static let bodyLimit = 1 << 20

    private let arrival: Arrival
    private let scheduledAt: UInt64
    private let stream: Bool
    private let recorder: LoadRecorder
    private let onEnd: @Sendable () -> Void
    private var sentAt: UInt64?
    private var firstTokenAt: UInt64?
    private var status: Int?
    private var endpointHeader: String?
    private var cacheHeader: String?
    private var isEventStream = false
    private var body: [UInt8] = []
    private var events = ServerSentEventParser()
    private var streamModel: String?
    private var streamUsage: Usage?
    private var streamError: OpenAIError?
    private var ended = false

    init(arrival: Arrival, scheduledAt: UInt64, stream: Bool, recorder: LoadRecorder, onEnd: @escaping @Sendable () -> Void) {
        self.arrival = arrival
        self.scheduledAt = scheduledAt
        self.stream = stream
        self.recorder = recorder
        self.onEnd = onEnd
    }

    func didSendRequestHead(task: HTTPClient.Task<Void>, _ head: HTTPRequestHead) {
        let now = NIODeadline.now().uptimeNanoseconds
        sentAt = now
        recorder.sent(lagNanos: Int64(now &- min(scheduledAt, now)))
    }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        status = Int(head.status.code)
        endpointHeader = head.headers.first(name: "x-nexus-endpoint")
        cacheHeader = head.headers.first(name: "x-nexus-cache")?.lowercased()
        isEventStream = head.headers.first(name: "content-type")?.lowercased().hasPrefix("text/event-stream") ?? false
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        if isEventStream {
            // Read as it arrives (constant memory); the first chunk with content is the first token.
            if let parsed = try? events.feed(buffer.readableBytesView) {
                for event in parsed { take(event) }
            }
        } else if body.count + buffer.readableBytes <= Self.bodyLimit {
            body.append(contentsOf: buffer.readableBytesView)
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    private func take(_ event: ServerSentEvent) {
        guard let meaning = try? ChatCompletionStreamEvent(event: event) else { return }
        switch meaning {
        case .chunk(let chunk):
            if streamModel == nil, !chunk.model.isEmpty { streamModel = chunk.model }
            if let usage = chunk.usage { streamUsage = usage }
            if firstTokenAt == nil, chunk.choices.contains(where: { !($0.content ?? "").isEmpty }) {
                firstTokenAt = NIODeadline.now().uptimeNanoseconds
            }
        case .error(let error): streamError = error
        case .done: break
        }
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        let now = NIODeadline.now().uptimeNanoseconds
        var outcome = LiveOutcome(status: status, cache: cacheHeader)
        var model: String?
        if isEventStream {
            model = streamModel
            outcome.usage = streamUsage
            outcome.errorCode = streamError.map { $0.code ?? $0.type }
        } else if let status, (200..<300).contains(status) {
            if let completion = try? ChatCompletion(jsonBytes: body) {
                model = completion.model.isEmpty ? nil : completion.model
                outcome.usage = completion.usage
            }
        } else if let status {
            let error = OpenAIError(status: status, body: body)
            outcome.errorCode = error.code
            // Some gateways bill failed attempts: an error body may carry usage too, but OpenAI's does not.
        }
        outcome.model = endpointHeader ?? model
        let latency = Int64(now &- scheduledAt)
        // A stream's first token is its first chunk with content; a whole answer's, its end.
        let ttft = isEventStream && stream ? Int64((firstTokenAt ?? now) &- scheduledAt) : latency
        end(outcome, latency: latency, ttft: ttft)
    }

    func didReceiveError(task: HTTPClient.Task<Void>, _ error: Error) {
        let now = NIODeadline.now().uptimeNanoseconds
        var outcome = LiveOutcome()
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .cancelled { outcome.cutOffAtEnd = true }
        let latency = Int64(now &- scheduledAt)
        end(outcome, latency: latency, ttft: latency)
    }

    private func end(_ outcome: LiveOutcome, latency: Int64, ttft: Int64) {
        guard !ended else { return }
        ended = true
        recorder.finished(arrival, outcome: outcome, latencyWallNanos: latency, ttftWallNanos: ttft, sent: sentAt != nil)
        onEnd()
    }
}
