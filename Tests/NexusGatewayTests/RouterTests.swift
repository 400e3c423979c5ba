import NexusGateway
import Testing

/// A small version of the baseline architecture. Endpoint ids are the array indices.
private enum E {
    static let mistralFree = 0   // openrouter, public only, 8192-token window
    static let gpt4o = 1         // openai enterprise, up to confidential, 128k
    static let gpt4oMini = 2     // openai enterprise, up to confidential, 128k
    static let haiku = 3         // anthropic, public + internal, 200k
    static let onprem = 4        // on-premise, restricted only, 8192
    static let unlimited = 5     // public + internal, no known window
}

private enum T {
    static let premium = 0       // gpt-4o → gpt-4o-mini → haiku → onprem
    static let highVolume = 1    // mistral free → gpt-4o-mini → haiku
    static let publicOnly = 2    // mistral free
    static let unlimitedOnly = 3 // the endpoint without a window
}

private let endpoints: [ModelEndpoint] = [
    ModelEndpoint(name: "openrouter/mistral-7b-instruct:free", provider: "openrouter",
                  allowedClassifications: [.public], contextWindowTokens: 8192, price: .free),
    ModelEndpoint(name: "openai/gpt-4o", provider: "openai",
                  allowedClassifications: [.public, .internal, .confidential], contextWindowTokens: 128_000,
                  price: ModelPrice(inputPerToken: USD(2.5e-06), outputPerToken: USD(1e-05))),
    ModelEndpoint(name: "openai/gpt-4o-mini", provider: "openai",
                  allowedClassifications: [.public, .internal, .confidential], contextWindowTokens: 128_000,
                  price: ModelPrice(inputPerToken: USD(1.5e-07), outputPerToken: USD(6e-07))),
    ModelEndpoint(name: "anthropic/claude-3-haiku", provider: "anthropic",
                  allowedClassifications: [.public, .internal], contextWindowTokens: 200_000,
                  price: ModelPrice(inputPerToken: USD(2.5e-07), outputPerToken: USD(1.25e-06))),
    ModelEndpoint(name: "onprem/llama-3-70b-instruct", provider: "onprem",
                  allowedClassifications: [.restricted], contextWindowTokens: 8192, price: .free),
    ModelEndpoint(name: "lab/unlimited", provider: "lab",
                  allowedClassifications: [.public, .internal], contextWindowTokens: nil, price: .free),
]

private let router = Router(endpoints: endpoints, tiers: [
    RoutingTier(name: "premium", strategy: .priority, candidates: [E.gpt4o, E.gpt4oMini, E.haiku, E.onprem]),
    RoutingTier(name: "high_volume", candidates: [E.mistralFree, E.gpt4oMini, E.haiku]),
    RoutingTier(name: "public_only", candidates: [E.mistralFree]),
    RoutingTier(name: "unlimited_only", candidates: [E.unlimited]),
])

private func request(_ tier: Int, _ classification: DataClassification, input: Int = 1000) -> RouteRequest {
    RouteRequest(tier: tier, classification: classification, inputTokens: input, maxOutputTokens: 1024)
}

private let now: Nanoseconds = 1_000_000_000

@Suite("Router")
struct RouterTests {
    // MARK: Priority

    @Test("priority picks the first candidate whose provider may receive the data", arguments: [
        (T.premium, DataClassification.public, E.gpt4o, 0),
        (T.premium, .internal, E.gpt4o, 0),
        (T.premium, .confidential, E.gpt4o, 0),
        (T.premium, .restricted, E.onprem, 3),
        (T.highVolume, .public, E.mistralFree, 0),
        (T.highVolume, .internal, E.gpt4oMini, 1),
        (T.highVolume, .confidential, E.gpt4oMini, 1),
        (T.publicOnly, .public, E.mistralFree, 0),
        (T.unlimitedOnly, .internal, E.unlimited, 0),
    ])
    func priorityPicksFirstEligible(tier: Int, classification: DataClassification, endpoint: EndpointID, position: Int) {
        #expect(router.route(request(tier, classification), now: now) == .dispatch(endpoint: endpoint, position: position))
    }

    @Test("the default strategy is priority")
    func defaultStrategy() {
        #expect(RoutingTier(name: "t", candidates: [0]).strategy == .priority)
        #expect(RoutingStrategy(rawValue: "priority") == .priority)
    }

    @Test("the first candidate wins even when a later one is cheaper")
    func orderNotPrice() {
        // gpt-4o costs ~17× gpt-4o-mini; priority ignores price.
        #expect(router.route(request(T.premium, .public), now: now) == .dispatch(endpoint: E.gpt4o, position: 0))
    }

