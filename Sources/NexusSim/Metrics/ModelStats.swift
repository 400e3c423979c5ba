import NexusGateway

/// What happened at one model endpoint during a run, over the attempts of counted requests.
public struct ModelStats: Sendable, Codable {
    /// Qualified name, `provider/model`.
    public var name: String
    public var provider: String
    /// Requests that made at least one attempt at this model.
    public var requests = 0
    public var attempts = 0
    /// Attempts that produced an answer.
    public var successes = 0
    /// Failed attempts by reason, indexed like `AttemptFailure.allCases`.
    public var failures = [Int](repeating: 0, count: AttemptFailure.allCases.count)
    public var inputTokens = 0
    public var outputTokens = 0
    public var cost = USD.zero
    /// Latency of successful attempts (dispatch to last token).
    public var latency = LatencyHistogram()

    public init(name: String, provider: String) {
        self.name = name
        self.provider = provider
    }

    public func failures(_ reason: AttemptFailure) -> Int { failures[reason.index] }

    // One mutating call per event rather than a field at a time: each access to an element of the
    // run's `byModel` array pays a copy-on-write check.

    /// An attempt was sent; `isFirstOnModel` when it is not a retry of the same request on this model.
    @inline(__always) package mutating func countAttempt(isFirstOnModel: Bool) {
        if isFirstOnModel { requests += 1 }
        attempts += 1
    }

    /// An attempt answered after `latencyNanos` (dispatch to last token).
    @inline(__always) package mutating func countSuccess(latencyNanos: Int64) {
        successes += 1
        latency.record(nanos: latencyNanos)
    }

    /// An attempt was billed for these tokens.
    @inline(__always) package mutating func bill(inputTokens input: Int, outputTokens output: Int, cost: USD) {
        inputTokens += input
        outputTokens += output
        self.cost += cost
    }
}
