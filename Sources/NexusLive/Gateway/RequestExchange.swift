import Foundation
import NexusGateway
import NexusScenario

/// One chat-completions call driven through the shared ``Gateway`` lifecycle: the driver side of the state
/// machine, turning its actions into upstream HTTP attempts, timers and the reply.
///
/// The lifecycle decides everything (cache, budget, route, retries, fallbacks, hedges, timeouts); the exchange
/// only carries out what it is told and reports what happened, one event at a time, from one task, so the
/// request's ``RequestLifecycle`` is never touched concurrently.
final class RequestExchange: @unchecked Sendable {
    enum Event: Sendable {
        case attemptFinished(UInt32, UpstreamAttemptResult)
        case attemptCut(UInt32)
        case timer(TimerID)
        case clientGone
    }

    private struct RunningAttempt {
        var task: Task<Void, Never>
        var cutTimer: Task<Void, Never>?
        var endpoint: EndpointID
        var cut = false
        var cancelledByLifecycle = false
        var reservedDay: Int64
        var reserved: USD
    }

    let gateway: LiveGateway
    let context: ExchangeContext
    let openAIRequest: ChatCompletionRequest
    private(set) var lifecycle = RequestLifecycle()
    private let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation
    private var running: [UInt32: RunningAttempt] = [:]
    private var timers: [Task<Void, Never>] = []
    private var results: [UInt32: UpstreamAttemptResult] = [:]
    private var answeredAttempt: UInt32?
    private var lastFailure: UpstreamAttemptResult?
    private var streamBroken = false
    private var clientGone = false
    private let relay: StreamRelay?
    private let head: HeadLatch

    init(gateway: LiveGateway, context: ExchangeContext, request: ChatCompletionRequest, head: HeadLatch) {
        self.gateway = gateway
        self.context = context
        self.openAIRequest = request
        self.head = head
        (events, eventSink) = AsyncStream<Event>.makeStream(bufferingPolicy: .unbounded)
        if request.stream {
            let sink = eventSink
            let latch = head
            let headers = context.baseHeaders
            let names = gateway.endpointNames
            let endpoints = LockedEndpoints()
            relayEndpoints = endpoints
            relay = StreamRelay(
                liveAllowed: gateway.hedgeDelays[context.request.tier] == nil,
                includeUsage: request.includeUsage,
                onClientGone: { sink.yield(.clientGone) },
                onCommit: { attempt, stream in
                    let endpoint = endpoints[attempt].map { names[$0] } ?? ""
                    latch.resume(GatewayReply(
                        status: 200,
                        headers: headers + [
                            ("content-type", "text/event-stream"), ("cache-control", "no-cache"),
                            ("x-nexus-endpoint", endpoint), ("x-nexus-attempts", String(attempt + 1)), ("x-nexus-cache", context.cacheHeader(miss: true)),
                        ],
                        body: .stream(stream)))
                })
        } else {
            relay = nil
            relayEndpoints = nil
        }
    }

    private let relayEndpoints: LockedEndpoints?

    /// Runs the request to its end; the reply (or, when streamed live, its head) goes to the latch.
    func run() async -> ExchangeSummary {
        var actions = gateway.shared.arrived(context.request, lifecycle: &lifecycle, now: gateway.now())
        var iterator = events.makeAsyncIterator()
        var summary = ExchangeSummary()
        while true {
            var terminal: LifecycleAction?
            for action in actions {
                switch action {
                case .send(let attempt, to: let endpoint, maxTokens: let maxTokens, timeout: let timeout, after: let after, kind: _):
                    send(attempt.rawValue, to: endpoint, maxTokens: maxTokens, timeout: timeout, after: after)
                case .startTimer(let timer, after: let delay):
                    let sink = eventSink
                    let clock = gateway.clock
                    timers.append(Task {
                        try? await clock.sleep(delay)
                        sink.yield(.timer(timer))
                    })
                case .cancelAttempt(let attempt):
                    running[attempt.rawValue]?.cancelledByLifecycle = true
                    running[attempt.rawValue]?.task.cancel()
                case .answerFromCache, .refuse, .finish:
                    terminal = action
                }
            }
            if let terminal {
                summary = await conclude(terminal)
                break
            }
            if (streamBroken || clientGone), !lifecycle.isFinished, lifecycle.phase != .cancelling {
                actions = gateway.shared.cancelled(lifecycle: &lifecycle, now: gateway.now())
                continue
            }
            guard let event = await iterator.next() else { break }
            actions = handle(event)
        }
        for timer in timers { timer.cancel() }
        eventSink.finish()
        return summary
    }

