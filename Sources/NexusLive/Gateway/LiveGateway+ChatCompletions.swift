import Foundation
import NexusGateway
import NexusScenario
import NexusSim

extension LiveGateway {
    /// The traffic class requests get when they name none: no response cache (the answer may depend on sampling).
    static let defaultCacheClass = CacheClass.allCases.firstIndex(of: .complex)!
    /// The classification of a request that states none: `internal` — never public by default, so an unlabelled
    /// call cannot reach providers that may receive public data only.
    static let defaultClassification = DataClassification.internal
    /// `max_tokens` when neither the request nor its traffic class bounds the output (for the budget's worst case).
    static let defaultMaxOutputTokens = 4096

    /// `POST /v1/chat/completions`: decodes the body, applies the caller's scopes, runs the lifecycle, and writes
    /// the audit line and metrics. Never throws: every problem is an OpenAI error reply.
    public func chatCompletion(body: [UInt8], caller: CallerIdentity) async -> GatewayReply {
        let received = now()
        let requestID = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        var audit = AuditRecord(
            timeEpochNanos: epochNanos(at: received), requestID: requestID, keyID: caller.keyID, user: caller.key?.user ?? caller.user,
            team: caller.key?.team ?? caller.team, tier: "", classification: nil, endpoint: nil, attempts: 0, status: 400,
            failure: nil, promptTokens: 0, completionTokens: 0, costUSD: 0, cache: "bypass", budget: budgetCalendar == nil ? "none" : "allowed",
            latencyMilliseconds: 0, stream: false)
        let prepared = prepare(body: body, caller: caller, requestID: requestID, received: received, audit: &audit)
        let context: ExchangeContext
        let request: ChatCompletionRequest
        switch prepared {
        case .failure(let error):
            audit.status = error.status
            audit.failure = error.code ?? error.type
            finish(audit: audit, outcome: "invalid", ttft: nil, received: received)
            return .error(error, headers: [("x-request-id", requestID)])
        case .success(let value):
            context = value.0
            request = value.1
        }

        let admitted = await admission.acquire()
        if admitted != .admitted {
            let reason: FailureReason = admitted == .queueFull ? .queueFull : .queueTimeout
            let error = context.error(for: reason, upstream: nil)
            audit.status = error.status
            audit.failure = reason.rawValue
            finish(audit: audit, outcome: "failed", ttft: nil, received: received)
            return .error(error, headers: context.baseHeaders)
        }
        let latch = HeadLatch()
        let exchange = RequestExchange(gateway: self, context: context, request: request, head: latch)
        Task { [audit] in
            var audit = audit
            let summary = await exchange.run()
            self.admission.release()
            audit.status = summary.status
            audit.failure = summary.failure
            audit.endpoint = summary.endpoint
            audit.attempts = summary.attempts
            audit.promptTokens = summary.promptTokens
            audit.completionTokens = summary.completionTokens
            audit.costUSD = summary.costUSD
            audit.cache = summary.cache
            if summary.failure == FailureReason.budgetExceeded.rawValue {
                audit.budget = "refused"
            } else if summary.downgraded {
                audit.budget = "downgraded"
            }
            let outcome = summary.status == 200 ? "succeeded"
                : summary.failure == FailureReason.budgetExceeded.rawValue ? "rejected"
                : summary.status == 499 ? "cancelled" : "failed"
            let ttft = exchange.lifecycle.firstTokenAt.map { Double($0 - received) / 1e9 }
            self.finish(audit: audit, outcome: outcome, ttft: ttft, received: received)
        }
        return await latch.wait()
    }

    private func finish(audit: AuditRecord, outcome: String, ttft: Double?, received: Nanoseconds) {
        var audit = audit
        let latency = Double(now() - received) / 1e6
        audit.latencyMilliseconds = latency
        self.audit?.append(audit)
        metrics.requestFinished(tier: audit.tier.isEmpty ? "unknown" : audit.tier, outcome: outcome, latencySeconds: latency / 1000,
                                ttftSeconds: outcome == "succeeded" ? (audit.cache == "hit" ? latency / 1000 : ttft) : nil, cache: audit.cache)
        if outcome == "succeeded" { autoscaler?.record(latencyMilliseconds: latency) }
    }

