import Foundation
import Testing

/// A command-line mistake and what the tool must answer: the documented exit code and a message on stderr.
struct Mistake: Sendable, CustomTestStringConvertible {
    var arguments: [String]
    var status: Int32
    /// Text stderr must contain (`$TMP` stands for the corpus's temporary directory).
    var message: String

    init(_ arguments: [String], _ status: Int32, _ message: String) {
        self.arguments = arguments
        self.status = status
        self.message = message
    }

    var testDescription: String { "nexus-sim " + arguments.joined(separator: " ") }
}

/// Files the mistakes refer to, made once: bad traces and scenarios, a FIFO, targets files.
enum MistakeFiles {
    static let directory: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nexus-mistakes-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func write(_ name: String, _ bytes: [UInt8]) { FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(bytes)) }
        func write(_ name: String, _ text: String) { write(name, Array(text.utf8)) }
        let header = "TIMESTAMP,ContextTokens,GeneratedTokens\n"
        write("nul.csv", Array((header + "2023-11-16 18:15:46.6805900,1").utf8) + [0, 10])
        write("long.csv", Array(header.utf8) + [UInt8](repeating: UInt8(ascii: "1"), count: (16 << 20) + 10))
        write("utf16.csv", [0xFF, 0xFE] + header.utf8.flatMap { [$0, 0] })
        write("empty.csv", "")
        write("header-only.csv", header)
        write("unsorted.csv", header + "2023-11-16 18:15:50.0,1,1\n2023-11-16 18:15:40.0,1,1\n")
        write("notes.txt", "these are not requests\n")
        write("bad-utf8.yaml", Array("name: x\nsimulation:\n  duration: 1".utf8) + [0xFF] + Array("h\n".utf8))
        write("bad-utf16.yaml", [0xFF, 0xFE] + (Array("name: x\n".utf16) + [0xD800, 0x0A]).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        write("empty.yaml", "")
        write("list.yaml", "- a\n- b\n")
        write("targets.txt", "p95_latency < 100s\n")
        write("bad-targets.txt", "p95_latncy < 2s\n")
        write("garbled-targets.txt", "p95_latency <<< soon\n")
        let mmc = try! String(contentsOf: CLI.root.appendingPathComponent(CLI.mmc), encoding: .utf8)
        write("ref-unknown.yaml", mmc.replacingOccurrences(of: "warmup_s: {default: 500,", with: "warmup_s: {default: \"${wramup}\","))
        write("ref-cycle.yaml", mmc.replacingOccurrences(of: "warmup_s: {default: 500,", with: "warmup_s: {default: \"${warmup_s}\","))
        mkfifo(dir + "/trace.fifo", 0o600)
        mkdir(dir + "/folder", 0o700)
        return dir
    }()
}

/// About a hundred command-line mistakes run through the built binary: each ends by `exit` (never a signal,
/// never a hang) with its documented code — 64 usage, 2 invalid input, 3 a store or output failure — and a
/// message on stderr that says what to change.
@Suite struct CommandLineMistakesTests {
    static let mmc = CLI.mmc
    static let small = CLI.smallMMc
    static let replay = "Scenarios/replay-azure.yaml"
    static let traces = "Tests/Fixtures/traces"

    static let cases: [Mistake] = usage + invalidInput + traceMistakes + outputFailures