    private func send(_ attempt: UInt32, to endpoint: EndpointID, maxTokens: Int, timeout: Nanoseconds?, after: Nanoseconds) {
        let now = gateway.now()
        var reservedDay: Int64 = 0
        var reserved = USD.zero
        if let calendar = gateway.budgetCalendar {
            // What the lifecycle reserved (the worst case, the clamped one, or nothing with reservation `none`),
            // written before the attempt leaves.
            reserved = lifecycle.reservedAmount(of: AttemptID(attempt)) ?? .zero
            reservedDay = calendar.day(at: now + after)
            gateway.budgetStore?.reserve(day: reservedDay, user: context.userName ?? "", team: context.teamName ?? "", amount: reserved)
        }
        relayEndpoints?[attempt] = endpoint
        let sink = eventSink
        let client = gateway.upstreamClient
        let upstream = gateway.upstreams.upstreams[endpoint]
        let request = openAIRequest
        let relay = relay
        let clock = gateway.clock
        let headers = context.upstreamHeaders
        let task = Task {
            if after > 0 {
                do {
                    try await clock.sleep(after)
                } catch {
                    sink.yield(.attemptFinished(attempt, UpstreamAttemptResult(status: .cancelled)))
                    return
                }
            }
            let result = await client.run(request, upstream: upstream, maxTokens: maxTokens, headers: headers) { chunk in
                relay?.offer(attempt, chunk)
            }
            sink.yield(.attemptFinished(attempt, result))
        }
        var cutTimer: Task<Void, Never>?
        if let timeout {
            cutTimer = Task {
                do {
                    try await clock.sleep(after + timeout)
                    sink.yield(.attemptCut(attempt))
                } catch {}
            }
        }
        running[attempt] = RunningAttempt(task: task, cutTimer: cutTimer, endpoint: endpoint, reservedDay: reservedDay, reserved: reserved)
        gateway.metrics.attemptStarted()
    }

    private func handle(_ event: Event) -> LifecycleActions {
        let now = gateway.now()
        switch event {
        case .attemptFinished(let attempt, let result):
            guard let record = running.removeValue(forKey: attempt) else { return LifecycleActions() }
            record.cutTimer?.cancel()
            var outcome = result.outcome
            if record.cut {
                outcome.status = .failed(.timeout)
            } else if record.cancelledByLifecycle {
                outcome.status = .cancelled
            } else if case .cancelled = result.status {
                outcome.status = .failed(.connectionError)
            }
            results[attempt] = result
            switch outcome.status {
            case .answered: answeredAttempt = attempt
            case .failed: lastFailure = result
            case .cancelled: break
            }
            let actions = gateway.shared.attemptEnded(AttemptID(attempt), outcome, lifecycle: &lifecycle, now: now)
            gateway.budgetStore?.settle(day: record.reservedDay, user: context.userName ?? "", team: context.teamName ?? "",
                                        reserved: record.reserved, actual: lifecycle.lastAttemptCost)
            gateway.metrics.attemptEnded(endpoint: gateway.endpointNames[record.endpoint], status: outcome.status)
            if let relay, relay.committedAttempt == attempt, outcome.status != .answered, !streamBroken {
                // The client already has part of this attempt's answer: another attempt cannot continue it.
                streamBroken = true
                let error = result.upstreamError ?? OpenAIError(status: 502, message: "the upstream stream failed")
                relay.finish(with: ServerSentEvent.frame(json: error.jsonBytes))
            }
            return actions
        case .attemptCut(let attempt):
            guard running[attempt] != nil, running[attempt]?.cancelledByLifecycle == false else { return LifecycleActions() }
            running[attempt]?.cut = true
            running[attempt]?.task.cancel()
            return LifecycleActions()
        case .timer(let timer):
            return gateway.shared.timerFired(timer, lifecycle: &lifecycle, now: now)
        case .clientGone:
            clientGone = true
            return LifecycleActions()
        }
    }

