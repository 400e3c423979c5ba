import Foundation
import HTTPTypes
import Hummingbird
import NexusGateway
import NexusScenario

/// Errors in OpenAI's format, and the rate-limit headers OpenAI sends.
extension EmulatedExchange {
    static let retryAfterHeader = HTTPField.Name("retry-after")!
    /// Milliseconds, which OpenAI's SDKs and LiteLLM read before `retry-after`: at a high speed factor a wait is
    /// often shorter than the one-second resolution of `retry-after`.
    static let retryAfterMillisecondsHeader = HTTPField.Name("retry-after-ms")!
    static let limitRequestsHeader = HTTPField.Name("x-ratelimit-limit-requests")!
    static let limitTokensHeader = HTTPField.Name("x-ratelimit-limit-tokens")!
    static let remainingRequestsHeader = HTTPField.Name("x-ratelimit-remaining-requests")!
    static let remainingTokensHeader = HTTPField.Name("x-ratelimit-remaining-tokens")!
    static let resetRequestsHeader = HTTPField.Name("x-ratelimit-reset-requests")!
    static let resetTokensHeader = HTTPField.Name("x-ratelimit-reset-tokens")!

    /// The HTTP error for an attempt error, with its headers (`Retry-After` on 429s, `Connection: close` when the
    /// provider is down).
    func errorDocument(for error: AttemptError) -> (OpenAIError, HTTPFields) {
        let provider = emulator.plan.providers[emulator.plan.endpoints[endpoint].provider].name
        switch error {
        case .connectionError:
            var headers = HTTPFields()
            headers[.connection] = "close"
            return (OpenAIError(status: 503, message: "Provider '\(provider)' is down (scheduled or random outage)",
                                type: "server_error", code: "service_unavailable"), headers)
        case .rateLimited(let retryAfter):
            var headers = rateLimitHeaders(refused: true, retryAfter: retryAfter)
            if let retryAfter {
                let wall = clock.wallDuration(ofScenarioNanos: retryAfter)
                let millis = Self.milliseconds(wall)
                headers[Self.retryAfterMillisecondsHeader] = String(millis)
                headers[Self.retryAfterHeader] = String((millis + 999) / 1000)
            }
            return (OpenAIError(status: 429, message: "Rate limit reached for \(model) at provider '\(provider)'",
                                type: "rate_limit_error", code: "rate_limit_exceeded"), headers)
        case .contextWindowExceeded:
            let window = emulator.plan.endpoints[endpoint].contextWindowTokens
            return (OpenAIError(status: 400,
                                message: "This model's maximum context length is \(window) tokens. However, your messages resulted in \(decision.inputTokens) tokens.",
                                type: "invalid_request_error", param: "messages", code: "context_length_exceeded"), [:])
        case .serverError(let status):
            return (OpenAIError(status: status, message: "The server had an error while processing your request (emulated background error)",
                                code: status == 503 ? "service_unavailable" : nil), [:])
        case .timeout:
            return (OpenAIError(status: 504, message: "The provider timed out", code: "timeout"), [:])
        }
    }

    /// OpenAI's `x-ratelimit-*` headers for the limits that apply to the model: its own, else its provider's.
    /// Limits and reset times are in wall time (windows are compressed by the speed factor).
    func rateLimitHeaders(refused: Bool, retryAfter: Nanoseconds? = nil) -> HTTPFields {
        var headers = HTTPFields()
        let e = emulator.plan.endpoints[endpoint]
        let limits = e.limits.isUnlimited ? emulator.plan.providers[e.provider].limits : e.limits
        if let rpm = limits.requestsPerMinute { headers[Self.limitRequestsHeader] = String(rpm) }
        if let tpm = limits.tokensPerMinute { headers[Self.limitTokensHeader] = String(tpm) }
        if refused, let retryAfter {
            let reset = Self.openAIDuration(clock.wallDuration(ofScenarioNanos: retryAfter))
            if limits.requestsPerMinute != nil {
                headers[Self.remainingRequestsHeader] = "0"
                headers[Self.resetRequestsHeader] = reset
            }
            if limits.tokensPerMinute != nil {
                headers[Self.remainingTokensHeader] = "0"
                headers[Self.resetTokensHeader] = reset
            }
        }
        return headers
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let ms = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return ms >= 9e15 ? 9_000_000_000_000_000 : Int(ms.rounded(.up))
    }

    /// A duration as OpenAI writes its reset times: `17ms`, `1s`, `6m0s`, `1h2m3s`.
    static func openAIDuration(_ duration: Duration) -> String {
        let ms = milliseconds(duration)
        if ms < 1000 { return "\(ms)ms" }
        let totalSeconds = Double(ms) / 1000
        let hours = Int(totalSeconds / 3600)
        let minutes = Int(totalSeconds.truncatingRemainder(dividingBy: 3600) / 60)
        let seconds = totalSeconds.truncatingRemainder(dividingBy: 60)
        let secondsText = seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.3g", seconds)
        if hours > 0 { return "\(hours)h\(minutes)m\(secondsText)s" }
        if minutes > 0 { return "\(minutes)m\(secondsText)s" }
        return "\(secondsText)s"
    }
}

/// Text for emulated answers: one short word per token, each with its leading space as BPE tokens have.
enum TokenText {
    static let words = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit",
                        "sed", "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et"].map { " " + $0 }

    /// The text of tokens `range` of an answer.
    static func text(_ range: Range<Int>) -> String {
        var out = ""
        out.reserveCapacity(range.count * 7)
        for i in range { out += words[i & 15] }
        return out
    }
}