    @Test("the decision does not depend on the time", arguments: [Nanoseconds(0), 1, 86_400_000_000_000, .max])
    func timeIndependent(time: Nanoseconds) {
        #expect(router.route(request(T.highVolume, .internal), now: time) == .dispatch(endpoint: E.gpt4oMini, position: 1))
        #expect(router.fallback(for: request(T.highVolume, .internal), after: 1, now: time)
                == .dispatch(endpoint: E.haiku, position: 2))
    }

    // MARK: Classification

    @Test("a public-only endpoint is skipped for non-public data", arguments: [
        DataClassification.internal, .confidential, .restricted,
    ])
    func publicOnlyEndpointSkipped(classification: DataClassification) {
        #expect(!router.isEligible(E.mistralFree, for: request(T.publicOnly, classification)))
        #expect(router.route(request(T.publicOnly, classification), now: now) == .fail(.noCompliantRoute))
    }

    @Test("confidential data skips the endpoints that may not receive it")
    func confidentialSkipsNonEnterprise() {
        // high_volume: mistral (public only) is skipped; gpt-4o-mini serves; haiku is never offered.
        let r = request(T.highVolume, .confidential)
        #expect(router.route(r, now: now) == .dispatch(endpoint: E.gpt4oMini, position: 1))
        #expect(router.fallback(for: r, after: 1, now: now) == .fail(.providerError))
    }

    @Test("restricted data goes only to the on-premise endpoint", arguments: [T.premium, T.highVolume, T.publicOnly, T.unlimitedOnly])
    func restrictedOnlyOnprem(tier: Int) {
        let r = request(tier, .restricted)
        for endpoint in endpoints.indices {
            #expect(router.isEligible(endpoint, for: r) == (endpoint == E.onprem))
        }
        let expected: RouteDecision = tier == T.premium ? .dispatch(endpoint: E.onprem, position: 3) : .fail(.noCompliantRoute)
        #expect(router.route(r, now: now) == expected)
    }

    @Test("eligibility by classification for every endpoint", arguments: DataClassification.allCases)
    func eligibilityMatchesAllowedSet(classification: DataClassification) {
        let r = request(T.premium, classification, input: 100)
        for (id, e) in endpoints.enumerated() {
            #expect(router.isEligible(id, for: r) == e.allowedClassifications.contains(classification))
        }
    }

    // MARK: Context window

    @Test("a prompt larger than the window skips the model; exactly equal fits", arguments: [
        // (tier, input tokens, expected endpoint, position)
        (T.highVolume, 1, E.mistralFree, 0),
        (T.highVolume, 8191, E.mistralFree, 0),
        (T.highVolume, 8192, E.mistralFree, 0),        // equal to the window: fits
        (T.highVolume, 8193, E.gpt4oMini, 1),          // one over: skipped
        (T.highVolume, 128_000, E.gpt4oMini, 1),
        (T.highVolume, 128_001, E.haiku, 2),
        (T.highVolume, 200_000, E.haiku, 2),
        (T.premium, 128_000, E.gpt4o, 0),
        (T.premium, 128_001, E.haiku, 2),
    ])
    func contextWindow(tier: Int, input: Int, endpoint: EndpointID, position: Int) {
        #expect(router.route(request(tier, .public, input: input), now: now) == .dispatch(endpoint: endpoint, position: position))
    }

    @Test("a prompt too large for every candidate has no route", arguments: [
        (T.highVolume, DataClassification.public, 200_001),
        (T.premium, .internal, 200_001),
        (T.premium, .confidential, 128_001),           // only the OpenAI models may take it
        (T.premium, .restricted, 8193),                // only onprem may take it
        (T.publicOnly, .public, 1_000_000),
    ])
    func tooLargeEverywhere(tier: Int, classification: DataClassification, input: Int) {
        #expect(router.route(request(tier, classification, input: input), now: now) == .fail(.noCompliantRoute))
    }

    @Test("an endpoint without a known window takes any prompt", arguments: [0, 8193, 1_000_000, Int.max])
    func unlimitedWindow(input: Int) {
        #expect(router.route(request(T.unlimitedOnly, .public, input: input), now: now) == .dispatch(endpoint: E.unlimited, position: 0))
    }

    // MARK: Fallback

    @Test("fallback walks the chain in order and fails with provider_error at the end")
    func fallbackChain() {
        let r = request(T.premium, .public)
        var decisions: [RouteDecision] = [router.route(r, now: now)]
        while case let .dispatch(_, position) = decisions.last! {
            decisions.append(router.fallback(for: r, after: position, now: now))
        }
        #expect(decisions == [
            .dispatch(endpoint: E.gpt4o, position: 0),
            .dispatch(endpoint: E.gpt4oMini, position: 1),
            .dispatch(endpoint: E.haiku, position: 2),
            .fail(.providerError),  // onprem (position 3) may not receive public data
        ])
    }

    @Test("the chain skips ineligible candidates", arguments: [
        // (tier, classification, input, the sequence of endpoints tried)
        (T.premium, DataClassification.internal, 1000, [E.gpt4o, E.gpt4oMini, E.haiku]),
        (T.premium, .confidential, 1000, [E.gpt4o, E.gpt4oMini]),
        (T.premium, .restricted, 1000, [E.onprem]),
        (T.premium, .public, 150_000, [E.haiku]),
        (T.highVolume, .public, 1000, [E.mistralFree, E.gpt4oMini, E.haiku]),
        (T.highVolume, .public, 10_000, [E.gpt4oMini, E.haiku]),
        (T.highVolume, .internal, 1000, [E.gpt4oMini, E.haiku]),
        (T.publicOnly, .public, 1000, [E.mistralFree]),
    ])
    func chainSequence(tier: Int, classification: DataClassification, input: Int, expected: [EndpointID]) {
        let r = request(tier, classification, input: input)
        var tried: [EndpointID] = []
        var decision = router.route(r, now: now)
        while case let .dispatch(endpoint, position) = decision {
            tried.append(endpoint)
            #expect(router.tiers[tier].candidates[position] == endpoint)
            decision = router.fallback(for: r, after: position, now: now)
        }
        #expect(tried == expected)
        #expect(decision == .fail(.providerError))
    }

    @Test("fallback after the last position, or past the end, fails with provider_error", arguments: [3, 4, 100])
    func fallbackPastEnd(position: Int) {
        #expect(router.fallback(for: request(T.premium, .restricted), after: position, now: now) == .fail(.providerError))
    }

    @Test("fallback from a position resumes right after it")
    func fallbackFromPosition() {
        let r = request(T.premium, .internal)
        #expect(router.fallback(for: r, after: 0, now: now) == .dispatch(endpoint: E.gpt4oMini, position: 1))
        #expect(router.fallback(for: r, after: 1, now: now) == .dispatch(endpoint: E.haiku, position: 2))
        #expect(router.fallback(for: r, after: 2, now: now) == .fail(.providerError))
    }

    @Test("no candidate may serve: no_compliant_route on the first attempt, never a silent route")
    func noCompliantRoute() {
        #expect(router.route(request(T.highVolume, .restricted), now: now) == .fail(.noCompliantRoute))
        #expect(router.route(request(T.publicOnly, .confidential), now: now) == .fail(.noCompliantRoute))
        #expect(FailureReason.noCompliantRoute.rawValue == "no_compliant_route")
        #expect(FailureReason.providerError.rawValue == "provider_error")
        #expect(!FailureReason.noCompliantRoute.isRejection)
        #expect(FailureReason.budgetExceeded.isRejection)
    }

    @Test("a router keeps its endpoints and tiers")
    func routerTables() {
        #expect(router.endpoints.count == 6)
        #expect(router.tiers.map(\.name) == ["premium", "high_volume", "public_only", "unlimited_only"])
        #expect(router.tiers[T.premium].candidates == [E.gpt4o, E.gpt4oMini, E.haiku, E.onprem])
    }
}

