/// Virtual or wall time in integer nanoseconds.
///
/// The gateway components never read a clock: every call that depends on time takes `now`
/// in these units, so the same component runs in the simulator and in a live gateway.
public typealias Nanoseconds = Int64

extension Nanoseconds {
    /// `seconds` in whole nanoseconds, rounded half away from zero: exactly `(seconds * 1e9).rounded()`,
    /// without the libm call that showed in profiles of the run loop (a draw per arrival and per attempt).
    /// Traps, like that conversion, when the value is not finite or does not fit.
    @inlinable
    public init(roundingSeconds seconds: Double) {
        let x = seconds * 1e9
        let magnitude = abs(x)
        // Adding 0.5 and truncating is exact for 0.5 ≤ |x| < 2^52 (0.5 is then a multiple of x's ulp, and
        // the sum cannot round across an integer). Below 0.5 it could round 0.49999999999999994 up to 1;
        // from 2^52 on every double is whole, and the sum could move an odd value to the next even one.
        // The two guards are almost never taken, so they cost nothing in the run loop, where a truncate-
        // and-compare version lengthened the dependency chain of every latency draw (measured: −10 %).
        if magnitude < 0.5 {
            self = 0
        } else if magnitude >= 4_503_599_627_370_496 {
            self.init(x)
        } else {
            self.init(x >= 0 ? x + 0.5 : x - 0.5)
        }
    }
}

/// A sum of money in US dollars.
///
/// A value type rather than a bare `Double` so that a price per token can never be added to a
/// latency by mistake.
public struct USD: Hashable, Comparable, Sendable, AdditiveArithmetic, CustomStringConvertible {
    /// The amount in dollars.
    public var dollars: Double

    @inlinable public init(_ dollars: Double) { self.dollars = dollars }

    public static let zero = USD(0)

    @inlinable public static func + (a: USD, b: USD) -> USD { USD(a.dollars + b.dollars) }
    @inlinable public static func - (a: USD, b: USD) -> USD { USD(a.dollars - b.dollars) }
    @inlinable public static func += (a: inout USD, b: USD) { a.dollars += b.dollars }
    @inlinable public static func * (a: USD, k: Double) -> USD { USD(a.dollars * k) }
    @inlinable public static func < (a: USD, b: USD) -> Bool { a.dollars < b.dollars }

    public var description: String { "$\(dollars)" }
}

/// Where a request's data may go. Ordered from least to most sensitive.
public enum DataClassification: String, CaseIterable, Sendable, Comparable {
    case `public`
    case `internal`
    case confidential
    case restricted

    /// A bit for sets of classifications packed into an integer (used on the routing hot path).
    @inlinable public var bit: UInt8 {
        switch self {
        case .public: 1
        case .internal: 2
        case .confidential: 4
        case .restricted: 8
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.bit < b.bit }
}

/// A set of data classifications, packed in a byte.
public struct ClassificationSet: Hashable, Sendable, ExpressibleByArrayLiteral {
    public var bits: UInt8

    public init(_ classes: some Sequence<DataClassification>) {
        bits = classes.reduce(0) { $0 | $1.bit }
    }

    public init(arrayLiteral elements: DataClassification...) { self.init(elements) }

    @inlinable public func contains(_ c: DataClassification) -> Bool { bits & c.bit != 0 }

    /// The classifications in the set, least sensitive first.
    public var members: [DataClassification] { DataClassification.allCases.filter(contains) }
}