    /// Decodes and checks a call: body, tier, traffic class, classification and the key's scopes.
    private func prepare(body: [UInt8], caller: CallerIdentity, requestID: String, received: Nanoseconds,
                         audit: inout AuditRecord) -> Result<(ExchangeContext, ChatCompletionRequest), OpenAIError> {
        let request: ChatCompletionRequest
        do {
            request = try ChatCompletionRequest(jsonBytes: body)
        } catch {
            return .failure(error)
        }
        audit.stream = request.stream
        audit.tier = request.model
        var trafficClass: SimulationPlan.RequestClass?
        if let name = caller.trafficClass {
            guard let found = classes[name] else {
                return .failure(.invalidRequest(
                    "Unknown traffic class '\(name)' in x-nexus-class; the scenario's classes are: \(classes.keys.sorted().joined(separator: ", ")).",
                    param: "x-nexus-class", code: "unknown_class"))
            }
            trafficClass = found
        }
        guard let tier = tierIndex[request.model] ?? trafficClass?.tier else {
            return .failure(OpenAIError(
                status: 404, message: "The model '\(request.model)' does not exist. This gateway's models are its tiers: \(tierNames.joined(separator: ", ")).",
                type: "invalid_request_error", param: "model", code: "model_not_found"))
        }
        let tierName = tierNames[tier]
        audit.tier = tierName
        var classification = trafficClass?.classification ?? Self.defaultClassification
        if let text = caller.classification {
            guard let value = DataClassification(rawValue: text.lowercased()) else {
                return .failure(.invalidRequest(
                    "Invalid x-nexus-classification '\(text)'; expected one of \(DataClassification.allCases.map(\.rawValue).joined(separator: ", ")).",
                    param: "x-nexus-classification", code: "invalid_value"))
            }
            classification = value
        }
        audit.classification = classification
        if let key = caller.key {
            guard key.allows(tier: tierName) else {
                return .failure(OpenAIError(status: 403, message: "The key '\(key.id)' may not use the tier '\(tierName)'.",
                                            type: "permission_error", param: "model", code: "tier_not_allowed"))
            }
            guard key.allows(classification: classification) else {
                return .failure(OpenAIError(status: 403, message: "The key '\(key.id)' may not send \(classification.rawValue) data.",
                                            type: "permission_error", param: "x-nexus-classification", code: "classification_not_allowed"))
            }
        }
        let userName = caller.key?.user ?? caller.user
        let teamName = caller.key?.team ?? caller.team
        let maxOutput = request.maxTokens ?? trafficClass?.maxOutputTokens ?? Self.defaultMaxOutputTokens
        let cacheClass = trafficClass?.cacheClass ?? Self.defaultCacheClass
        let gatewayRequest = GatewayRequest(
            tier: tier, classification: classification, cacheClass: cacheClass,
            inputTokens: request.estimatedPromptTokens, maxOutputTokens: maxOutput,
            expectedOutputTokens: trafficClass.map { min($0.expectedOutputTokens, maxOutput) },
            user: userName.map(identities.id) ?? -1, team: teamName.map(identities.teamID),
            promptFingerprint: Fingerprint.messages(request.messages),
            parametersFingerprint: Fingerprint.parameters(request, tier: tierName),
            receivedAt: received, intentFingerprint: caller.intent.map { Fingerprint.bytes(Array($0.utf8)) })
        var context = ExchangeContext(
            request: gatewayRequest, requestID: requestID, tierName: tierName, keyID: caller.keyID, userName: userName, teamName: teamName,
            receivedEpochNanos: epochNanos(at: received), cacheable: (cacheTTL(cacheClass: cacheClass) ?? 0) > 0)
        context.upstreamHeaders = caller.tokenHints.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        return .success((context, request))
    }
}

/// 64-bit FNV-1a fingerprints of what identifies an answer: the messages, and the parameters that change it.
enum Fingerprint {
    static func bytes(_ bytes: [UInt8], seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    static func messages(_ messages: [ChatMessage]) -> UInt64 {
        bytes(JSONWriter.bytes(.array(messages.map(\.jsonValue))))
    }

    static func parameters(_ request: ChatCompletionRequest, tier: String) -> UInt64 {
        var copy = request
        copy.messages = []
        copy.model = tier
        copy.stream = false
        copy.includeUsage = false
        copy.user = nil
        return bytes(copy.jsonBytes)
    }
}