@Suite("ClassificationSet")
struct ClassificationSetTests {
    @Test("membership", arguments: [
        ([DataClassification](), [DataClassification]()),
        ([.public], [.public]),
        ([.public, .internal], [.public, .internal]),
        ([.public, .internal, .confidential], [.public, .internal, .confidential]),
        ([.restricted], [.restricted]),
        ([.confidential, .public], [.public, .confidential]),
        ([.internal, .internal, .internal], [.internal]),
        (DataClassification.allCases, DataClassification.allCases),
    ])
    func membership(elements: [DataClassification], members: [DataClassification]) {
        let set = ClassificationSet(elements)
        for c in DataClassification.allCases {
            #expect(set.contains(c) == elements.contains(c))
        }
        #expect(set.members == members)
    }

    @Test("array literal, sequence and bits agree")
    func literalAndBits() {
        let literal: ClassificationSet = [.public, .restricted]
        #expect(literal == ClassificationSet([.restricted, .public]))
        #expect(literal.bits == 0b1001)
        #expect(ClassificationSet([]).bits == 0)
        #expect(ClassificationSet(DataClassification.allCases).bits == 0b1111)
    }

    @Test("classifications have distinct bits and are ordered by sensitivity")
    func classificationOrder() {
        #expect(Set(DataClassification.allCases.map(\.bit)).count == 4)
        #expect(DataClassification.allCases.sorted() == [.public, .internal, .confidential, .restricted])
        #expect(DataClassification.public < .internal)
        #expect(DataClassification.confidential < .restricted)
        #expect(DataClassification(rawValue: "confidential") == .confidential)
    }
}
