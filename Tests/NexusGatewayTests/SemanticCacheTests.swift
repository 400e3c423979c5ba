import NexusGateway
import Testing

/// The semantic cache: GPTCache's benchmark table as the defaults, the draw that decides a match, and the
/// lifecycle's order (exact first, then embed and match), with the embedding's price and time.
@Suite struct SemanticCacheTests {
    @Test func gptCacheBenchmarkRows() {
        // examples/README.md, "Benchmark": 999 paraphrases; positive, negative and fail counts per threshold.
        let at50 = SemanticCachePolicy.gptCacheBenchmark(threshold: 50)
        #expect(at50.hit == 871.0 / 999 && at50.falseHit == 86.0 / 999 && at50.seconds == 0.09)
        let at20 = SemanticCachePolicy.gptCacheBenchmark(threshold: 20)
        #expect(at20.hit == 455.0 / 999 && at20.falseHit == 27.0 / 999 && at20.seconds == 0.04)
        let at100 = SemanticCachePolicy.gptCacheBenchmark(threshold: 100)
        #expect(at100.hit == 905.0 / 999 && at100.falseHit == 93.0 / 999 && at100.seconds == 0.12)
        // Linear between rows: 35 is halfway from 20 to 50.
        let at35 = SemanticCachePolicy.gptCacheBenchmark(threshold: 35)
        #expect(abs(at35.hit - 663.0 / 999) < 1e-12 && abs(at35.falseHit - 56.5 / 999) < 1e-12 && abs(at35.seconds - 0.065) < 1e-12)
        for row in SemanticCachePolicy.gptCacheRows { #expect(row.positive + row.negative + row.fail == 999) }
    }

    static let policy = SemanticCachePolicy(hitProbability: 0.8, falseHitProbability: 0.1, lookupLatencyNanos: 90_000_000,
                                            embeddingPricePerToken: USD(2e-8))

    static func cache(_ semantic: SemanticCachePolicy = policy) -> ResponseCache {
        ResponseCache(policy: ResponseCachePolicy(ttlNanos: [3_600_000_000_000], semantic: semantic))
    }

    @Test func theDrawDecidesBetweenTheIntentAnotherIntentAndAMiss() {
        var cache = Self.cache()
        // Nothing stored: every draw misses (there is no answer to return, right or wrong).
        #expect(cache.semanticLookup(intent: 1, draw: 0.05, now: 0) == .miss)
        cache.insert(100, intent: 1, cacheClass: 0, classification: .public, sizeBytes: 40, now: 1)
        #expect(cache.semanticLookup(intent: 1, draw: 0.79, now: 2) == .hit(key: 100, sizeBytes: 40))
        // [0.8, 0.9) would be another intent's answer, but only intent 1 is stored.
        #expect(cache.semanticLookup(intent: 1, draw: 0.85, now: 3) == .miss)
        cache.insert(200, intent: 2, cacheClass: 0, classification: .public, sizeBytes: 80, now: 4)
        #expect(cache.semanticLookup(intent: 1, draw: 0.85, now: 5) == .falseHit(key: 200, sizeBytes: 80))
        #expect(cache.semanticLookup(intent: 1, draw: 0.9, now: 6) == .miss)
        // An intent not stored: a wrong answer below the false-hit probability, else a miss.
        #expect(cache.semanticLookup(intent: 3, draw: 0.09, now: 7) != .miss)
        #expect(cache.semanticLookup(intent: 3, draw: 0.1, now: 8) == .miss)
        #expect(cache.semanticHits == 1 && cache.semanticFalseHits == 2 && cache.semanticMisses == 4)
        // An intent whose entries expired or were replaced is no longer matched.
        #expect(cache.semanticLookup(intent: 2, draw: 0.5, now: 3_600_000_000_005) == .miss)
    }

    @Test func aParaphraseIsAnsweredFromTheCacheAfterTheEmbedding() {
        let router = makeRouter([endpoint("m", input: 1e-6, output: 1e-5)])
        var gateway = Gateway(router: router, cache: Self.cache(), overheadNanos: 1_000_000)
        var draws = ScriptedDraws([0.5])
        func request(wording: UInt64, at t: Nanoseconds) -> GatewayRequest {
            GatewayRequest(tier: 0, classification: .public, inputTokens: 1000, maxOutputTokens: 100,
                           promptFingerprint: 7 << 20 | wording, receivedAt: t, intentFingerprint: 7)
        }
        var first = RequestLifecycle()
        // Exact miss, then embed (1000 tokens × $2e-8 = $0.00002, 90 ms) and miss: sent after overhead + lookup.
        #expect(gateway.arrived(request(wording: 1, at: 0), lifecycle: &first, now: 0, draws: &draws)
            == [.send(AttemptID(0), to: 0, maxTokens: 100, timeout: nil, after: 91_000_000, kind: .first)])
        #expect(first.semanticLookup == .miss)
        #expect(abs(first.embeddingCost.dollars - 0.00002) < 1e-15)
        _ = gateway.attemptEnded(AttemptID(0), .answered(firstTokenAt: 500_000_000, outputTokens: 50), lifecycle: &first,
                                 now: 600_000_000, draws: &draws)
        #expect(abs(first.cost.dollars - (0.00002 + 0.001 + 0.0005)) < 1e-12)
        // Another wording of intent 7: the exact key misses, the semantic match (draw 0.5 < 0.8) finds the first's answer.
        var second = RequestLifecycle()
        #expect(gateway.arrived(request(wording: 2, at: 1_000_000_000), lifecycle: &second, now: 1_000_000_000, draws: &draws)
            == [.answerFromCache(key: request(wording: 1, at: 0).cacheKey, after: 90_000_000 + 5_000_000)])
        #expect(second.cacheLookup == .miss)
        #expect(abs(second.cost.dollars - 0.00002) < 1e-15)
        // The same wording again is an exact hit: no embedding.
        var third = RequestLifecycle()
        #expect(gateway.arrived(request(wording: 1, at: 2_000_000_000), lifecycle: &third, now: 2_000_000_000, draws: &draws)
            == [.answerFromCache(key: request(wording: 1, at: 0).cacheKey, after: 5_000_000)])
        #expect(third.semanticLookup == nil && third.cost == .zero)
    }

    @Test func aWrongAnswerCanCountAsAFailure() {
        var policy = Self.policy
        policy.falseHitsFail = true
        let router = makeRouter([endpoint("m")])
        var gateway = Gateway(router: router, cache: Self.cache(policy))
        gateway.cache!.insert(900, intent: 9, cacheClass: 0, classification: .public, sizeBytes: 4, now: 0)
        var draws = ScriptedDraws([0.05])  // below the false-hit probability, and intent 1 is not stored
        var lifecycle = RequestLifecycle()
        let request = GatewayRequest(tier: 0, classification: .public, inputTokens: 10, maxOutputTokens: 10, promptFingerprint: 1,
                                     receivedAt: 0, intentFingerprint: 1)
        #expect(gateway.arrived(request, lifecycle: &lifecycle, now: 0, draws: &draws) == [.finish(.failed(.wrongCachedAnswer))])
        #expect(lifecycle.semanticLookup == .falseHit(key: 900, sizeBytes: 4))
    }
}