    static let usage: [Mistake] = [
        Mistake([], 64, "give a subcommand"),
        Mistake(["frobnicate"], 64, "Unexpected argument 'frobnicate'"),
        Mistake(["run"], 64, "Missing expected argument '<scenario>'"),
        Mistake(["validate"], 64, "Missing expected argument '<scenario>'"),
        Mistake(["run", mmc, "--seed", "-1"], 64, "expected a whole number from 0 to 18446744073709551615"),
        Mistake(["run", mmc, "--seed", "-9223372036854775808"], 64, "expected a whole number from 0 to 18446744073709551615"),
        Mistake(["run", mmc, "--seed", "abc"], 64, "The value 'abc' is invalid for '--seed <seed>'; expected a whole number from 0"),
        Mistake(["run", mmc, "--seed", "1.5"], 64, "expected a whole number from 0 to 18446744073709551615"),
        Mistake(["run", mmc, "--seed", "18446744073709551616"], 64, "expected a whole number from 0 to 18446744073709551615"),
        Mistake(["run", mmc, "--seed=-3"], 64, "expected a whole number from 0 to 18446744073709551615"),
        Mistake(["run", mmc, "--seed"], 64, "Missing value for '--seed <seed>'"),
        Mistake(["run", mmc, "--replications", "-1"], 64, "--replications must be from 1 to 10000, found "),
        Mistake(["run", mmc, "--replications", "0"], 64, "--replications must be from 1 to 10000, found "),
        Mistake(["run", mmc, "--replications", "many"], 64, "expected a whole number of at least 1"),
        Mistake(["run", mmc, "--replications", "2.5"], 64, "expected a whole number of at least 1"),
        Mistake(["run", mmc, "--threads", "-2"], 64, "--threads must be from 1 to 1024, found "),
        Mistake(["run", mmc, "--threads", "0"], 64, "--threads must be from 1 to 1024, found "),
        Mistake(["run", mmc, "--threads", "all"], 64, "expected a whole number of at least 1"),
        Mistake(["run", mmc, "--max-replications", "-5", "--precision", "5%"], 64, "--max-replications must be from 2 to 10000, found -5"),
        Mistake(["run", mmc, "--shard", "-1/4"], 64, "the shard index must be between 1 and 4"),
        Mistake(["run", mmc, "--shard", "0/4"], 64, "the shard index must be between 1 and 4"),
        Mistake(["run", mmc, "--shard", "5/4"], 64, "the shard index must be between 1 and 4"),
        Mistake(["run", mmc, "--shard", "half"], 64, "--shard"),
        Mistake(["run", mmc, "--shard", "1/0"], 64, "--shard"),
        Mistake(["run", mmc, "--shard", "-2"], 64, "--shard"),
        Mistake(["run", mmc, "--precision", "-2%"], 64, "--precision expects a percentage above 0"),
        Mistake(["run", mmc, "--precision", "-0.02"], 64, "--precision expects a percentage above 0"),
        Mistake(["run", mmc, "--precision", "0"], 64, "--precision expects a percentage above 0"),
        Mistake(["run", mmc, "--precision", "150%"], 64, "--precision expects a percentage above 0"),
        Mistake(["run", mmc, "--precision", "tight"], 64, "--precision expects a percentage above 0"),
        Mistake(["run", mmc, "--precision", "2%", "--shard", "1/2"], 64, "cannot be split with --shard"),
        Mistake(["run", mmc, "--jsn"], 64, "Unknown option '--jsn'"),
        Mistake(["run", mmc, "--trace-format", "azure"], 64, "--trace-format needs --trace FILE"),
        Mistake(["run", mmc, "--trace", "\(traces)/azure.csv", "--trace-format", "parquet"], 64, "--trace-format expects one of"),
        Mistake(["forecast", mmc], 64, "Missing expected argument '--month <YYYY-MM>'"),
        Mistake(["forecast", mmc, "--month", "2026-13"], 64, "--month expects YYYY-MM"),
        Mistake(["forecast", mmc, "--month", "-1"], 64, "--month expects YYYY-MM"),
        Mistake(["forecast", mmc, "--month", "2026-12", "--replications", "-3"], 64, "--replications must be from 1 to 10000, found "),
        Mistake(["forecast", mmc, "--month", "2026-12", "--threads", "-1"], 64, "--threads must be from 1 to 1024, found "),
        Mistake(["forecast", mmc, "--month", "2026-12", "--seed", "-1"], 64, "expected a whole number from 0 to 18446744073709551615"),
        Mistake(["compare", mmc], 64, "give a second scenario"),
        Mistake(["compare", mmc, mmc, "--replications", "1"], 64, "compare needs at least 2 replications"),
        Mistake(["compare", mmc, mmc, "--replications", "-1"], 64, "--replications must be from 1 to 10000, found "),
        Mistake(["sweep", mmc, "--grid", "servers=1,2", "--precision", "2%"], 64, "--precision is not available for sweep"),
        Mistake(["report", "-1"], 64, "'-1' was read as an option: a negative number is not a valid value here"),
        Mistake(["report", "abc"], 64, "expected a run id (a positive whole number) or 'latest'"),
        Mistake(["report", "0"], 64, "expected a run id (a positive whole number) or 'latest'"),
        Mistake(["merge"], 64, "give the shard databases to merge"),
        Mistake(["gate", mmc, "--junit"], 64, "Missing value for '--junit <FILE>'"),
        Mistake(["bench", "--nonsense"], 64, "Unknown option '--nonsense'"),
    ]

