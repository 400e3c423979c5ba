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

    /// Reads a summary written by ``storedJSON()``, including one stored before the per-tier and per-class
    /// groups existed (they read as empty).
    public init(storedJSON text: String) throws {
        var data = Data(text.utf8)
        let groups = Self.groupKeys.filter { !text.contains("\"\($0)\"") }
        if !groups.isEmpty, var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] {
            for key in groups { object[key] = [Any]() }
            data = try JSONSerialization.data(withJSONObject: object)
        }
        self = try Self.decoder.decode(RunSummary.self, from: data)
    }

    /// Keys added to the stored summary after its first version, each an array that older summaries lack.
    private static let groupKeys = ["byClass", "byTier"]

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