    /// Sends the reply for the terminal action and reports what the request did.
    private func conclude(_ terminal: LifecycleAction) async -> ExchangeSummary {
        var summary = ExchangeSummary()
        summary.attempts = Int(lifecycle.attemptsSent)
        summary.costUSD = lifecycle.cost.dollars
        summary.cache = context.cacheHeader(lookup: lifecycle.cacheLookup)
        summary.downgraded = lifecycle.downgraded
        let costHeader = String(format: "%.8f", lifecycle.cost.dollars)
        var headers = context.baseHeaders + [
            ("x-nexus-attempts", String(lifecycle.attemptsSent)), ("x-nexus-cache", summary.cache), ("x-nexus-cost-usd", costHeader),
        ]
        switch terminal {
        case .answerFromCache(let key, let after):
            if after > 0 { try? await gateway.clock.sleep(after) }
            summary.cache = "hit"
            guard let answer = gateway.answers.answer(key: key, now: gateway.now()) else {
                summary.status = 503
                summary.failure = "cache_entry_unavailable"
                head.resume(.error(OpenAIError(status: 503, message: "The cached answer expired while it was being read; retry the request."), headers: headers))
                return summary
            }
            summary.status = 200
            summary.endpoint = "cache"
            summary.completionTokens = answer.completionTokens
            summary.promptTokens = context.request.inputTokens
            headers.append(("x-nexus-endpoint", "cache"))
            head.resume(reply(text: answer.text, finishReason: answer.finishReason, model: answer.model,
                              usage: Usage(promptTokens: context.request.inputTokens, completionTokens: answer.completionTokens), headers: headers))
        case .refuse(let reason), .finish(.failed(let reason)):
            let error = context.error(for: reason, upstream: lastFailure?.upstreamError)
            summary.status = error.status
            summary.failure = reason.rawValue
            if let relay, relay.committedAttempt != nil {
                relay.finish(with: ServerSentEvent.frame(json: error.jsonBytes))
            } else {
                head.resume(.error(error, headers: headers))
            }
        case .finish(.cancelled) where streamBroken:
            // The relayed attempt failed mid-stream and the client got an error event.
            summary.status = 502
            summary.failure = "stream_failed"
        case .finish(.cancelled):
            summary.status = 499
            summary.failure = "cancelled"
            relay?.finish(with: [])
            head.resume(.error(OpenAIError(status: 499, message: "The client closed the request."), headers: headers))
        case .finish(.answered):
            let attempt = answeredAttempt ?? 0
            let result = results[attempt] ?? UpstreamAttemptResult(status: .answered)
            let endpoint = lifecycle.answeredBy.map { gateway.endpointNames[$0] } ?? ""
            summary.status = 200
            summary.endpoint = endpoint
            summary.promptTokens = result.inputTokens ?? context.request.inputTokens
            summary.completionTokens = result.outputTokens
            headers.append(("x-nexus-endpoint", endpoint))
            let text = result.completion?.text ?? result.streamedText
            let model = result.completion?.model ?? gateway.upstreams.upstreams[lifecycle.answeredBy ?? 0].model
            if lifecycle.cacheLookup == .miss, let ttl = gateway.cacheTTL(cacheClass: context.request.cacheClass), ttl > 0 {
                let now = gateway.now()
                gateway.answers.store(
                    AnswerStore.Answer(text: text, finishReason: result.finishReason ?? result.completion?.choices.first?.finishReason,
                                       completionTokens: result.outputTokens, expiresAt: now + ttl, model: model),
                    key: context.request.cacheKey, now: now)
            }
            if let relay, relay.committedAttempt == attempt {
                relay.finish(with: Array(": x-nexus-cost-usd \(costHeader)\n\n".utf8) + ServerSentEvent.doneFrame)
            } else if let completion = result.completion, !openAIRequest.stream {
                var body = completion
                if body.id.isEmpty { body.id = "chatcmpl-\(context.requestID)" }
                head.resume(GatewayReply(status: 200, headers: headers + [("content-type", "application/json")], body: .bytes(body.jsonBytes)))
            } else {
                head.resume(reply(text: text, finishReason: result.finishReason, model: model,
                                  usage: Usage(promptTokens: summary.promptTokens, completionTokens: result.outputTokens,
                                               cachedPromptTokens: result.cachedInputTokens > 0 ? result.cachedInputTokens : nil),
                                  headers: headers))
            }
        case .send, .startTimer, .cancelAttempt:
            break
        }
        return summary
    }

