import Foundation
import NexusGateway
import Prometheus

/// The gateway's Prometheus metrics (`GET /metrics`): what an operator watches and what an external HPA or KEDA
/// would scale on.
final class GatewayMetrics: @unchecked Sendable {
    let registry = PrometheusCollectorRegistry()
    /// The labelled series already registered, by label values: the registry validates names, labels and help
    /// text on every `make…` call, too much work for every request, so each series is looked up there once.
    private let lock = NSLock()
    private var attemptCounters: [LabelPair: Counter] = [:]
    private var requestCounters: [LabelPair: Counter] = [:]
    private var durations: [String: ValueHistogram] = [:]
    private var firstTokens: [String: ValueHistogram] = [:]

    private struct LabelPair: Hashable {
        var first: String
        var second: String
    }

    private let inFlight: Gauge
    private let queueDepth: Gauge
    private let recommendedInstances: Gauge
    private let cacheHits: Counter
    private let cacheMisses: Counter
    static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60]

    init() {
        inFlight = registry.makeGauge(descriptor: .init(metricName: "nexus_gateway_in_flight", unitName: "requests", helpText: "Requests holding a gateway slot."))
        queueDepth = registry.makeGauge(descriptor: .init(metricName: "nexus_gateway_queue", unitName: "depth", helpText: "Requests waiting for a gateway slot."))
        recommendedInstances = registry.makeGauge(descriptor: .init(metricName: "nexus_gateway_recommended", unitName: "instances", helpText: "Instances the scenario's autoscaling policy recommends for the observed load."))
        cacheHits = registry.makeCounter(descriptor: .init(metricName: "nexus_gateway_cache_hits", unitName: "total", helpText: "Requests answered from the response cache."))
        cacheMisses = registry.makeCounter(descriptor: .init(metricName: "nexus_gateway_cache_misses", unitName: "total", helpText: "Cacheable requests the response cache could not answer."))
    }

    func attemptStarted() {}

    func attemptEnded(endpoint: String, status: AttemptOutcome.Status) {
        let result: String
        switch status {
        case .answered: result = "answered"
        case .cancelled: result = "cancelled"
        case .failed(let error): result = error.category.rawValue
        }
        let key = LabelPair(first: endpoint, second: result)
        let counter = lock.withLock { () -> Counter in
            if let counter = attemptCounters[key] { return counter }
            let counter = registry.makeCounter(descriptor: .init(metricName: "nexus_gateway_upstream_attempts", unitName: "total", helpText: "Upstream attempts by model endpoint and result."), labels: [("endpoint", endpoint), ("result", result)])
            attemptCounters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// Records a finished request: its outcome (`succeeded`, `failed`, `rejected`, `invalid`, `cancelled`), latency and TTFT.
    func requestFinished(tier: String, outcome: String, latencySeconds: Double, ttftSeconds: Double?, cache: String) {
        let key = LabelPair(first: tier, second: outcome)
        let counter = lock.withLock { () -> Counter in
            if let counter = requestCounters[key] { return counter }
            let counter = registry.makeCounter(descriptor: .init(metricName: "nexus_gateway_requests", unitName: "total", helpText: "Requests by tier and outcome."), labels: [("tier", tier), ("outcome", outcome)])
            requestCounters[key] = counter
            return counter
        }
        counter.increment()
        guard outcome == "succeeded" else { return }
        let (duration, firstToken) = lock.withLock { () -> (ValueHistogram, ValueHistogram?) in
            let duration = durations[tier] ?? {
                let h = registry.makeValueHistogram(descriptor: .init(metricName: "nexus_gateway_request_duration", unitName: "seconds", helpText: "Arrival to last byte of answered requests."), labels: [("tier", tier)], buckets: Self.latencyBuckets)
                durations[tier] = h
                return h
            }()
            guard ttftSeconds != nil else { return (duration, nil) }
            let firstToken = firstTokens[tier] ?? {
                let h = registry.makeValueHistogram(descriptor: .init(metricName: "nexus_gateway_time_to_first_token", unitName: "seconds", helpText: "Arrival to the first token of answered requests."), labels: [("tier", tier)], buckets: Self.latencyBuckets)
                firstTokens[tier] = h
                return h
            }()
            return (duration, firstToken)
        }
        duration.record(latencySeconds)
        if let ttftSeconds { firstToken?.record(ttftSeconds) }
        if cache == "hit" { cacheHits.increment() } else if cache == "miss" { cacheMisses.increment() }
    }

    /// Counts what the budget observed: alerts by window and threshold, and refusals or a reached limit by window.
    func budgetEvent(_ event: BudgetEvent) {
        switch event {
        case .alert(let alert):
            registry.makeCounter(descriptor: .init(metricName: "nexus_gateway_budget_alerts", unitName: "total", helpText: "Budget alerts fired, by window and threshold."),
                                 labels: [("window", alert.window.rawValue), ("threshold", String(alert.threshold))]).increment()
        case .exhausted(let window, _, _, _, _, _):
            registry.makeCounter(descriptor: .init(metricName: "nexus_gateway_budget_exhausted", unitName: "total", helpText: "Reservations or requests a budget window refused, and limits reached, by window."),
                                 labels: [("window", window.rawValue)]).increment()
        case .overspent, .settled:
            break
        }
    }

    /// Refreshes the gauges read from the shared state, just before a scrape.
    func refresh(inFlight: Int, queueDepth: Int, recommendedInstances: Int?, spend: [(window: String, spent: Double, remaining: Double?)],
                 breakers: [(endpoint: String, state: Double)]) {
        self.inFlight.set(Double(inFlight))
        self.queueDepth.set(Double(queueDepth))
        if let recommendedInstances { self.recommendedInstances.set(Double(recommendedInstances)) }
        for entry in spend {
            registry.makeGauge(descriptor: .init(metricName: "nexus_gateway_budget_spend", unitName: "usd", helpText: "Settled spend in the current budget window."), labels: [("window", entry.window)]).set(entry.spent)
            if let remaining = entry.remaining {
                registry.makeGauge(descriptor: .init(metricName: "nexus_gateway_budget_remaining", unitName: "usd", helpText: "Limit minus settled spend in the current budget window."), labels: [("window", entry.window)]).set(remaining)
            }
        }
        for breaker in breakers {
            registry.makeGauge(descriptor: .init(metricName: "nexus_gateway_circuit_breaker", unitName: "state", helpText: "Circuit breaker per model endpoint: 0 closed, 1 open, 2 half-open."), labels: [("endpoint", breaker.endpoint)]).set(breaker.state)
        }
    }

    /// The Prometheus text exposition.
    func exposition() -> [UInt8] { registry.emitToBuffer() }
}
