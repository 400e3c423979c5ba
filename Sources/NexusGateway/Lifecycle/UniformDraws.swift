/// Where the lifecycle gets the uniform draws its router needs (weighted and latency choices, retry jitter).
///
/// The driver owns randomness: the simulator passes its seeded router stream, a live gateway any generator.
/// The lifecycle draws only when a rule needs a draw, so a seeded stream sees the same draws in every run.
public protocol UniformDraws {
    /// A uniform draw in [0, 1).
    mutating func nextUniform() -> Double
}

/// Draws from any standard-library random number generator.
public struct GeneratorDraws<Generator: RandomNumberGenerator>: UniformDraws {
    public var generator: Generator

    public init(_ generator: Generator) { self.generator = generator }

    public mutating func nextUniform() -> Double { Double.random(in: 0..<1, using: &generator) }
}

/// A fixed list of draws, repeated: for tests that state the draws a sequence uses.
public struct ScriptedDraws: UniformDraws {
    public var values: [Double]
    public private(set) var taken = 0

    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "a scripted draw list needs at least one value")
        self.values = values
    }

    public mutating func nextUniform() -> Double {
        defer { taken += 1 }
        return values[taken % values.count]
    }
}
