import Foundation
import NexusScenario
import NexusSim
import Testing

/// What a trace file may be: one pass in linear time, bounded lines, text only, regular files only, and errors
/// that name the line and quote at most a short excerpt.
@Suite struct TraceInputLimitsTests {
    static func temporaryFile(_ name: String, _ bytes: [UInt8]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nexus-trace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    static func scanError(_ spec: TraceSpec) -> TraceError? {
        do {
            _ = try TraceStats.scan(spec)
            return nil
        } catch {
            return error
        }
    }

    static let header = "TIMESTAMP,ContextTokens,GeneratedTokens\n"

    @Test func aUTF8ByteOrderMarkIsSkippedInCSVAndJSONLines() throws {
        for (name, format) in [("azure.csv", TraceFormat.azure), ("mooncake.jsonl", .mooncake)] {
            let plain = TrafficFixtures.path(name)
            let withMark = try Self.temporaryFile(name, [0xEF, 0xBB, 0xBF] + Array(try Data(contentsOf: URL(fileURLWithPath: plain))))
            let expected = try TraceStats.scan(TraceSpec(path: plain, format: format))
            #expect(try TraceStats.scan(TraceSpec(path: withMark, format: format)) == expected)
            #expect(try TraceFormat.detect(path: withMark) == format)
        }
    }

    @Test func rowsAcrossReadChunksAreCountedExactly() throws {
        // 30,000 rows of varying length (a model name of 0–99 characters): lines straddle every 64 KiB read
        // boundary; odd rows end in CRLF.
        var text = "TIMESTAMP,ContextTokens,GeneratedTokens,Model\n"
        for i in 0..<30_000 {
            text += "\(i),\(i % 1000),\(i % 10),m\(String(repeating: "x", count: (i * 37) % 100))"
            text += i % 2 == 1 ? "\r\n" : "\n"
        }
        let path = try Self.temporaryFile("chunks.csv", Array(text.utf8))
        let columns = TraceColumns(timestamp: "TIMESTAMP", timestampUnit: .ms, inputTokens: "ContextTokens",
                                   outputTokens: "GeneratedTokens", model: "Model")
        let stats = try TraceStats.scan(TraceSpec(path: path, format: .csv, columns: columns))
        #expect(stats.rows == 30_000)
        #expect(stats.skippedRows == 0)
        #expect(stats.inputTokens == (0..<30_000).reduce(0) { $0 + $1 % 1000 })
        #expect(stats.outputTokens == (0..<30_000).reduce(0) { $0 + $1 % 10 })
        #expect(stats.lastTime == 29_999 * 1_000_000)
    }

    @Test func aLineLongerThanTheLimitIsAnErrorAtItsLine() throws {
        let limit = 16 << 20
        let path = try Self.temporaryFile("long.csv", Array((Self.header + "2023-11-16 18:15:46.6805900,1,1\n").utf8)
            + [UInt8](repeating: UInt8(ascii: "7"), count: limit + 1))
        let error = try #require(Self.scanError(TraceSpec(path: path, format: .azure)))
        #expect(error.line == 3)
        #expect(error.message == "line longer than \(limit) bytes; a trace has one request per line (is this a trace file?)")
        // Whatever the bad-row policy: nothing after such a line can be trusted.
        #expect(Self.scanError(TraceSpec(path: path, format: .azure, onBadRow: .skip))?.line == 3)
    }

    @Test func aLongLineIsReadWholeAndTheNextOneAfterIt() throws {
        // A 12 MiB field (under the limit) is one bad row; the row after it is read normally.
        let long = String(repeating: "1", count: 12 << 20)
        let text = Self.header + "2023-11-16 18:15:46.6805900,\(long),1\n2023-11-16 18:15:47.0000000,5,6\n"
        let path = try Self.temporaryFile("one-line.csv", Array(text.utf8))
        let stats = try TraceStats.scan(TraceSpec(path: path, format: .azure, onBadRow: .skip))
        #expect(stats.rows == 1 && stats.skippedRows == 1)
        #expect(stats.inputTokens == 5 && stats.outputTokens == 6)
        #expect(Self.scanError(TraceSpec(path: path, format: .azure))?.line == 2)
    }

    @Test func binaryDataIsRejectedWithLineAndColumn() throws {
        let path = try Self.temporaryFile("nul.csv", Array((Self.header + "2023-11-16 18:15:46.6805900,12").utf8) + [0] + Array(",3\n".utf8))
        let error = try #require(Self.scanError(TraceSpec(path: path, format: .azure)))
        #expect(error.line == 2)
        #expect(error.message == "binary data (a NUL byte at column 31); a trace is UTF-8 text: CSV or JSON lines")
        let utf16 = try Self.temporaryFile("utf16.csv", [0xFF, 0xFE] + Self.header.utf8.flatMap { [$0, 0] })
        #expect(Self.scanError(TraceSpec(path: utf16, format: .azure))?.message == "the trace is UTF-16 encoded; save it as UTF-8")
    }

    @Test func onlyRegularFilesAreTracesAndEveryRefusalSaysWhy() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nexus-trace-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fifo = directory + "/trace.fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        // Refused before opening: opening a FIFO without a writer would block forever.
        #expect(Self.scanError(TraceSpec(path: fifo, format: .azure))?.message.hasPrefix("is a pipe (FIFO); a trace is read more than once") == true)
        #expect(Self.scanError(TraceSpec(path: "/dev/zero", format: .azure))?.message.hasPrefix("is a character device") == true)
        #expect(Self.scanError(TraceSpec(path: directory, format: .azure))?.message == "is a directory, not a trace file")
        let missing = Self.scanError(TraceSpec(path: directory + "/missing.csv", format: .azure))
        #expect(missing?.line == 0)
        #expect(missing?.message == "cannot open the trace file: No such file or directory")
        // Reported where the file was named.
        let located = missing?.description(namedAt: .file("s.yaml", line: 12, column: 11))
        #expect(located == "s.yaml:12:11: error: traffic.trace.file: \(directory)/missing.csv: cannot open the trace file: No such file or directory")
    }