    /// A whole answer in the client's format: one completion, or the same text as a short SSE stream.
    private func reply(text: String, finishReason: String?, model: String, usage: Usage, headers: [(name: String, value: String)]) -> GatewayReply {
        let id = "chatcmpl-\(context.requestID)"
        let created = Int(context.receivedEpochNanos / 1_000_000_000)
        guard openAIRequest.stream else {
            let completion = ChatCompletion(
                id: id, created: created, model: model,
                choices: [.init(message: ChatMessage(role: "assistant", text: text), finishReason: finishReason ?? "stop")], usage: usage)
            return GatewayReply(status: 200, headers: headers + [("content-type", "application/json")], body: .bytes(completion.jsonBytes))
        }
        let includeUsage = openAIRequest.includeUsage
        var body: [UInt8] = []
        let chunks = [
            ChatCompletionChunk(id: id, created: created, model: model, choices: [.init(role: "assistant", content: "")], writesNullUsage: includeUsage),
            ChatCompletionChunk(id: id, created: created, model: model, choices: [.init(content: text)], writesNullUsage: includeUsage),
            ChatCompletionChunk(id: id, created: created, model: model, choices: [.init(finishReason: finishReason ?? "stop")], writesNullUsage: includeUsage),
        ]
        for chunk in chunks { body += ServerSentEvent.frame(json: chunk.jsonBytes) }
        if includeUsage {
            body += ServerSentEvent.frame(json: ChatCompletionChunk(id: id, created: created, model: model, choices: [], usage: usage).jsonBytes)
        }
        body += ServerSentEvent.doneFrame
        return GatewayReply(status: 200, headers: headers + [("content-type", "text/event-stream"), ("cache-control", "no-cache")], body: .bytes(body))
    }
}

/// Which endpoint each attempt went to, shared with the stream relay's commit callback.
final class LockedEndpoints: @unchecked Sendable {
    private let lock = NSLock()
    private var endpoints: [UInt32: EndpointID] = [:]

    subscript(attempt: UInt32) -> EndpointID? {
        get {
            lock.lock()
            defer { lock.unlock() }
            return endpoints[attempt]
        }
        set {
            lock.lock()
            endpoints[attempt] = newValue
            lock.unlock()
        }
    }
}

/// Delivers the reply (or a streamed reply's head) exactly once to the HTTP handler waiting for it.
final class HeadLatch: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<GatewayReply, Never>?
    private var pending: GatewayReply?
    private var resumed = false

    func wait() async -> GatewayReply {
        await withCheckedContinuation { continuation in
            lock.lock()
            if let pending {
                lock.unlock()
                continuation.resume(returning: pending)
                return
            }
            self.continuation = continuation
            lock.unlock()
        }
    }

    func resume(_ reply: GatewayReply) {
        lock.lock()
        guard !resumed else {
            lock.unlock()
            return
        }
        resumed = true
        if let continuation {
            self.continuation = nil
            lock.unlock()
            continuation.resume(returning: reply)
        } else {
            pending = reply
            lock.unlock()
        }
    }
}

/// What an exchange reports when it ends: for metrics and the audit log.
struct ExchangeSummary: Sendable {
    var status = 500
    var failure: String?
    var endpoint: String?
    var attempts = 0
    var promptTokens = 0
    var completionTokens = 0
    var costUSD = 0.0
    var cache = "bypass"
    var downgraded = false
}
