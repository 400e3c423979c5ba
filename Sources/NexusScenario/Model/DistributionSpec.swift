import Foundation

/// A probability distribution as written in a scenario, with its parameters already in base units
/// (seconds for durations, tokens for token counts, tokens per second for speeds).
public enum DistributionSpec: Hashable, Sendable {
    /// Always the same value.
    case constant(Double)
    /// Exponential with the given mean.
    case exponential(mean: Double)
    /// Lognormal: the logarithm of the value (in base units) is normal with mean `mu` and standard deviation `sigma`.
    case lognormal(mu: Double, sigma: Double)
    /// Gamma with shape k and scale θ (mean kθ).
    case gamma(shape: Double, scale: Double)
    /// Normal with the given mean and standard deviation, truncated at 0 (negative draws are redrawn),
    /// because latencies and token counts cannot be negative.
    case truncatedNormal(mean: Double, sd: Double)
    /// Uniform choice among the listed values.
    case empirical([Double])

    /// The distribution's mean (for truncated normal, of the truncated distribution).
    public var mean: Double {
        switch self {
        case .constant(let v): return v
        case .exponential(let m): return m
        case .lognormal(let mu, let sigma): return Foundation.exp(mu + sigma * sigma / 2)
        case .gamma(let k, let theta): return k * theta
        case .truncatedNormal(let m, let s):
            guard s > 0 else { return max(m, 0) }
            // E[X | X > 0] = m + s φ(m/s) / Φ(m/s)
            let a = m / s
            let phi = Foundation.exp(-(a * a) / 2) / (2 * Double.pi).squareRoot()
            let cdf = 0.5 * (1 + erf(a / 2.0.squareRoot()))
            return m + s * phi / cdf
        case .empirical(let values): return values.reduce(0, +) / Double(max(values.count, 1))
        }
    }

    /// Lognormal with the given median and 95th percentile (the numbers people know from dashboards).
    public static func lognormal(median: Double, p95: Double) -> DistributionSpec {
        let z95 = 1.6448536269514722
        return .lognormal(mu: Foundation.log(median), sigma: Foundation.log(p95 / median) / z95)
    }

    /// Lognormal with the given mean and coefficient of variation.
    public static func lognormal(mean: Double, cv: Double) -> DistributionSpec {
        let sigma2 = Foundation.log(1 + cv * cv)
        return .lognormal(mu: Foundation.log(mean) - sigma2 / 2, sigma: sigma2.squareRoot())
    }

    /// Gamma with the given mean and coefficient of variation (shape 1/cv², scale mean·cv²).
    public static func gamma(mean: Double, cv: Double) -> DistributionSpec {
        .gamma(shape: 1 / (cv * cv), scale: mean * cv * cv)
    }
}