    static let invalidInput: [Mistake] = [
        Mistake(["run", "missing.yaml", "--no-store"], 2, "cannot read scenario file 'missing.yaml': No such file or directory"),
        Mistake(["validate", "Scenarios"], 2, "cannot read scenario file 'Scenarios': it is a directory"),
        Mistake(["validate", "$TMP/bad-utf8.yaml"], 2, "$TMP/bad-utf8.yaml:3:14: error: invalid UTF-8 (byte 0xFF)"),
        Mistake(["validate", "$TMP/bad-utf16.yaml"], 2, "$TMP/bad-utf16.yaml:2:1: error: invalid UTF-16 (unpaired surrogate 0xD800)"),
        Mistake(["validate", "$TMP/empty.yaml"], 2, "the scenario is empty"),
        Mistake(["validate", "$TMP/list.yaml"], 2, "error"),
        Mistake(["validate", "$TMP/ref-unknown.yaml"], 2, "unknown parameter 'wramup'"),
        Mistake(["validate", "$TMP/ref-cycle.yaml"], 2, "the parameter refers to itself: warmup_s → warmup_s"),
        Mistake(["run", mmc, "--no-store", "--param", "nope=1"], 2, "unknown parameter 'nope'"),
        Mistake(["run", mmc, "--no-store", "--param", "servrs=1"], 2, "did you mean 'servers'?"),
        Mistake(["run", mmc, "--no-store", "--param", "servers"], 2, "--param expects NAME=VALUE, found 'servers'"),
        Mistake(["run", mmc, "--no-store", "--param", "=5"], 2, "--param expects NAME=VALUE"),
        Mistake(["run", mmc, "--no-store", "--param", "servers=-3"], 2, "gateway.instances"),
        Mistake(["run", mmc, "--no-store", "--param", "servers=lots"], 2, "gateway.instances"),
        Mistake(["run", mmc, "--no-store", "--set", "nokey"], 2, "--set expects NAME=VALUE, found 'nokey'"),
        Mistake(["run", mmc, "--no-store", "--set", "gateway.instancez=3"], 2, "unknown key 'instancez'"),
        Mistake(["run", mmc, "--no-store", "--set", "gateway.instances=abc"], 2, "command line (--set gateway.instances=abc)"),
        Mistake(["run", mmc, "--no-store", "--set", "gateway..instances=3"], 2, "expected a dotted key path"),
        Mistake(["run", mmc, "--no-store", "--set", "simulation.duration=-5m"], 2, "simulation.duration"),
        Mistake(["run", mmc, "--no-store", "--set", "simulation.duration=forever"], 2, "simulation.duration"),
        Mistake(["run", mmc, "--no-store", "--set", "simulation.seed=-1"], 2, "simulation.seed"),
        Mistake(["sweep", mmc, "--no-store"], 2, "a sweep needs at least one --grid"),
        Mistake(["sweep", mmc, "--no-store", "--grid", "serverz=1,2"], 2, "command line (--grid serverz=1,2): error: parameters: unknown parameter 'serverz'"),
        Mistake(["sweep", mmc, "--no-store", "--grid", "servers="], 2, "empty value in 'servers='"),
        Mistake(["sweep", mmc, "--no-store", "--grid", "servers=1", "--grid", "servers=2"], 2, "appears in two --grid flags"),
        Mistake(["sweep", mmc, "--no-store", "--grid", "servers"], 2, "expected NAME=v1,v2,..., found 'servers'"),
        Mistake(["sweep", mmc, "--no-store", "--grid", "gateway.instancez=1,2"], 2, "unknown key 'instancez'"),
        Mistake(["gate", mmc, "--no-store"] + small, 2, "no targets to check"),
        Mistake(["gate", mmc, "--no-store", "--targets", "$TMP/none.txt"] + small, 2, "none.txt"),
        Mistake(["gate", mmc, "--no-store", "--targets", "$TMP/bad-targets.txt"] + small, 2, "p95_latncy"),
        Mistake(["gate", mmc, "--no-store", "--targets", "$TMP/garbled-targets.txt"] + small, 2, "garbled-targets.txt:1"),
        Mistake(["compare", mmc, "missing-b.yaml"], 2, "cannot read scenario file 'missing-b.yaml'"),
        Mistake(["compare", mmc, "--set-b", "gateway.instancez=3"], 2, "unknown key 'instancez'"),
        Mistake(["forecast", "missing.yaml", "--month", "2026-12", "--no-store"], 2, "cannot read scenario file 'missing.yaml'"),
        Mistake(["report", "5", "--db", "$TMP/none.sqlite"], 2, "no results database at $TMP/none.sqlite"),
        Mistake(["merge", "$TMP/none.sqlite"], 2, "none.sqlite"),
    ]

