import Foundation
import NexusSim

extension RunSummary {
    /// The summary as stored in the `replications` table: compact JSON with sorted keys (the same summary
    /// always gives the same bytes), NaN and infinities as the strings `nan`, `inf`, `-inf`, histograms as
    /// their non-empty buckets (see `LatencyHistogram`'s `Codable`). Decoding it with
    /// ``init(storedJSON:)`` gives back a summary whose every metric, percentile and merge is identical.
    public func storedJSON() throws -> String {
        String(decoding: try Self.encoder.encode(self), as: UTF8.self)
    }

    /// Reads a summary written by ``storedJSON()``.
    public init(storedJSON text: String) throws {
        self = try Self.decoder.decode(RunSummary.self, from: Data(text.utf8))
    }

    private static let floats = (positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: floats.positiveInfinity, negativeInfinity: floats.negativeInfinity, nan: floats.nan)
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: floats.positiveInfinity, negativeInfinity: floats.negativeInfinity, nan: floats.nan)
        return decoder
    }
}
