import NexusGateway
import Testing

/// Prices that are exact in binary floating point (powers of two), so that costs compare with `==`.
private let dyadic = ModelPrice(
    inputPerToken: USD(0.5), outputPerToken: USD(2), cachedInputPerToken: USD(0.125),
    inputPerTokenAbove128k: USD(1), outputPerTokenAbove128k: USD(4))

/// gpt-4o as in LiteLLM 1.80.0: $2.50 / $10.00 / $1.25 cached, per 1M tokens.
private let gpt4o = ModelPrice(
    inputPerToken: USD(2.5e-06), outputPerToken: USD(1e-05), cachedInputPerToken: USD(1.25e-06),
    maxInputTokens: 128_000, maxOutputTokens: 16_384)

private func close(_ a: USD, _ b: Double) -> Bool {
    abs(a.dollars - b) <= 1e-12 * max(1, abs(b))
}

@Suite("ModelPrice.cost")
struct ModelPriceTests {
    @Test("input and output tokens at their own prices", arguments: [
        (0, 0, 0.0),
        (1, 0, 0.5),
        (0, 1, 2.0),
        (1000, 500, 1500.0),     // 1000 × 0.5 + 500 × 2
        (128_000, 0, 64_000.0),  // exactly 128k: still the base price
        (10, 3, 11.0),
    ])
    func basePrices(input: Int, output: Int, expected: Double) {
        #expect(dyadic.cost(inputTokens: input, outputTokens: output) == USD(expected))
        #expect(dyadic.cost(inputTokens: input, outputTokens: output, cachedInputTokens: 0) == USD(expected))
    }

    @Test("gpt-4o: realistic requests in dollars")
    func gpt4oRequests() {
        // 1000 in, 500 out: $0.0025 + $0.005
        #expect(close(gpt4o.cost(inputTokens: 1000, outputTokens: 500), 0.0075))
        // 1M in, 1M out: $2.50 + $10.00
        #expect(close(gpt4o.cost(inputTokens: 1_000_000, outputTokens: 1_000_000), 12.5))
        // 2000 in of which 1500 cached, 100 out: 500 × 2.5e-6 + 1500 × 1.25e-6 + 100 × 1e-5
        #expect(close(gpt4o.cost(inputTokens: 2000, outputTokens: 100, cachedInputTokens: 1500), 0.004125))
    }

    @Test("cached input price applies to the cached tokens only", arguments: [
        // (input, output, cached, expected): (input − cached) × 0.5 + cached × 0.125 + output × 2
        (1000, 0, 0, 500.0),
        (1000, 0, 400, 350.0),    // 600 × 0.5 + 400 × 0.125
        (1000, 0, 1000, 125.0),   // all cached
        (1000, 10, 400, 370.0),   // output price unaffected by caching
        (8, 0, 1, 3.625),         // 7 × 0.5 + 0.125
    ])
    func cachedInput(input: Int, output: Int, cached: Int, expected: Double) {
        #expect(dyadic.cost(inputTokens: input, outputTokens: output, cachedInputTokens: cached) == USD(expected))
    }

    @Test("a model without a cached price charges cached tokens the input price")
    func noCachedPrice() {
        let price = ModelPrice(inputPerToken: USD(0.5), outputPerToken: USD(2))
        #expect(price.cost(inputTokens: 1000, outputTokens: 10, cachedInputTokens: 400) == USD(520))
        #expect(price.cost(inputTokens: 1000, outputTokens: 10, cachedInputTokens: 400)
                == price.cost(inputTokens: 1000, outputTokens: 10))
    }

    @Test("cached tokens are clamped to the input tokens (and to 0)", arguments: [
        (1000, 1000), (1000, 1001), (1000, 5000), (1000, Int.max), (0, 10),
    ])
    func cachedClampedHigh(input: Int, cached: Int) {
        // At most every input token is cached: never a negative count at the input price.
        #expect(dyadic.cost(inputTokens: input, outputTokens: 3, cachedInputTokens: cached)
                == dyadic.cost(inputTokens: input, outputTokens: 3, cachedInputTokens: input))
        #expect(dyadic.cost(inputTokens: input, outputTokens: 3, cachedInputTokens: cached)
                == USD(Double(input) * 0.125 + 6))
    }

    @Test("negative cached tokens count as none", arguments: [-1, -1000, Int.min])
    func cachedClampedLow(cached: Int) {
        #expect(dyadic.cost(inputTokens: 1000, outputTokens: 3, cachedInputTokens: cached) == USD(506))
    }

    @Test("tiered prices apply above 128k input tokens, not at exactly 128k", arguments: [
        // (input, output, expected)
        (127_999, 100, 64_199.5),        // 127_999 × 0.5 + 100 × 2
        (128_000, 100, 64_200.0),        // 128_000 × 0.5 + 100 × 2: exactly 128k is not above it
        (128_001, 100, 128_401.0),       // 128_001 × 1 + 100 × 4: the whole request at the tiered prices
        (200_000, 0, 200_000.0),
        (1_000_000, 1000, 1_004_000.0),
    ] as [(Int, Int, Double)])
    func tieredPrices(input: Int, output: Int, expected: Double) {
        #expect(dyadic.cost(inputTokens: input, outputTokens: output) == USD(expected))
    }

    @Test("above 128k, cached tokens keep the cached price and the rest take the tiered price")
    func tieredWithCache() {
        // 100k cached × 0.125 + 100_001 × 1 + 10 × 4
        #expect(dyadic.cost(inputTokens: 200_001, outputTokens: 10, cachedInputTokens: 100_000)
                == USD(12_500 + 100_001 + 40))
    }

    @Test("without tiered prices, the base prices hold above 128k too")
    func noTieredPrices() {
        #expect(close(gpt4o.cost(inputTokens: 200_000, outputTokens: 1000), 200_000 * 2.5e-06 + 1000 * 1e-05))
        let onlyInputTier = ModelPrice(inputPerToken: USD(0.5), outputPerToken: USD(2), inputPerTokenAbove128k: USD(1))
        #expect(onlyInputTier.cost(inputTokens: 128_001, outputTokens: 10) == USD(128_001 + 20))
        let onlyOutputTier = ModelPrice(inputPerToken: USD(0.5), outputPerToken: USD(2), outputPerTokenAbove128k: USD(4))
        #expect(onlyOutputTier.cost(inputTokens: 128_002, outputTokens: 10) == USD(64_001 + 40))
    }

    @Test("a free model costs nothing", arguments: [(0, 0, 0), (1000, 1000, 0), (200_000, 4096, 50_000)])
    func free(input: Int, output: Int, cached: Int) {
        #expect(ModelPrice.free.cost(inputTokens: input, outputTokens: output, cachedInputTokens: cached) == .zero)
    }

    @Test("USD arithmetic")
    func usdArithmetic() {
        var total = USD.zero
        total += USD(1.5)
        #expect(total + USD(0.5) == USD(2))
        #expect(total - USD(0.5) == USD(1))
        #expect(USD(0.25) * 4 == USD(1))
        #expect(USD(1) < USD(2))
        #expect(USD(2).description == "$2.0")
    }
}
