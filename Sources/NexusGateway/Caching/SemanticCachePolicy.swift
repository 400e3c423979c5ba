/// A semantic response cache in front of the exact-match one: a prompt whose exact key misses is embedded and
/// matched against the stored prompts of other wordings (paraphrases) of the same intent, as GPTCache
/// (`gptcache.adapter`: embed, search the vector store, evaluate the similarity against a threshold), LiteLLM's
/// `redis-semantic` cache and Portkey's semantic cache do.
///
/// The embedding and the vector search are not simulated; their outcome is: a lookup of a paraphrase whose intent
/// is stored matches it with ``hitProbability`` and returns another intent's answer with ``falseHitProbability``
/// (a wrong answer served); a lookup whose intent is not stored returns another intent's answer with
/// ``falseHitProbability``. GPTCache's benchmark (`examples/README.md`, "Benchmark": 999 ChatGPT paraphrases of
/// cached questions, SQLite + Faiss + ONNX, `pair_evaluation` search distance) gives these per threshold:
///
/// | threshold | average time | positive | negative | fail count |
/// |---|---|---|---|---|
/// | 20 | 0.04 s | 455 | 27 | 517 |
/// | 50 | 0.09 s | 871 | 86 | 42 |
/// | 100 | 0.12 s | 905 | 93 | 1 |
///
/// ``gptCacheBenchmark(threshold:)`` reads it (linearly between its rows).
public struct SemanticCachePolicy: Hashable, Sendable {
    /// Probability that a paraphrase of a stored intent is matched to it.
    public var hitProbability: Double
    /// Probability that a lookup is matched to another intent's answer.
    public var falseHitProbability: Double
    /// Time to embed the prompt and search the vector store, on every lookup that the exact match missed.
    public var lookupLatencyNanos: Nanoseconds
    /// Price of embedding a prompt, per prompt token. The stored answer reuses the lookup's embedding (GPTCache's
    /// adapter embeds once and saves that vector), so a store costs nothing more.
    public var embeddingPricePerToken: USD
    /// Whether a wrong answer served from the cache counts as a failed request (`wrong_cached_answer`; a live
    /// gateway answers 502) instead of an answer.
    public var falseHitsFail: Bool

    public init(hitProbability: Double, falseHitProbability: Double, lookupLatencyNanos: Nanoseconds,
                embeddingPricePerToken: USD, falseHitsFail: Bool = false) {
        precondition(hitProbability >= 0 && falseHitProbability >= 0 && hitProbability + falseHitProbability <= 1,
                     "semantic cache probabilities must be shares that add up to at most 1")
        self.hitProbability = hitProbability
        self.falseHitProbability = falseHitProbability
        self.lookupLatencyNanos = lookupLatencyNanos
        self.embeddingPricePerToken = embeddingPricePerToken
        self.falseHitsFail = falseHitsFail
    }

    /// GPTCache's benchmark rows: (threshold, average time s, positive, negative, fail count), of 999 queries.
    public static let gptCacheRows: [(threshold: Double, seconds: Double, positive: Double, negative: Double, fail: Double)] = [
        (20, 0.04, 455, 27, 517), (50, 0.09, 871, 86, 42), (100, 0.12, 905, 93, 1),
    ]

    /// Thresholds the benchmark covers.
    public static let gptCacheThresholds: ClosedRange<Double> = 20...100

    /// Hit and false-hit probabilities and the lookup time at GPTCache search-distance `threshold` (20 to 100):
    /// positive / 999, negative / 999 and the average time, linear between the benchmark's rows.
    public static func gptCacheBenchmark(threshold: Double) -> (hit: Double, falseHit: Double, seconds: Double) {
        let rows = gptCacheRows
        let t = min(max(threshold, rows.first!.threshold), rows.last!.threshold)
        let upper = rows.firstIndex { $0.threshold >= t } ?? rows.count - 1
        let lower = max(upper - 1, 0)
        let a = rows[lower], b = rows[upper]
        let w = b.threshold == a.threshold ? 0 : (t - a.threshold) / (b.threshold - a.threshold)
        func mix(_ x: Double, _ y: Double) -> Double { x + (y - x) * w }
        let total = a.positive + a.negative + a.fail
        return (mix(a.positive, b.positive) / total, mix(a.negative, b.negative) / total, mix(a.seconds, b.seconds))
    }
}

/// The answer of a semantic lookup (after the exact match missed).
public enum SemanticLookup: Hashable, Sendable {
    /// Another wording of the same intent is stored and was matched: its answer, stored under `key`, is right.
    case hit(key: UInt64, sizeBytes: Int)
    /// Another intent's answer, stored under `key`, was matched: a wrong answer.
    case falseHit(key: UInt64, sizeBytes: Int)
    case miss
}