    static let traceMistakes: [Mistake] = [
        Mistake(["run", mmc, "--no-store", "--trace", "$TMP/missing.csv"], 2,
                "command line (--trace $TMP/missing.csv): error: traffic.trace.file: $TMP/missing.csv: cannot open the trace file: No such file or directory"),
        Mistake(["run", mmc, "--no-store", "--trace", "$TMP/missing.csv", "--trace-format", "azure"], 2, "No such file or directory"),
        Mistake(["run", mmc, "--no-store", "--trace", "$TMP/folder", "--trace-format", "azure"], 2, "is a directory, not a trace file"),
        Mistake(["run", mmc, "--no-store", "--trace", "/dev/zero", "--trace-format", "azure"], 2, "is a character device"),
        Mistake(["run", mmc, "--no-store", "--trace", "/dev/zero"], 2, "is a character device"),
        Mistake(["run", mmc, "--no-store", "--trace", "$TMP/trace.fifo", "--trace-format", "azure"], 2, "is a pipe (FIFO)"),
        Mistake(["run", mmc, "--no-store", "--trace", "$TMP/trace.fifo"], 2, "is a pipe (FIFO)"),
        Mistake(["run", mmc, "--no-store", "--trace", "$TMP/notes.txt"], 2, "cannot tell the trace's format from its first line"),
        Mistake(["run", mmc, "--no-store", "--trace", "\(traces)/generic.csv"], 2, "give --trace-format"),
        Mistake(["run", mmc, "--no-store", "--trace", "\(traces)/generic.csv", "--trace-format", "csv"], 2, "needs 'columns'"),
        Mistake(["run", mmc, "--no-store", "--trace", "\(traces)/bad-azure.csv"], 2, "bad-azure.csv:4: error: input tokens (column 2)"),
        Mistake(["run", mmc, "--no-store", "--trace", "\(traces)/azure.csv", "--trace-format", "mooncake"], 2, "azure.csv:1: error: malformed JSON"),
        Mistake(["run", mmc, "--no-store", "--trace", "\(traces)/mooncake.jsonl", "--trace-format", "azure"], 2, "the header has no column 'TIMESTAMP'"),
        Mistake(["run", mmc, "--no-store", "--trace", "$TMP/nul.csv"], 2, "nul.csv:2: error: binary data (a NUL byte at column 30)"),
        Mistake(["run", mmc, "--no-store", "--trace", "$TMP/long.csv"], 2, "long.csv:2: error: line longer than 16777216 bytes"),
        Mistake(["run", mmc, "--no-store", "--trace", "$TMP/utf16.csv", "--trace-format", "azure"], 2, "the trace is UTF-16 encoded"),
        Mistake(["run", mmc, "--no-store", "--trace", "$TMP/empty.csv", "--trace-format", "azure"], 2, "the trace is empty"),
        Mistake(["run", mmc, "--no-store", "--trace", "$TMP/header-only.csv"], 2, "the trace has no rows"),
        Mistake(["run", mmc, "--no-store", "--trace", "$TMP/unsorted.csv"], 2, "unsorted.csv:3: error: timestamp"),
        Mistake(["run", replay, "--no-store", "--set", "traffic.trace.file=nothere.csv"], 2,
                "command line (--set traffic.trace.file=nothere.csv): error: traffic.trace.file:"),
        Mistake(["run", replay, "--no-store", "--set", "traffic.trace.on_bad_row=maybe"], 2, "traffic.trace.on_bad_row"),
        Mistake(["run", replay, "--no-store", "--set", "traffic.trace.format=parquet"], 2, "traffic.trace.format"),
        Mistake(["validate", replay, "--trace", "$TMP/missing.csv"], 2, "cannot open the trace file: No such file or directory"),
    ]

