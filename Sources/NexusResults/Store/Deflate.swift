import CZlib
import Foundation

/// zlib (RFC 1950) compression of the store's large values: series columns and replication summaries.
enum Deflate {
    /// Why bytes could not be inflated: not a zlib stream, truncated, or not the expected length.
    struct CorruptData: Error, CustomStringConvertible {
        var description: String
    }

    /// `bytes` compressed at the default level.
    static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let code = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                compress2(out.baseAddress, &capacity, input.baseAddress, uLong(input.count), Z_DEFAULT_COMPRESSION)
            }
        }
        // compressBound is an upper bound for any input, so only running out of memory can fail here.
        precondition(code == Z_OK, "zlib compress2 failed with code \(code)")
        output.removeSubrange(Int(capacity)...)
        return output
    }

    /// The `count` bytes that `compressed` inflates to.
    /// - Throws: ``CorruptData`` when the stream is damaged or does not hold exactly `count` bytes.
    static func decompress(_ compressed: [UInt8], count: Int) throws -> [UInt8] {
        guard count >= 0 else { throw CorruptData(description: "negative uncompressed length \(count)") }
        // One spare byte tells a stream longer than announced from an exact one.
        var length = uLongf(count + 1)
        var output = [UInt8](repeating: 0, count: count + 1)
        let code = output.withUnsafeMutableBufferPointer { out in
            compressed.withUnsafeBufferPointer { input in
                uncompress(out.baseAddress, &length, input.baseAddress, uLong(input.count))
            }
        }
        guard code == Z_OK else {
            throw CorruptData(description: code == Z_BUF_ERROR ? "the compressed data is longer than the \(count) bytes announced or truncated"
                                : "the compressed data is damaged (zlib code \(code))")
        }
        guard Int(length) == count else {
            throw CorruptData(description: "the compressed data holds \(length) bytes, not the \(count) announced")
        }
        output.removeLast()
        return output
    }
}