    @Test func aHugeBadFieldIsQuotedAsAShortExcerpt() throws {
        let field = String(repeating: "9", count: 5_000_000) + "x"
        let path = try Self.temporaryFile("field.csv", Array((Self.header + "2023-11-16 18:15:46.6805900,\(field),1\n").utf8))
        let error = try #require(Self.scanError(TraceSpec(path: path, format: .azure)))
        #expect(error.line == 2)
        #expect(error.message.utf8.count < 400)
        #expect(error.message.hasSuffix("found '\(String(repeating: "9", count: 200))…' (5000001 bytes)"))
        // A cut never splits a character: 150 two-byte characters are cut to 100.
        let accents = String(repeating: "é", count: 150)
        let header = try Self.temporaryFile("accents.csv", Array("TIMESTAMP,\(accents),GeneratedTokens\n".utf8))
        let missing = try #require(Self.scanError(TraceSpec(path: header, format: .azure)))
        #expect(missing.message == "the header has no column 'ContextTokens'; columns: TIMESTAMP, "
            + "\(String(repeating: "é", count: 100))… (300 bytes), GeneratedTokens")
    }

    @Test(arguments: [("azure.csv", TraceFormat.azure), ("mooncake.jsonl", .mooncake), ("burstgpt.csv", .burstgpt),
                      ("litellm.csv", .litellm), ("litellm.jsonl", .litellm)])
    func theFormatIsDetectedFromTheFirstLine(file: String, format: TraceFormat) throws {
        #expect(try TraceFormat.detect(path: TrafficFixtures.path(file)) == format)
    }

    @Test func aTraceWithoutNamedColumnsHasNoDetectedFormat() throws {
        #expect(try TraceFormat.detect(path: TrafficFixtures.path("generic.csv")) == nil)
        #expect(try TraceFormat.detect(path: TrafficFixtures.path("generic.jsonl")) == nil)
    }
}
