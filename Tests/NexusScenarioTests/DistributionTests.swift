import Foundation
import NexusGateway
import NexusScenario
import Testing

@Suite("Distributions")
struct DistributionTests {
    static let z95 = 1.6448536269514722

    /// The time to first token of the minimal scenario with `ttft` written as `text`.
    func ttft(_ text: String) throws -> DistributionSpec {
        try parse(try replacing("ttft: 800ms", with: "ttft: \(text)")).firstModel.timeToFirstToken
    }

    /// The input tokens of the minimal scenario's class with `input_tokens` written as `text`.
    func inputTokens(_ text: String) throws -> DistributionSpec {
        try parse(try replacing("input_tokens: 1000", with: "input_tokens: \(text)")).firstClass.inputTokens
    }

    func ttftError(_ text: String) throws -> ScenarioError {
        try parseError(try replacing("ttft: 800ms", with: "ttft: \(text)"))
    }

    @Test("a scalar is a constant in base units")
    func constantScalar() throws {
        #expect(try ttft("800ms") == .constant(0.8))
        #expect(try ttft("2s") == .constant(2))
        #expect(try inputTokens("1200") == .constant(1200))
        #expect(try inputTokens("0") == .constant(0))
        #expect(DistributionSpec.constant(0.8).mean == 0.8)
    }

    @Test("an explicit constant")
    func constantMapping() throws {
        #expect(try ttft("{dist: constant, value: 2s}") == .constant(2))
        #expect(try inputTokens("{dist: constant, value: 4k}") == .constant(4000))
    }

    @Test("exponential mean")
    func exponential() throws {
        let spec = try ttft("{dist: exponential, mean: 250ms}")
        #expect(spec == .exponential(mean: 0.25))
        #expect(spec.mean == 0.25)
    }

    @Test("lognormal from median and p95")
    func lognormalMedianP95() throws {
        let spec = try ttft("{dist: lognormal, median: 800ms, p95: 3s}")
        guard case .lognormal(let mu, let sigma) = spec else {
            Issue.record("expected a lognormal, got \(spec)")
            return
        }
        #expect(abs(mu - log(0.8)) < 1e-12)
        #expect(abs(sigma - log(3 / 0.8) / Self.z95) < 1e-12)
        // The median of a lognormal is exp(mu), its p95 exp(mu + z95 sigma).
        #expect(abs(exp(mu) - 0.8) < 1e-12)
        #expect(abs(exp(mu + Self.z95 * sigma) - 3) < 1e-12)
        #expect(abs(spec.mean - exp(mu + sigma * sigma / 2)) < 1e-12)
        #expect(spec == DistributionSpec.lognormal(median: 0.8, p95: 3))
    }

    @Test("lognormal from median and p95 in tokens")
    func lognormalTokens() throws {
        let spec = try inputTokens("{dist: lognormal, median: 1200, p95: 4k}")
        guard case .lognormal(let mu, let sigma) = spec else {
            Issue.record("expected a lognormal, got \(spec)")
            return
        }
        #expect(abs(mu - log(1200)) < 1e-12)
        #expect(abs(sigma - log(4000.0 / 1200) / Self.z95) < 1e-12)
    }

    @Test("lognormal from mean and cv")
    func lognormalMeanCV() throws {
        let spec = try inputTokens("{dist: lognormal, mean: 1200, cv: 0.5}")
        guard case .lognormal(let mu, let sigma) = spec else {
            Issue.record("expected a lognormal, got \(spec)")
            return
        }
        let sigma2 = log(1.25)
        #expect(abs(sigma - sigma2.squareRoot()) < 1e-12)
        #expect(abs(mu - (log(1200) - sigma2 / 2)) < 1e-12)
        #expect(abs(spec.mean - 1200) < 1e-9)
        // cv² = exp(σ²) − 1
        #expect(abs((exp(sigma * sigma) - 1).squareRoot() - 0.5) < 1e-12)
    }

