import CGSL
import Foundation
import NexusScenario
import NexusSim
import Testing

/// Each distribution's draws against GSL's own CDFs and the analytic mean.
///
/// Tolerances come from the sample size: the sample mean within 5 standard errors, the empirical CDF
/// at each checked quantile within 5·√(p(1−p)/n) (binomial standard error). Seeds are fixed.
@Suite struct SamplerTests {
    static let n = 200_000

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var spec: DistributionSpec
        var analyticMean: Double
        /// The quantile function (GSL `*_Pinv`) for checking the empirical CDF.
        var quantile: @Sendable (Double) -> Double
        var testDescription: String { name }
    }

    static let lognormalSigma: Double = log(3 / 0.8) / 1.6448536269514722
    static let cvSigma2: Double = log(1 + 2.25)
    static let truncatedMean: Double = 80 + 15 * gsl_ran_ugaussian_pdf(16.0 / 3) / gsl_cdf_ugaussian_P(16.0 / 3)

    static let cases: [Case] = [
        Case(name: "exponential mean 2", spec: .exponential(mean: 2), analyticMean: 2,
             quantile: { p in gsl_cdf_exponential_Pinv(p, 2) }),
        Case(name: "lognormal median 0.8 p95 3", spec: .lognormal(median: 0.8, p95: 3),
             analyticMean: 0.8 * exp(lognormalSigma * lognormalSigma / 2),
             quantile: { p in gsl_cdf_lognormal_Pinv(p, log(0.8), lognormalSigma) }),
        Case(name: "lognormal mean 1200 cv 1.5", spec: .lognormal(mean: 1200, cv: 1.5), analyticMean: 1200,
             quantile: { p in gsl_cdf_lognormal_Pinv(p, log(1200) - cvSigma2 / 2, cvSigma2.squareRoot()) }),
        Case(name: "gamma shape 2 scale 0.5", spec: .gamma(shape: 2, scale: 0.5), analyticMean: 1,
             quantile: { p in gsl_cdf_gamma_Pinv(p, 2, 0.5) }),
        Case(name: "gamma mean 3 cv 0.5", spec: .gamma(mean: 3, cv: 0.5), analyticMean: 3,
             quantile: { p in gsl_cdf_gamma_Pinv(p, 4, 0.75) }),
        // Mean 80, sd 15: truncation at 0 is 5.3 sd away, so the normal CDF applies (to 5e-8);
        // the truncated mean is 80 + 15·φ(16/3)/Φ(16/3).
        Case(name: "normal 80 ± 15", spec: .truncatedNormal(mean: 80, sd: 15), analyticMean: truncatedMean,
             quantile: { p in 80 + gsl_cdf_gaussian_Pinv(p, 15) }),
    ]

    @Test(arguments: cases)
    func meanAndQuantilesMatchGSL(_ c: Case) {
        let stream = RandomStream(runSeed: 42, name: "test.\(c.name)")
        let sampler = Sampler(c.spec)
        var draws = (0..<Self.n).map { _ in sampler.sample(stream) }
        let n = Double(Self.n)
        let mean = draws.reduce(0, +) / n
        let sd = (draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        #expect(abs(mean - c.analyticMean) < 5 * sd / n.squareRoot(), "mean \(mean) vs \(c.analyticMean)")
        #expect(abs(c.spec.mean - c.analyticMean) < 1e-9 * c.analyticMean, "DistributionSpec.mean")
        draws.sort()
        for p in [0.05, 0.25, 0.5, 0.75, 0.95, 0.99] {
            let q = c.quantile(p)
            let below = Double(draws.partitioningIndex { $0 > q }) / n
            #expect(abs(below - p) < 5 * (p * (1 - p) / n).squareRoot(), "F(\(q)) = \(below), expected \(p)")
        }
    }

    /// The ziggurat's three paths — rectangle, wedge and the tail beyond r = 7.697 — against the exponential
    /// CDF far into the tail, and the tail's own law: X − r given X > r is again exponential (mean 1).
    @Test func zigguratExponentialMatchesTheCDFIntoTheTail() {
        let n = 2_000_000
        let stream = RandomStream(runSeed: 7, name: "ziggurat")
        // The handle is valid while its stream lives.
        var draws = withExtendedLifetime(stream) { (0..<n).map { _ in stream.source.exponential(mean: 1) } }
        draws.sort()
        let count = Double(n)
        for p in [0.001, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999, 0.9995, 0.9999] {
            let q = gsl_cdf_exponential_Pinv(p, 1)
            let below = Double(draws.partitioningIndex { $0 > q }) / count
            let tolerance: Double = 5 * (p * (1 - p) / count).squareRoot()
            #expect(abs(below - p) < tolerance, "F(\(q)) = \(below), expected \(p)")
        }
        let r = 7.697117470131487
        let tail = draws[draws.partitioningIndex { $0 > r }...]
        // About n·e^(−r) ≈ 906 draws; the sd of their mean excess is 1/√906 ≈ 0.033.
        let excess = tail.reduce(0) { $0 + ($1 - r) } / Double(tail.count)
        #expect(tail.count > 700 && tail.count < 1_100)
        #expect(abs(excess - 1) < 5 / Double(tail.count).squareRoot(), "mean excess \(excess) over \(tail.count) tail draws")
    }

    @Test func truncatedNormalNeverNegativeAndMatchesTruncatedMean() {
        // Mean 0: half the mass is redrawn; E[X | X > 0] = σ·√(2/π).
        let spec = DistributionSpec.truncatedNormal(mean: 0, sd: 10)
        let stream = RandomStream(runSeed: 1, name: "trunc")
        let draws = (0..<Self.n).map { _ in Sampler(spec).sample(stream) }
        #expect(draws.allSatisfy { $0 >= 0 })
        let expected = 10 * (2 / Double.pi).squareRoot()
        #expect(abs(spec.mean - expected) < 1e-9)
        let mean = draws.reduce(0, +) / Double(Self.n)
        // The truncated distribution's sd is σ·√(1 − 2/π) ≈ 6.03.
        let tolerance: Double = 5 * 6.03 / Double(Self.n).squareRoot()
        #expect(abs(mean - expected) < tolerance)
    }

    @Test func constantAndEmpirical() {
        let stream = RandomStream(runSeed: 3, name: "e")
        #expect(Sampler(.constant(0.25)).sample(stream) == 0.25)
        let values = [1.0, 2.0, 4.0]
        var counts = [Double: Int]()
        for _ in 0..<30_000 { counts[Sampler(.empirical(values)).sample(stream), default: 0] += 1 }
        #expect(Set(counts.keys) == Set(values))
        for v in values {
            // Each value 1/3 of the time, within 5 binomial standard errors.
            let share: Double = Double(counts[v]!) / 30_000
            let tolerance: Double = 5 * (2.0 / 9 / 30_000).squareRoot()
            #expect(abs(share - 1.0 / 3) < tolerance)
        }
    }

    @Test func weightedChoiceFollowsWeights() {
        let choice = WeightedChoice(weights: [0.15, 0.35, 0.5])
        let stream = RandomStream(runSeed: 9, name: "classes")
        var counts = [0, 0, 0]
        let n = 100_000
        for _ in 0..<n { counts[choice.choose(stream)] += 1 }
        for (i, p) in [0.15, 0.35, 0.5].enumerated() {
            let share: Double = Double(counts[i]) / Double(n)
            #expect(abs(share - p) < 5 * (p * (1 - p) / Double(n)).squareRoot())
        }
    }
}

extension Array where Element == Double {
    /// The first index whose element satisfies `predicate`, for a sorted array (binary search).
    func partitioningIndex(where predicate: (Double) -> Bool) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if predicate(self[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
