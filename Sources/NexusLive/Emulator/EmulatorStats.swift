import Foundation
import NexusGateway
import Prometheus

/// What the emulator has served, per provider and model: requests, responses by HTTP status, billed tokens and
/// their cost at the scenario's prices. Served as JSON by `GET /stats` and in Prometheus format by `GET /metrics`.
///
/// Tokens and cost are those of the usage the emulator reports: the prompt and the output tokens actually
/// sent, for every response that produced tokens (a stream cut by an error mid-way still bills what it sent);
/// an error before the first token bills nothing, as the simulator does.
/// Thread-safe: handlers on every event loop update it under one lock (a few additions per request).
public final class EmulatorStats: @unchecked Sendable {
    /// One model endpoint's totals.
    public struct ModelTotals: Sendable, Equatable {
        public var requests = 0
        /// Responses by HTTP status (200 for a stream, whatever happened after its headers).
        public var responsesByStatus: [Int: Int] = [:]
        public var inputTokens = 0
        public var outputTokens = 0
        public var cost = USD.zero
        /// Streams whose headers are sent and whose last event is not yet.
        public var openStreams = 0
        /// Streams cut short by an error event after some tokens.
        public var streamErrors = 0
        public init() {}
    }

    /// Qualified model names (`provider/model`) and their providers, indexed like ``SimulationPlan/endpoints``.
    public let endpoints: [(provider: String, model: String)]
    private let lock = NSLock()
    private var totals: [ModelTotals]
    /// Requests that named no known provider or model (answered 404).
    private var unknownRequests = 0

    /// Prometheus series, kept alongside the totals so `/metrics` and `/stats` never disagree.
    let registry = PrometheusCollectorRegistry()
    private let requestCounters: [Prometheus.Counter]
    private let inputTokenCounters: [Prometheus.Counter]
    private let outputTokenCounters: [Prometheus.Counter]
    private let costCounters: [Prometheus.Counter]
    private let openStreamGauges: [Prometheus.Gauge]
    private var statusCounters: [Int: Prometheus.Counter] = [:]
    private let unknownCounter: Prometheus.Counter

    public init(endpoints: [(provider: String, model: String)]) {
        self.endpoints = endpoints
        totals = Array(repeating: ModelTotals(), count: endpoints.count)
        let labels = endpoints.map { [("provider", $0.provider), ("model", $0.model)] }
        let r = registry
        requestCounters = labels.map { r.makeCounter(name: "nexus_emulator_requests_total", labels: $0, help: "Chat completion requests received") }
        inputTokenCounters = labels.map { r.makeCounter(name: "nexus_emulator_input_tokens_total", labels: $0, help: "Prompt tokens billed") }
        outputTokenCounters = labels.map { r.makeCounter(name: "nexus_emulator_output_tokens_total", labels: $0, help: "Completion tokens billed") }
        costCounters = labels.map { r.makeCounter(name: "nexus_emulator_cost_usd_total", labels: $0, help: "Cost of the billed tokens at the scenario's prices, USD") }
        openStreamGauges = labels.map { r.makeGauge(name: "nexus_emulator_open_streams", labels: $0, help: "SSE streams in progress") }
        unknownCounter = r.makeCounter(name: "nexus_emulator_unknown_model_requests_total", help: "Requests naming no provider or model of the scenario")
    }

    /// A request for `endpoint` arrived.
    func countRequest(_ endpoint: Int) {
        lock.withLock { totals[endpoint].requests += 1 }
        requestCounters[endpoint].increment()
    }

    /// A request named no provider or model of the scenario.
    func countUnknownRequest() {
        lock.withLock { unknownRequests += 1 }
        unknownCounter.increment()
    }

    /// `endpoint` answered with `status` (for a stream: when its headers are sent).
    func countResponse(_ endpoint: Int, status: Int, stream: Bool) {
        let counter = lock.withLock { () -> Prometheus.Counter in
            totals[endpoint].responsesByStatus[status, default: 0] += 1
            if stream { totals[endpoint].openStreams += 1 }
            let key = endpoint << 10 | status
            if let c = statusCounters[key] { return c }
            let c = registry.makeCounter(
                name: "nexus_emulator_responses_total",
                labels: [("provider", endpoints[endpoint].provider), ("model", endpoints[endpoint].model), ("status", String(status))],
                help: "Responses by HTTP status")
            statusCounters[key] = c
            return c
        }
        counter.increment()
        if stream { openStreamGauges[endpoint].increment() }
    }

    /// A response of `endpoint` ended, billing `inputTokens` and `outputTokens` at `cost` (all zero for an error
    /// before the first token); `streamEnded` when it was a stream, `streamFailed` when an error event ended it.
    func countCompletion(_ endpoint: Int, inputTokens: Int, outputTokens: Int, cost: USD, streamEnded: Bool, streamFailed: Bool) {
        lock.withLock {
            totals[endpoint].inputTokens += inputTokens
            totals[endpoint].outputTokens += outputTokens
            totals[endpoint].cost += cost
            if streamEnded { totals[endpoint].openStreams -= 1 }
            if streamFailed { totals[endpoint].streamErrors += 1 }
        }
        if inputTokens > 0 { inputTokenCounters[endpoint].increment(by: Int64(inputTokens)) }
        if outputTokens > 0 { outputTokenCounters[endpoint].increment(by: Int64(outputTokens)) }
        if cost.dollars > 0 { costCounters[endpoint].increment(by: cost.dollars) }
        if streamEnded { openStreamGauges[endpoint].decrement() }
    }

    /// A consistent copy of every endpoint's totals, indexed like ``endpoints``.
    public func snapshot() -> (models: [ModelTotals], unknownRequests: Int) {
        lock.withLock { (totals, unknownRequests) }
    }

    /// The Prometheus text exposition of every series.
    public func prometheusText() -> String { registry.emitToString() }
}
