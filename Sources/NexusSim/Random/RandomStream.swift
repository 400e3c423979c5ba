import CGSL

/// One independent stream of random numbers: a GSL Mersenne Twister (MT19937) that this object owns.
///
/// A final class because it owns a C handle (freed in `deinit`); never shared between threads.
/// Each replication builds its own streams.
public final class RandomStream {
    @usableFromInline let rng: UnsafeMutablePointer<gsl_rng>
    /// The stream's name, e.g. `arrivals` or `provider.openai/gpt-4o.latency`.
    public let name: String

    /// Creates the stream `name` of a run seeded with `runSeed`.
    public init(runSeed: UInt64, name: String) {
        GSL.initialize()
        guard let rng = gsl_rng_alloc(nexus_rng_mt19937()) else {
            fatalError("gsl_rng_alloc failed: out of memory")
        }
        self.rng = rng
        self.name = name
        // MT19937 uses the low 32 bits of the seed; the derivation mixes all 64 into them.
        let seed = SeedDerivation.streamSeed(runSeed: runSeed, name: name)
        gsl_rng_set(rng, UInt(truncatingIfNeeded: seed ^ (seed >> 32)))
    }

    deinit { gsl_rng_free(rng) }

    /// Uniform on [0, 1).
    @inlinable public func uniform() -> Double { gsl_rng_uniform(rng) }

    /// Uniform on (0, 1): never exactly 0, for logarithms.
    @inlinable public func uniformPositive() -> Double { gsl_rng_uniform_pos(rng) }

    /// True with probability `p`.
    @inlinable public func bernoulli(_ p: Double) -> Bool { p > 0 && gsl_rng_uniform(rng) < p }

    /// Exponential with the given mean (GSL's parameter is the mean, not the rate).
    @inlinable public func exponential(mean: Double) -> Double { gsl_ran_exponential(rng, mean) }

    /// Lognormal: exp(N(mu, sigma²)).
    @inlinable public func lognormal(mu: Double, sigma: Double) -> Double { gsl_ran_lognormal(rng, mu, sigma) }

    /// Gamma with shape `shape` and scale `scale`.
    @inlinable public func gamma(shape: Double, scale: Double) -> Double { gsl_ran_gamma(rng, shape, scale) }

    /// Normal with mean 0 and standard deviation `sd`.
    @inlinable public func gaussian(sd: Double) -> Double { gsl_ran_gaussian_ziggurat(rng, sd) }

    /// Uniform integer in 0..<n.
    @inlinable public func index(below n: Int) -> Int { Int(gsl_rng_uniform_int(rng, UInt(n))) }
}

/// Process-wide GSL set-up.
public enum GSL {
    private static let once: Void = {
        // GSL's default handler aborts the process; errors are checked at call sites instead.
        gsl_set_error_handler_off()
    }()

    /// Turns GSL's aborting error handler off. Idempotent and thread-safe.
    public static func initialize() { once }
}
