import NexusGateway

/// `GET /stats`: what was served, per provider and model, with totals.
extension ProviderEmulator {
    /// The document `GET /stats` serves:
    ///
    /// ```json
    /// {"scenario": "baseline", "seed": 42, "speed": 60, "scenario_time_s": 12.5,
    ///  "totals": {"requests": 3, "responses": {"200": 2, "429": 1}, "input_tokens": 900, "output_tokens": 400,
    ///             "cost_usd": 0.0123, "open_streams": 0, "stream_errors": 0},
    ///  "unknown_model_requests": 0,
    ///  "providers": [{"name": "openai", "totals": {...},
    ///                 "models": [{"model": "gpt-4o", "requests": 3, ...}]}]}
    /// ```
    public func statsDocument(clock: EmulatorClock) -> JSONValue {
        let (models, unknown) = stats.snapshot()
        var providerDocs: [JSONValue] = []
        var grand = EmulatorStats.ModelTotals()
        for (p, provider) in plan.providers.enumerated() {
            var sum = EmulatorStats.ModelTotals()
            var modelDocs: [JSONValue] = []
            for i in plan.endpoints.indices where plan.endpoints[i].provider == p {
                sum.add(models[i])
                var doc: JSONObject = ["model": .string(stats.endpoints[i].model)]
                doc.members += ProviderEmulator.totalsObject(models[i]).members
                modelDocs.append(.object(doc))
            }
            grand.add(sum)
            providerDocs.append(.object(["name": .string(provider.name), "totals": .object(ProviderEmulator.totalsObject(sum)),
                                         "models": .array(modelDocs)]))
        }
        return .object([
            "scenario": .string(plan.scenario.name),
            "seed": seed <= UInt64(Int.max) ? .integer(Int(seed)) : .double(Double(seed)),
            "speed": .double(speed),
            "scenario_time_s": .double(Double(clock.now()) / 1e9),
            "totals": .object(ProviderEmulator.totalsObject(grand)),
            "unknown_model_requests": .integer(unknown),
            "providers": .array(providerDocs),
        ])
    }

    static func totalsObject(_ t: EmulatorStats.ModelTotals) -> JSONObject {
        var responses = JSONObject()
        for status in t.responsesByStatus.keys.sorted() { responses[String(status)] = .integer(t.responsesByStatus[status]!) }
        return [
            "requests": .integer(t.requests),
            "responses": .object(responses),
            "input_tokens": .integer(t.inputTokens),
            "output_tokens": .integer(t.outputTokens),
            "cost_usd": .double(t.cost.dollars),
            "open_streams": .integer(t.openStreams),
            "stream_errors": .integer(t.streamErrors),
        ]
    }
}

extension EmulatorStats.ModelTotals {
    mutating func add(_ other: Self) {
        requests += other.requests
        for (status, n) in other.responsesByStatus { responsesByStatus[status, default: 0] += n }
        inputTokens += other.inputTokens
        outputTokens += other.outputTokens
        cost += other.cost
        openStreams += other.openStreams
        streamErrors += other.streamErrors
    }
}
