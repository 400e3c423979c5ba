import Foundation

/// Hands a streamed request's chunks to the client as they arrive, from one attempt only.
///
/// The first attempt to produce a chunk is chosen ("committed") when live relaying is allowed — the response
/// head (status 200 and the `x-nexus-*` headers known then) goes out with that chunk, so the client's time to
/// first token is the upstream's. Chunks of any other attempt are dropped. Tiers that hedge are not relayed
/// live: which attempt wins is only known when one finishes, so their answer is sent when it is complete.
final class StreamRelay: @unchecked Sendable {
    private let lock = NSLock()
    private var committed: UInt32?
    private var continuation: AsyncStream<[UInt8]>.Continuation?
    private var onCommit: (@Sendable (UInt32, AsyncStream<[UInt8]>) -> Void)?
    private var finished = false
    let liveAllowed: Bool
    let includeUsage: Bool
    let onClientGone: @Sendable () -> Void

    init(liveAllowed: Bool, includeUsage: Bool, onClientGone: @escaping @Sendable () -> Void,
         onCommit: @escaping @Sendable (UInt32, AsyncStream<[UInt8]>) -> Void) {
        self.liveAllowed = liveAllowed
        self.includeUsage = includeUsage
        self.onClientGone = onClientGone
        self.onCommit = onCommit
    }

    /// The attempt being relayed, once one is.
    var committedAttempt: UInt32? {
        lock.lock()
        defer { lock.unlock() }
        return committed
    }

    /// Offers a chunk of `attempt`; relays it when that attempt is (or now becomes) the one relayed.
    func offer(_ attempt: UInt32, _ chunk: ChatCompletionChunk) {
        lock.lock()
        if committed == nil, liveAllowed, !finished {
            committed = attempt
            let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .unbounded)
            let gone = onClientGone
            continuation.onTermination = { reason in
                if case .cancelled = reason { gone() }
            }
            self.continuation = continuation
            let commit = onCommit
            onCommit = nil
            lock.unlock()
            commit?(attempt, stream)
            lock.lock()
        }
        guard committed == attempt, let continuation, !finished else {
            lock.unlock()
            return
        }
        lock.unlock()
        // Usage comes in its own last chunk (the gateway always asks for it); the client sees it only if it asked.
        if chunk.choices.isEmpty && chunk.usage != nil && !includeUsage { return }
        var relayed = chunk
        if !includeUsage {
            relayed.usage = nil
            relayed.writesNullUsage = false
        }
        continuation.yield(ServerSentEvent.frame(json: relayed.jsonBytes))
    }

    /// Ends the relayed stream with `trailer` (the `[DONE]` frame, or an error event).
    func finish(with trailer: [UInt8]) {
        lock.lock()
        guard !finished else {
            lock.unlock()
            return
        }
        finished = true
        let continuation = self.continuation
        lock.unlock()
        continuation?.yield(trailer)
        continuation?.finish()
    }
}
