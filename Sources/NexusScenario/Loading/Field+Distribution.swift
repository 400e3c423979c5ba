import Foundation

/// What the values of a distribution measure, which decides how they are written.
enum Quantity {
    /// Written as durations (`800ms`); base unit seconds.
    case duration
    /// Written as plain numbers (`1200`, `4k`); base unit tokens or tokens per second.
    case amount

    /// The largest value of the quantity a scenario may give (base units): 100 years, or 10^9 tokens,
    /// tokens per second or turns.
    var maximum: Double {
        switch self {
        case .duration: Units.maximumDurationSeconds
        case .amount: Units.maximumAmount
        }
    }

    var example: String {
        switch self {
        case .duration: "{dist: lognormal, median: 800ms, p95: 3s}"
        case .amount: "{dist: lognormal, median: 1200, p95: 4000}"
        }
    }
}

extension Field {
    /// A distribution: a single value (a constant) or a mapping with `dist:` and its parameters.
    ///
    /// Accepted forms: `constant` (`value`), `exponential` (`mean`), `lognormal` (`median`+`p95`, `mean`+`cv`,
    /// or `mu`+`sigma` in log base units), `gamma` (`mean`+`cv`, or `shape`+`scale`), `normal` (`mean`+`sd`,
    /// truncated at 0), `empirical` (`values`).
    func distribution(of quantity: Quantity) throws -> DistributionSpec {
        if case .scalar = node {
            let v = try value(of: quantity)
            return .constant(v)
        }
        guard case .mapping = node else { throw expected("a value or a distribution such as \(quantity.example)") }
        let kinds = ["constant", "exponential", "lognormal", "gamma", "normal", "empirical"]
        let dist = try mapping(allowed: ["dist"] + DistributionKeys.all).required("dist")
        let kind = try dist.text()
        switch kind {
        case "constant":
            let m = try mapping(allowed: ["dist", "value"])
            return .constant(try m.required("value").value(of: quantity))
        case "exponential":
            let m = try mapping(allowed: ["dist", "mean"])
            return .exponential(mean: try m.required("mean").positive(quantity))
        case "lognormal":
            let m = try mapping(allowed: ["dist", "median", "p95", "mean", "cv", "mu", "sigma"])
            if m.has("median") || m.has("p95") {
                let median = try m.required("median").positive(quantity)
                let p95Field = try m.required("p95")
                let p95 = try p95Field.positive(quantity)
                guard p95 > median else { throw p95Field.error("p95 must be greater than the median for a lognormal") }
                guard p95 <= median * Self.lognormalMaximumP95Ratio else {
                    throw p95Field.error("p95 may be at most \(Int(Self.lognormalMaximumP95Ratio)) times the median (sigma at most "
                                         + "\(Int(Self.lognormalMaximumSigma))), found \(Units.format(p95 / median)) times")
                }
                return .lognormal(median: median, p95: p95)
            }
            if m.has("mean") || m.has("cv") {
                let mean = try m.required("mean").positive(quantity)
                let cv = try m.required("cv").double(in: Self.lognormalCVRange, what: "a coefficient of variation")
                return .lognormal(mean: mean, cv: cv)
            }
            if m.has("mu") || m.has("sigma") {
                let sigma = try m.required("sigma").double(in: Self.sigmaRange, what: "a sigma (the standard deviation of the log)")
                let muField = try m.required("mu")
                let mu = try muField.double(in: -50...Foundation.log(quantity.maximum),
                                            what: "a mu (the log of the median, in \(quantity == .duration ? "seconds" : "base units"))")
                return .lognormal(mu: mu, sigma: sigma)
            }
            throw error("a lognormal needs median and p95, or mean and cv, or mu and sigma")
        case "gamma":
            let m = try mapping(allowed: ["dist", "mean", "cv", "shape", "scale"])
            if m.has("shape") || m.has("scale") {
                let shape = try m.required("shape").double(in: Self.gammaShapeRange, what: "a shape")
                let scaleField = try m.required("scale")
                let scale = try scaleField.positive(quantity)
                guard shape * scale <= quantity.maximum else {
                    throw scaleField.error("the mean (shape × scale = \(Units.format(shape * scale))) may be at most \(Units.format(quantity.maximum))")
                }
                return .gamma(shape: shape, scale: scale)
            }
            let mean = try m.required("mean").positive(quantity)
            return .gamma(mean: mean, cv: try m.required("cv").double(in: Self.gammaCVRange, what: "a coefficient of variation"))
        case "normal":
            let m = try mapping(allowed: ["dist", "mean", "sd"])
            let mean = try m.required("mean").value(of: quantity)
            let sdField = try m.required("sd")
            let sd = try sdField.value(of: quantity)
            guard sd >= 0 else { throw sdField.error("the standard deviation must be >= 0") }
            return .truncatedNormal(mean: mean, sd: sd)
        case "empirical":
            let m = try mapping(allowed: ["dist", "values"])
            let values = try m.required("values").list().map { try $0.value(of: quantity) }
            guard !values.isEmpty else { throw try m.required("values").error("an empirical distribution needs at least one value") }
            return .empirical(values)
        default:
            throw dist.error("expected a distribution kind (\(kinds.joined(separator: ", "))), found '\(kind)'",
                             suggestion: nearest(to: kind, in: kinds))
        }
    }

    /// A single non-negative value of the quantity, in base units, at most ``Quantity/maximum``.
    func value(of quantity: Quantity) throws -> Double {
        switch quantity {
        case .duration: return try durationSeconds()
        case .amount:
            let v = try double()
            guard v >= 0 else { throw error("expected a non-negative number, found \(Units.format(v))") }
            guard v <= quantity.maximum else { throw error("expected a number of at most 1e9, found \(Units.format(v))") }
            return v
        }
    }

    // Spread limits: wide enough for any latency or size distribution seen in practice (p95 up to 720 times the
    // median), narrow enough that no draw is absurd (a lognormal with sigma 1000 draws 0 or infinity).
    static let lognormalMaximumSigma = 4.0
    static let lognormalMaximumP95Ratio = 720.0  // exp(4 × 1.645) ≈ 720
    static let sigmaRange = 1e-9...lognormalMaximumSigma
    static let lognormalCVRange = 1e-9...2980.0  // sigma = sqrt(ln(1 + cv²)) ≤ 4
    static let gammaCVRange = 1e-4...10.0  // shape = 1/cv² from 0.01 to 10^8
    static let gammaShapeRange = 0.01...1e8

    func positive(_ quantity: Quantity) throws -> Double {
        let v = try value(of: quantity)
        guard v > 0 else { throw error("expected a positive value, found '\(try text())'") }
        return v
    }

    func positiveNumber() throws -> Double {
        let v = try double()
        guard v > 0 else { throw error("expected a positive number, found \(v)") }
        return v
    }
}

private enum DistributionKeys {
    static let all = ["value", "mean", "median", "p95", "cv", "mu", "sigma", "shape", "scale", "sd", "values"]
}
