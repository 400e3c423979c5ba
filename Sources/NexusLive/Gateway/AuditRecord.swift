import NexusGateway

/// One line of the audit log: who called, what was chosen, what it cost — never the prompt or the answer.
public struct AuditRecord: Sendable, Hashable {
    /// Wall-clock time the request arrived, nanoseconds since 1970.
    public var timeEpochNanos: Int64
    /// The gateway's request id (also sent back as `x-request-id`).
    public var requestID: String
    /// The client key's id; nil when the gateway runs without keys.
    public var keyID: String?
    public var user: String?
    public var team: String?
    /// The tier asked for (`model`), as given.
    public var tier: String
    public var classification: DataClassification?
    /// The model endpoint that answered (`provider/model`); nil when none did.
    public var endpoint: String?
    public var attempts: Int
    /// HTTP status returned to the client.
    public var status: Int
    /// Why a request failed or was refused (`budget_exceeded`, `no_compliant_route`, ...); nil on success.
    public var failure: String?
    public var promptTokens: Int
    public var completionTokens: Int
    public var costUSD: Double
    /// `hit`, `miss` or `bypass`.
    public var cache: String
    /// `allowed`, `refused`, `downgraded` or `none` (no budget configured).
    public var budget: String
    public var latencyMilliseconds: Double
    public var stream: Bool

    public init(
        timeEpochNanos: Int64, requestID: String, keyID: String?, user: String?, team: String?, tier: String,
        classification: DataClassification?, endpoint: String?, attempts: Int, status: Int, failure: String?,
        promptTokens: Int, completionTokens: Int, costUSD: Double, cache: String, budget: String,
        latencyMilliseconds: Double, stream: Bool
    ) {
        self.timeEpochNanos = timeEpochNanos
        self.requestID = requestID
        self.keyID = keyID
        self.user = user
        self.team = team
        self.tier = tier
        self.classification = classification
        self.endpoint = endpoint
        self.attempts = attempts
        self.status = status
        self.failure = failure
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.costUSD = costUSD
        self.cache = cache
        self.budget = budget
        self.latencyMilliseconds = latencyMilliseconds
        self.stream = stream
    }

    /// The record as one JSON object; absent values are `null` so every line has the same keys.
    public var jsonValue: JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            "time": .string(AuditRecord.iso8601(epochNanos: timeEpochNanos)),
            "request_id": .string(requestID),
            "key_id": text(keyID),
            "user": text(user),
            "team": text(team),
            "tier": .string(tier),
            "classification": text(classification?.rawValue),
            "endpoint": text(endpoint),
            "attempts": .integer(attempts),
            "status": .integer(status),
            "failure": text(failure),
            "prompt_tokens": .integer(promptTokens),
            "completion_tokens": .integer(completionTokens),
            "cost_usd": .double(costUSD),
            "cache": .string(cache),
            "budget": .string(budget),
            "latency_ms": .double((latencyMilliseconds * 1000).rounded() / 1000),
            "stream": .bool(stream),
        ])
    }

    /// `2026-12-02T00:31:05.123Z`.
    public static func iso8601(epochNanos: Int64) -> String {
        let days = epochNanos >= 0 ? epochNanos / CivilTime.nanosPerDay : (epochNanos - CivilTime.nanosPerDay + 1) / CivilTime.nanosPerDay
        let nanosOfDay = epochNanos - days * CivilTime.nanosPerDay
        let date = CivilTime.date(days: days)
        let milliseconds = Int(nanosOfDay / 1_000_000)
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let seconds = milliseconds / 1000
        return "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(milliseconds % 1000, 3))Z"
    }
}