    static let outputFailures: [Mistake] = [
        Mistake(["run", mmc, "--db", "$TMP/folder"] + small, 3, "cannot open the results database $TMP/folder"),
        Mistake(["gate", mmc, "--no-store", "--targets", "$TMP/targets.txt", "--junit", "/dev/full"] + small, 3,
                "cannot write /dev/full: No space left on device"),
        Mistake(["gate", mmc, "--no-store", "--targets", "$TMP/targets.txt", "--markdown", "/dev/full"] + small, 3,
                "cannot write /dev/full: No space left on device"),
        Mistake(["gate", mmc, "--no-store", "--targets", "$TMP/targets.txt", "--junit", "$TMP/no/such/dir/junit.xml"] + small, 3,
                "the directory $TMP/no/such/dir does not exist"),
        Mistake(["gate", mmc, "--no-store", "--targets", "$TMP/targets.txt", "--junit", "$TMP/folder"] + small, 3,
                "cannot write $TMP/folder: it is a directory"),
    ]

    @Test(arguments: cases)
    func endsWithItsDocumentedExitCodeAndAMessage(_ mistake: Mistake) throws {
        let dir = MistakeFiles.directory
        let arguments = mistake.arguments.map { $0.replacingOccurrences(of: "$TMP", with: dir) }
        let r = try CLI.run(arguments, timeoutSeconds: 120)
        #expect(!r.timedOut, "hung")
        #expect(!r.killedBySignal, "died by signal \(r.status): \(r.stderr)")
        #expect(r.status == mistake.status, "\(r.stderr)")
        #expect(r.stderr.contains(mistake.message.replacingOccurrences(of: "$TMP", with: dir)), "\(r.stderr)")
        // Nothing half-done is presented as a result.
        if r.status != 0 && r.status != 1 { #expect(r.stdout.isEmpty, "\(r.stdout.prefix(200))") }
    }

    @Test func theCorpusIsAboutAHundredCases() {
        #expect(Self.cases.count >= 100)
        // No two cases are the same command line.
        #expect(Set(Self.cases.map(\.testDescription)).count == Self.cases.count)
    }
}