    @Test("lognormal from mu and sigma")
    func lognormalMuSigma() throws {
        let spec = try ttft("{dist: lognormal, mu: -0.5, sigma: 0.25}")
        #expect(spec == .lognormal(mu: -0.5, sigma: 0.25))
        #expect(abs(spec.mean - exp(-0.5 + 0.25 * 0.25 / 2)) < 1e-12)
    }

    @Test("gamma from mean and cv: shape 1/cv², scale mean·cv²")
    func gammaMeanCV() throws {
        let spec = try inputTokens("{dist: gamma, mean: 1000, cv: 0.5}")
        guard case .gamma(let shape, let scale) = spec else {
            Issue.record("expected a gamma, got \(spec)")
            return
        }
        #expect(abs(shape - 4) < 1e-12)
        #expect(abs(scale - 250) < 1e-12)
        #expect(abs(spec.mean - 1000) < 1e-9)
    }

    @Test("gamma from shape and scale")
    func gammaShapeScale() throws {
        let spec = try ttft("{dist: gamma, shape: 2, scale: 500ms}")
        #expect(spec == .gamma(shape: 2, scale: 0.5))
        #expect(spec.mean == 1)
    }

    @Test("normal, truncated at zero")
    func normal() throws {
        let spec = try inputTokens("{dist: normal, mean: 500, sd: 100}")
        #expect(spec == .truncatedNormal(mean: 500, sd: 100))
        // Five standard deviations above zero, the truncation barely moves the mean.
        #expect(abs(spec.mean - 500) < 1e-3)
        #expect(spec.mean > 500)
        // Mean of a half-normal: sd·√(2/π).
        #expect(abs(DistributionSpec.truncatedNormal(mean: 0, sd: 1).mean - (2 / Double.pi).squareRoot()) < 1e-12)
        #expect(abs(DistributionSpec.truncatedNormal(mean: 0, sd: 3).mean - 3 * (2 / Double.pi).squareRoot()) < 1e-12)
        // E[X | X > 0] for N(1, 1): 1 + φ(1)/Φ(1).
        let phi1 = exp(-0.5) / (2 * Double.pi).squareRoot()
        let cdf1 = 0.8413447460685429
        #expect(abs(DistributionSpec.truncatedNormal(mean: 1, sd: 1).mean - (1 + phi1 / cdf1)) < 1e-12)
        #expect(DistributionSpec.truncatedNormal(mean: 7, sd: 0).mean == 7)
        #expect(DistributionSpec.truncatedNormal(mean: -2, sd: 0).mean == 0)
    }

    @Test("normal durations")
    func normalDurations() throws {
        #expect(try ttft("{dist: normal, mean: 1s, sd: 200ms}") == .truncatedNormal(mean: 1, sd: 0.2))
    }

    @Test("empirical values")
    func empirical() throws {
        let spec = try inputTokens("{dist: empirical, values: [100, 200, 4k]}")
        #expect(spec == .empirical([100, 200, 4000]))
        #expect(abs(spec.mean - 4300.0 / 3) < 1e-9)
        #expect(try ttft("{dist: empirical, values: [100ms, 300ms]}") == .empirical([0.1, 0.3]))
        #expect(DistributionSpec.empirical([]).mean == 0)
    }

    @Test("tokens per second is a distribution of amounts")
    func tokensPerSecond() throws {
        let scenario = try parse(try replacing(
            "ttft: 800ms", with: "ttft: 800ms\n        tokens_per_second: {dist: normal, mean: 80, sd: 10}"))
        #expect(scenario.firstModel.tokensPerSecond == .truncatedNormal(mean: 80, sd: 10))
    }

    @Test("the mean of each form matches the analytic mean", arguments: [
        (DistributionSpec.constant(3), 3.0),
        (.exponential(mean: 0.4), 0.4),
        (.lognormal(mu: 0, sigma: 1), exp(0.5)),
        (.lognormal(mean: 2, cv: 1.5), 2),
        (.lognormal(median: 1, p95: exp(1.6448536269514722)), exp(0.5)),
        (.gamma(shape: 3, scale: 2), 6),
        (.gamma(mean: 10, cv: 0.2), 10),
        (.truncatedNormal(mean: 0, sd: 2), 2 * (2 / Double.pi).squareRoot()),
        (.empirical([1, 2, 3, 10]), 4),
    ])
    func analyticMean(spec: DistributionSpec, mean: Double) {
        #expect(abs(spec.mean - mean) <= 1e-12 * max(1, mean))
    }

