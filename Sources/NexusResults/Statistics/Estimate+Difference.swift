extension Estimate {
    /// An estimate given by its parts (e.g. a difference computed elsewhere).
    public init(mean: Double, ci95: ClosedRange<Double>?, replications: Int) {
        self.mean = mean
        self.ci95 = ci95
        self.replications = replications
    }

    /// The paired estimate of `b − a`: the Student-t interval of the per-replication differences
    /// `b[i] − a[i]`. With common random numbers (same seeds) the pairs are positively correlated and this
    /// interval is narrower than the independent one. Pairs where either value is NaN are left out.
    public static func pairedDifference(_ a: [Double], _ b: [Double]) -> Estimate {
        precondition(a.count == b.count, "paired samples must have the same length")
        return Estimate(zip(a, b).compactMap { $0.isNaN || $1.isNaN ? nil : $1 - $0 })
    }

    /// The independent-samples estimate of `mean(b) − mean(a)`: Welch's interval, ignoring any pairing
    /// (`t` quantile with Welch–Satterthwaite degrees of freedom). `nil` interval with fewer than two values
    /// on either side.
    public static func independentDifference(_ a: [Double], _ b: [Double]) -> Estimate {
        let xs = a.filter { !$0.isNaN }, ys = b.filter { !$0.isNaN }
        guard !xs.isEmpty, !ys.isEmpty else { return Estimate(mean: .nan, ci95: nil, replications: 0) }
        let (mx, vx) = meanAndVariance(xs), (my, vy) = meanAndVariance(ys)
        let mean = my - mx
        guard xs.count >= 2, ys.count >= 2 else { return Estimate(mean: mean, ci95: nil, replications: min(xs.count, ys.count)) }
        let sx = vx / Double(xs.count), sy = vy / Double(ys.count)
        let se = (sx + sy).squareRoot()
        guard se > 0 else { return Estimate(mean: mean, ci95: mean...mean, replications: min(xs.count, ys.count)) }
        let df = (sx + sy) * (sx + sy) / (sx * sx / Double(xs.count - 1) + sy * sy / Double(ys.count - 1))
        let half = tQuantile975(degreesOfFreedom: df) * se
        return Estimate(mean: mean, ci95: (mean - half)...(mean + half), replications: min(xs.count, ys.count))
    }

    private static func meanAndVariance(_ xs: [Double]) -> (Double, Double) {
        let n = Double(xs.count)
        let mean = xs.reduce(0, +) / n
        guard xs.count >= 2 else { return (mean, 0) }
        return (mean, xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1))
    }
}
