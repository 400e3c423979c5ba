import NexusScenario

/// Draws values from a ``DistributionSpec`` with a ``RandomStream``.
///
/// An enum rather than a protocol so that sampling in the hot loop is a switch, not a dynamic call.
public enum Sampler: Sendable {
    case constant(Double)
    case exponential(mean: Double)
    case lognormal(mu: Double, sigma: Double)
    case gamma(shape: Double, scale: Double)
    case truncatedNormal(mean: Double, sd: Double)
    case empirical([Double])

    public init(_ spec: DistributionSpec) {
        switch spec {
        case .constant(let v): self = .constant(v)
        case .exponential(let mean): self = .exponential(mean: mean)
        case .lognormal(let mu, let sigma): self = .lognormal(mu: mu, sigma: sigma)
        case .gamma(let shape, let scale): self = .gamma(shape: shape, scale: scale)
        case .truncatedNormal(let mean, let sd): self = .truncatedNormal(mean: mean, sd: sd)
        case .empirical(let values): self = .empirical(values)
        }
    }

    /// One draw from `stream`.
    @inlinable
    public func sample(_ stream: RandomStream) -> Double { sample(stream.source) }

    /// The largest draw: 10^9 (seconds, tokens, tokens per second or turns). Every draw is clamped to
    /// `0...largestDraw` (a NaN becomes 0), so that no parameter the loader accepts can carry an infinite or
    /// absurd value into the integer times and counts of the run. The loader's limits on parameters keep
    /// the clamp from changing the distribution in any practical way.
    public static let largestDraw = 1e9

    /// One draw, within `0...largestDraw`. O(1); the truncated normal redraws negatives (expected draws < 2
    /// when mean >= 0).
    @inlinable
    public func sample(_ stream: RandomSource) -> Double {
        let x = unclampedSample(stream)
        // Written so that NaN fails both comparisons and lands on 0.
        return x >= 0 ? (x <= Self.largestDraw ? x : Self.largestDraw) : 0
    }

    @inlinable
    func unclampedSample(_ stream: RandomSource) -> Double {
        switch self {
        case .constant(let v): return v
        case .exponential(let mean): return stream.exponential(mean: mean)
        case .lognormal(let mu, let sigma): return stream.lognormal(mu: mu, sigma: sigma)
        case .gamma(let shape, let scale): return stream.gamma(shape: shape, scale: scale)
        case .truncatedNormal(let mean, let sd):
            if sd == 0 { return max(mean, 0) }
            // Rejection is exact; for a mean far below 0 it would spin, so fall back to the bound.
            for _ in 0..<1_000 {
                let x = mean + stream.gaussian(sd: sd)
                if x >= 0 { return x }
            }
            return 0
        case .empirical(let values):
            return values[stream.index(below: values.count)]
        }
    }
}
