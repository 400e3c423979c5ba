import CGSL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The standard exponential distribution by the ziggurat method (G. Marsaglia and W. W. Tsang, "The
/// Ziggurat Method for Generating Random Variables", J. Stat. Software 5(8), 2000), with 256 strips.
///
/// One 32-bit draw gives both the strip (its low 8 bits) and the position within it (its high 24 bits),
/// so strip and position are independent (the original shares bits between them). A draw inside the
/// strip's rectangle is accepted at once; otherwise the wedge is tested against `exp(-x)`, and the base
/// strip's tail is `r + Exp(1)` by memorylessness.
@usableFromInline
enum ExponentialZiggurat {
    /// Right edge of the last rectangle (r) and the common strip area (v), from the paper.
    @usableFromInline static let r = 7.697117470131487
    static let v = 3.949659822581572e-3
    static let scale = 16_777_216.0  // 2^24: the position's range

    /// One strip: the acceptance bound on the 24-bit position, the strip's width per position unit, and
    /// exp(-x) at its left edge.
    @usableFromInline
    struct Strip {
        @usableFromInline var k: UInt32 = 0
        @usableFromInline var w: Double = 0
        @usableFromInline var f: Double = 0
    }

    /// The 256 strips, built once and never freed (6 KiB), read through a plain pointer so that a draw
    /// touches no reference count.
    @usableFromInline nonisolated(unsafe) static let strips: UnsafePointer<Strip> = {
        let t = UnsafeMutablePointer<Strip>.allocate(capacity: 256)
        t.initialize(repeating: Strip(), count: 256)
        var de = r
        var te = r
        let q = v / exp(-de)
        t[0].k = UInt32((de / q) * scale)
        t[1].k = 0
        t[0].w = q / scale
        t[255].w = de / scale
        t[0].f = 1
        t[255].f = exp(-de)
        for i in stride(from: 254, through: 1, by: -1) {
            de = -log(v / de + exp(-de))
            t[i + 1].k = UInt32((de / te) * scale)
            te = de
            t[i].f = exp(-de)
            t[i].w = de / scale
        }
        return UnsafePointer(t)
    }()

    /// One draw with mean 1. Expected 1.01 generator draws.
    @inlinable
    static func sample(_ rng: UnsafeMutablePointer<gsl_rng>) -> Double {
        let t = strips
        while true {
            let bits = UInt32(truncatingIfNeeded: gsl_rng_get(rng))
            let strip = Int(bits & 0xFF)
            let position = bits >> 8
            let x = Double(position) * t[strip].w
            if position < t[strip].k { return x }
            if strip == 0 { return r - log(gsl_rng_uniform_pos(rng)) }
            if t[strip].f + gsl_rng_uniform(rng) * (t[strip - 1].f - t[strip].f) < exp(-x) { return x }
        }
    }
}
