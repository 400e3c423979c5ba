import NexusGateway
import Testing

/// Helpers shared by the router tests. The router is driven with a manual clock: every call gets an
/// explicit `now`, and every random choice an explicit `draw`.

let allClasses: ClassificationSet = [.public, .internal, .confidential, .restricted]

/// Milliseconds and seconds as nanoseconds.
func ms(_ v: Int64) -> Nanoseconds { v * 1_000_000 }
func s(_ v: Int64) -> Nanoseconds { v * 1_000_000_000 }

/// An endpoint named `p/<name>`; prices in whole dollars per token so that costs compare exactly.
func endpoint(
    _ name: String, classes: ClassificationSet = allClasses, window: Int? = nil, input: Double = 0, output: Double = 0
) -> ModelEndpoint {
    ModelEndpoint(name: "p/\(name)", provider: "p", allowedClassifications: classes, contextWindowTokens: window,
                  price: ModelPrice(inputPerToken: USD(input), outputPerToken: USD(output)))
}

/// `count` interchangeable endpoints that accept every classification and any prompt.
func plainEndpoints(_ count: Int) -> [ModelEndpoint] {
    (0..<count).map { endpoint("m\($0)") }
}

/// A router with one tier (tier 0) over `candidates` (default: every endpoint, in id order).
func makeRouter(
    _ endpoints: [ModelEndpoint], _ policy: TierPolicy = TierPolicy(), candidates: [EndpointID]? = nil,
    breaker: CircuitBreakerPolicy? = nil, latencyWeight: Double = 0.2
) -> Router {
    Router(endpoints: endpoints,
           tiers: [RoutingTier(name: "t", candidates: candidates ?? Array(endpoints.indices), policy: policy)],
           circuitBreaker: breaker, latencyWeight: latencyWeight)
}

func request(
    _ classification: DataClassification = .public, tier: Int = 0, input: Int = 100, maxOutput: Int = 100,
    expectedOutput: Int? = nil, ceiling: USD? = nil
) -> RouteRequest {
    RouteRequest(tier: tier, classification: classification, inputTokens: input, maxOutputTokens: maxOutput,
                 expectedOutputTokens: expectedOutput, costCeiling: ceiling)
}

/// The first decision for a fresh request.
func firstDecision(
    _ router: inout Router, _ request: RouteRequest, now: Nanoseconds = s(1), draw: Double = 0
) -> RouteDecision {
    var state = RequestRouting()
    return router.route(request, state: &state, now: now, draw: draw)
}

/// The endpoint chosen for a fresh request, or `nil` when the router fails it.
func chosen(_ router: inout Router, _ request: RouteRequest, now: Nanoseconds = s(1), draw: Double = 0) -> EndpointID? {
    if case .dispatch(let e) = firstDecision(&router, request, now: now, draw: draw) { return e }
    return nil
}

/// `count` draws spread evenly over [0, 1), plus the largest double below 1.
func drawGrid(_ count: Int = 1000) -> [Double] {
    (0..<count).map { Double($0) / Double(count) } + [(1.0).nextDown]
}

/// Records one successful attempt at `endpoint` (start and answer), so the latency EWMA sees `latency`.
func observe(_ router: inout Router, _ endpoint: EndpointID, latency: Nanoseconds, now: Nanoseconds = s(1)) {
    router.attemptStarted(endpoint, now: now)
    router.attemptSucceeded(endpoint, latencyNanos: latency, now: now + latency)
}

/// Records one failed attempt at `endpoint` (start and failure at the same instant).
func fail(_ router: inout Router, _ endpoint: EndpointID, _ error: AttemptError = .serverError(status: 500), at now: Nanoseconds) {
    router.attemptStarted(endpoint, now: now)
    router.attemptFailed(endpoint, error: error, now: now)
}