    // MARK: Rejected

    @Test("lognormal p95 must exceed the median", arguments: ["800ms", "500ms"])
    func p95NotAboveMedian(p95: String) throws {
        let error = try ttftError("{dist: lognormal, median: 800ms, p95: \(p95)}")
        #expect(error.keyPath == "providers[0].models[0].ttft.p95")
        #expect(error.message.contains("p95 must be greater than the median"))
        #expect(error.location == .file(Fixture.file, line: 13, column: 53))
    }

    @Test("distribution errors", arguments: [
        ("{median: 800ms, p95: 3s}", "providers[0].models[0].ttft", "missing required key 'dist'"),
        ("{dist: lognormal, median: 800ms}", "providers[0].models[0].ttft", "missing required key 'p95'"),
        ("{dist: lognormal, cv: 0.5}", "providers[0].models[0].ttft", "missing required key 'mean'"),
        ("{dist: lognormal}", "providers[0].models[0].ttft", "a lognormal needs median and p95"),
        ("{dist: exponential, median: 1s}", "providers[0].models[0].ttft.median", "unknown key 'median'"),
        ("{dist: exponential, mean: 0s}", "providers[0].models[0].ttft.mean", "expected a positive value"),
        ("{dist: exponential, mean: 1}", "providers[0].models[0].ttft.mean", "expected a duration"),
        ("{dist: gamma, mean: 1s, cv: 0}", "providers[0].models[0].ttft.cv", "expected a coefficient of variation from 0.0001 to 10, found 0"),
        ("{dist: gamma, shape: 2}", "providers[0].models[0].ttft", "missing required key 'scale'"),
        ("{dist: lognormal, mu: 0, sigma: -1}", "providers[0].models[0].ttft.sigma", "from 1e-09 to 4, found -1"),
        ("{dist: normal, mean: 1s, sd: -1s}", "providers[0].models[0].ttft.sd", "non-negative"),
        ("{dist: empirical, values: []}", "providers[0].models[0].ttft.values", "at least one value"),
        ("{dist: empirical, values: 1s}", "providers[0].models[0].ttft.values", "expected a list"),
        ("{dist: empirical, values: [1s, 2 parsecs]}", "providers[0].models[0].ttft.values[1]", "2 parsecs"),
        ("[1s, 2s]", "providers[0].models[0].ttft", "expected a value or a distribution"),
        ("{dist: weibull, shape: 2}", "providers[0].models[0].ttft.dist", "found 'weibull'"),
        ("-1s", "providers[0].models[0].ttft", "non-negative"),
    ])
    func rejected(text: String, keyPath: String, message: String) throws {
        let error = try ttftError(text)
        #expect(error.keyPath == keyPath)
        #expect(error.message.contains(message), "message: \(error.message)")
    }

    @Test("a generation speed that can be zero is rejected", arguments: [
        "0", "{dist: constant, value: 0}", "{dist: empirical, values: [40, 0, 80]}",
    ])
    func zeroSpeed(text: String) throws {
        let error = try parseError(try replacing(
            "ttft: 800ms", with: "ttft: 800ms\n        tokens_per_second: \(text)"))
        #expect(error.keyPath == "providers[0].models[0].tokens_per_second")
        #expect(error.message.contains("above 0"))
        #expect(error.location == .file(Fixture.file, line: 14, column: 28))
    }

    @Test("negative token amounts are rejected")
    func negativeTokens() throws {
        let error = try parseError(try replacing("output_tokens: 200", with: "output_tokens: -200"))
        #expect(error.keyPath == "traffic.classes[0].output_tokens")
        #expect(error.message.contains("non-negative"))
    }
}
