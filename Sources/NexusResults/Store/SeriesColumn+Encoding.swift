import Foundation

extension SeriesColumn {
    /// How the store encodes a column of doubles in a BLOB: the values' IEEE-754 little-endian bytes, shuffled
    /// into byte planes (every value's byte 0, then every byte 1, ...) so that the near-constant sign, exponent
    /// and low mantissa bytes of counts and single-precision values form long runs, then zlib-compressed.
    /// Exact for every value, NaN included.
    static let encoding = "f64-shuffle-zlib"

    /// `values` encoded as ``encoding``.
    static func encode(_ values: [Double]) -> [UInt8] {
        let n = values.count
        var planes = [UInt8](repeating: 0, count: n * 8)
        planes.withUnsafeMutableBufferPointer { out in
            for (i, value) in values.enumerated() {
                var bits = value.bitPattern.littleEndian
                for plane in 0..<8 {
                    out[plane * n + i] = UInt8(truncatingIfNeeded: bits)
                    bits >>= 8
                }
            }
        }
        return Deflate.compress(planes)
    }

    /// The `count` values that `blob` (written by ``encode(_:)``) holds.
    static func decode(_ blob: [UInt8], count: Int) throws -> [Double] {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: 8)
        guard !overflow else { throw Deflate.CorruptData(description: "a column of \(count) values is too long") }
        let planes = try Deflate.decompress(blob, count: bytes)
        return planes.withUnsafeBufferPointer { p in
            (0..<count).map { i in
                var bits: UInt64 = 0
                for plane in (0..<8).reversed() { bits = bits << 8 | UInt64(p[plane * count + i]) }
                return Double(bitPattern: bits)
            }
        }
    }
}
