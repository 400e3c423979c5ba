/// One attempt of one request: its number within the request, 0 for the first, counting every attempt sent
/// (retries, fallbacks and hedges). The driver keys its own record of the attempt (a slab slot, an HTTP task)
/// by it and hands it back in ``Gateway/attemptEnded(_:_:lifecycle:now:draws:)``.
public struct AttemptID: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public var description: String { "attempt \(rawValue)" }
}

/// Why an attempt is sent.
public enum AttemptKind: UInt8, Hashable, Sendable {
    /// The request's first attempt (also the first after a budget downgrade).
    case first
    /// The same model again after a backoff.
    case retry
    /// Another model after a failure (the tier's next candidate or a context-window fallback).
    case fallback
    /// A second attempt sent while the first is still running.
    case hedge
}

/// A timer the lifecycle asks the driver to start; the driver hands it back in
/// ``Gateway/timerFired(_:lifecycle:now:draws:)`` when it fires. Timers are never cancelled: one that fires after
/// it stopped mattering (its attempt ended, the request finished) is ignored, so a driver may also drop it.
public struct TimerID: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: UInt8, Hashable, Sendable {
        /// The backoff before a retry is over: the retry is sent when it fires.
        case retry
        /// The tier's hedge delay since `attempt` was sent: a second attempt goes elsewhere if `attempt` still runs.
        case hedge
    }

    public var kind: Kind
    /// For `retry`, the attempt that failed; for `hedge`, the attempt being hedged.
    public var attempt: AttemptID

    @inlinable public init(_ kind: Kind, attempt: AttemptID) {
        self.kind = kind
        self.attempt = attempt
    }

    @inlinable public static func retry(after attempt: AttemptID) -> TimerID { TimerID(.retry, attempt: attempt) }
    @inlinable public static func hedge(of attempt: AttemptID) -> TimerID { TimerID(.hedge, attempt: attempt) }

    public var description: String { "\(kind) timer of \(attempt)" }
}

/// How a request ended (besides a cache answer and a policy refusal, which have their own actions).
public enum RequestOutcome: Hashable, Sendable {
    /// A model answered (see ``RequestLifecycle/answeredBy`` and ``RequestLifecycle/firstTokenAt``).
    case answered
    /// No answer: every option failed, the deadline passed, or no compliant model exists.
    case failed(FailureReason)
    /// The client went away (``Gateway/cancelled(lifecycle:now:)``).
    case cancelled
}

/// What the driver must do after an event. The lifecycle owns every gateway rule; the driver owns clocks,
/// I/O and timers and carries these out in order.
public enum LifecycleAction: Hashable, Sendable {
    /// Answer the request from the response cache, `after` the cache's hit latency, with the response stored
    /// under `key`. The request is over for the lifecycle: no further event is expected.
    case answerFromCache(key: UInt64, after: Nanoseconds)
    /// Send an attempt to `endpoint`, asking for at most `maxTokens` output tokens, `after` a delay (the
    /// gateway's own overhead, on a request's first attempt). Cut it `timeout` after it is sent (the attempt
    /// timeout or the request's deadline, whichever is sooner; `nil`: none) and report it as
    /// ``AttemptError/timeout`` with what it produced by then. Every attempt sent must be reported once
    /// through ``Gateway/attemptEnded(_:_:lifecycle:now:draws:)``.
    case send(AttemptID, to: EndpointID, maxTokens: Int, timeout: Nanoseconds?, after: Nanoseconds, kind: AttemptKind)
    /// Start a timer that fires `after` from now.
    case startTimer(TimerID, after: Nanoseconds)
    /// Abandon an attempt still running (the losing half of a hedge, or a request the client cancelled) and
    /// report it at once as ``AttemptOutcome/Status/cancelled`` with what it produced: it is billed for that.
    case cancelAttempt(AttemptID)
    /// The request is refused by policy (``FailureReason/isRejection``: the budget). Over, like `finish`.
    case refuse(FailureReason)
    /// The request is over: answer the client (``RequestOutcome/answered``) or report the failure.
    case finish(RequestOutcome)

    /// Whether this action ends the request.
    public var isTerminal: Bool {
        switch self {
        case .answerFromCache, .refuse, .finish: true
        case .send, .startTimer, .cancelAttempt: false
        }
    }
}
