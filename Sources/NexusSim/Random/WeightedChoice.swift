import CGSL

/// Chooses an index with given weights in O(1) per draw (Walker's alias method, GSL `gsl_ran_discrete`).
///
/// Owns the GSL lookup table, hence a final class.
public final class WeightedChoice {
    private let table: UnsafeMutablePointer<gsl_ran_discrete_t>?
    public let count: Int

    /// - Parameter weights: non-negative, not all zero; need not sum to 1.
    public init(weights: [Double]) {
        precondition(!weights.isEmpty && weights.allSatisfy { $0 >= 0 } && weights.contains { $0 > 0 },
                     "weights must be non-negative and not all zero")
        GSL.initialize()
        count = weights.count
        // A single outcome needs no table (and no random draw).
        table = weights.count == 1 ? nil : weights.withUnsafeBufferPointer { gsl_ran_discrete_preproc($0.count, $0.baseAddress) }
    }

    deinit { if let table { gsl_ran_discrete_free(table) } }

    @inlinable public func choose(_ stream: RandomStream) -> Int {
        guard let table = tablePointer else { return 0 }
        return Int(gsl_ran_discrete(stream.source.rng, table))
    }

    @usableFromInline var tablePointer: UnsafeMutablePointer<gsl_ran_discrete_t>? { table }
}
