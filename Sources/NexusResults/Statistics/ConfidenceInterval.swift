import CGSL

/// A point estimate with its 95 % Student-t confidence interval over independent replications.
public struct Estimate: Sendable, Hashable {
    /// Mean over the replications (the single value when there is one).
    public var mean: Double
    /// 95 % interval; `nil` with fewer than two replications.
    public var ci95: ClosedRange<Double>?
    public var replications: Int

    /// Estimates the mean of `values` with a two-sided 95 % Student-t interval
    /// (`mean ± t(0.975, n−1) · s / √n`, quantile from GSL's `gsl_cdf_tdist_Pinv`).
    /// NaN values (a metric undefined in a replication) are left out.
    /// - Parameter range: the values' possible range (a share is within 0...1). The interval is cut to it:
    ///   the true mean lies in it, so the cut loses no coverage, and a report never shows an availability
    ///   interval above 100 % or a count's below 0.
    public init(_ values: [Double], range: ClosedRange<Double> = -Double.infinity...Double.infinity) {
        let xs = values.filter { !$0.isNaN }
        replications = xs.count
        guard !xs.isEmpty else {
            mean = .nan
            ci95 = nil
            return
        }
        let n = Double(xs.count)
        mean = xs.reduce(0, +) / n
        guard xs.count >= 2 else {
            ci95 = nil
            return
        }
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        let halfWidth = Self.tQuantile975(degreesOfFreedom: n - 1) * (variance / n).squareRoot()
        ci95 = max(mean - halfWidth, range.lowerBound)...min(mean + halfWidth, range.upperBound)
    }

    /// The 0.975 quantile of Student's t with `degreesOfFreedom` degrees of freedom.
    public static func tQuantile975(degreesOfFreedom: Double) -> Double {
        GSLSetup.once
        return gsl_cdf_tdist_Pinv(0.975, degreesOfFreedom)
    }

    /// Half the interval's width, relative to the mean; `nil` without an interval.
    public var relativeHalfWidth: Double? {
        ci95.map { ($0.upperBound - $0.lowerBound) / 2 / abs(mean) }
    }
}

enum GSLSetup {
    static let once: Void = { gsl_set_error_handler_off() }()
}
