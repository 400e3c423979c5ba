import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NexusSim

/// Receives one live request's answer on the load generator's event loop: notes when the head left, when the
/// first body byte came back (time to first token for a stream) and when the answer ended, keeps the bytes it
/// needs to read the model, usage and error, and hands the outcome to the ``LoadRecorder``.
///
/// Confined to one event loop (AsyncHTTPClient calls a delegate on the loop it was given), hence
/// `@unchecked Sendable`.
final class ResponseCollector: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = Void

    /// A non-streamed answer longer than this is not kept (its usage cannot be read then); a stream keeps
    /// only its first event (the model) and its last bytes (the usage chunk).
    static let bodyLimit = 1 << 20
    static let streamTail = 8 << 10

    private let arrival: Arrival
    private let scheduledAt: UInt64
    private let stream: Bool
    private let recorder: LoadRecorder
    private let onEnd: @Sendable () -> Void
    private var sentAt: UInt64?
    private var firstByteAt: UInt64?
    private var status: Int?
    private var endpointHeader: String?
    private var cacheHeader: String?
    private var head = ByteBuffer()
    private var body = ByteBuffer()
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
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        if firstByteAt == nil { firstByteAt = NIODeadline.now().uptimeNanoseconds }
        var buffer = buffer
        if stream {
            if head.readableBytes < 4096, var first = buffer.getSlice(at: buffer.readerIndex, length: min(buffer.readableBytes, 4096 - head.readableBytes)) {
                head.writeBuffer(&first)
            }
            body.writeBuffer(&buffer)
            if body.readableBytes > 2 * Self.streamTail {
                body.moveReaderIndex(forwardBy: body.readableBytes - Self.streamTail)
                body.discardReadBytes()
            }
        } else if body.readableBytes + buffer.readableBytes <= Self.bodyLimit {
            body.writeBuffer(&buffer)
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        let now = NIODeadline.now().uptimeNanoseconds
        var outcome = LiveOutcome(status: status, cache: cacheHeader)
        let parsed = stream ? ChatAnswerReader.stream(head: head, tail: body) : ChatAnswerReader.body(body)
        outcome.model = endpointHeader ?? parsed.model
        outcome.usage = parsed.usage
        outcome.errorCode = parsed.errorCode
        let latency = Int64(now &- scheduledAt)
        let ttft = stream ? Int64((firstByteAt ?? now) &- scheduledAt) : latency
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
