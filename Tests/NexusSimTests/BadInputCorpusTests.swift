import Foundation
import NexusGateway
import NexusScenario
import NexusSim
import Testing

/// A seeded corpus of malformed inputs, generated from every bundled scenario and trace: deleted and misspelt
/// keys, wrong types, extreme and non-finite numbers, out-of-range durations, rates and dates, foreign
/// encodings, deep nesting, YAML aliases, long lines, truncation; and for traces, truncated and corrupted rows.
/// Each case must be either a located error (file and line, or a key path) or a clean, bounded run: never a
/// trap, never a hang. The generator is deterministic (SplitMix64 from fixed seeds), so every run checks the
/// same ``BadInputCorpus/caseCount`` cases.
@Suite(.timeLimit(.minutes(5)))
struct BadInputCorpusTests {
    @Test func theCorpusHoldsSeveralHundredCasesOfEveryKind() {
        #expect(BadInputCorpus.scenarioCases.count == BadInputCorpus.scenarioFiles.count * BadInputCorpus.ScenarioMutation.allCases.count
            * BadInputCorpus.variantsPerKind)
        // docs/input-limits.md states this count: 12 scenarios × 15 kinds × 4 variants + 8 traces × 40.
        #expect(BadInputCorpus.caseCount == 1040)
        // Every kind of mutation changes its input (a case equal to the original file tests nothing).
        let unchanged = BadInputCorpus.scenarioCases.filter { $0.bytes == Array($0.original.utf8) }
        #expect(unchanged.count <= BadInputCorpus.scenarioCases.count / 20, "\(unchanged.map(\.name).prefix(10))")
    }

    @Test(arguments: BadInputCorpus.scenarioFiles)
    func mutatedScenariosAreLocatedErrorsOrCleanRuns(_ file: String) throws {
        var errors = 0, runs = 0
        for c in BadInputCorpus.scenarioCases where c.file == file {
            switch BadInputCorpus.check(scenarioBytes: c.bytes, name: c.name, overrides: []) {
            case .located: errors += 1
            case .ran: runs += 1
            case .unlocated(let message): Issue.record("\(c.name): error without a location: \(message)")
            }
        }
        #expect(errors + runs == BadInputCorpus.variantsPerKind * BadInputCorpus.ScenarioMutation.allCases.count)
        #expect(errors > 0)
    }

    @Test(arguments: BadInputCorpus.traceFiles.map(\.path))
    func mutatedTracesAreLocatedErrorsOrCleanRuns(_ path: String) throws {
        let trace = BadInputCorpus.traceFiles.first { $0.path == path }!
        var errors = 0, runs = 0
        for c in BadInputCorpus.traceCases(for: trace) {
            let file = BadInputCorpus.work.appendingPathComponent("trace-\(c.name.replacingOccurrences(of: "/", with: "_"))").path
            FileManager.default.createFile(atPath: file, contents: Data(c.bytes))
            defer { try? FileManager.default.removeItem(atPath: file) }
            var overrides = trace.overrides
            overrides.append(Override(path: "traffic.trace.file", value: file))
            overrides.append(Override(path: "traffic.trace.on_bad_row", value: c.skipBadRows ? "skip" : "fail"))
            switch BadInputCorpus.check(scenarioBytes: Array(BadInputCorpus.replayScenario.utf8), name: c.name, overrides: overrides) {
            case .located: errors += 1
            case .ran: runs += 1
            case .unlocated(let message): Issue.record("\(c.name): error without a location: \(message)")
            }
        }
        #expect(errors + runs == BadInputCorpus.traceMutationsPerFile)
        #expect(errors > 0 && runs > 0)
    }
}

/// The generator and the checker of the bad-input corpus.
enum BadInputCorpus {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
    static let scenarios = root.appendingPathComponent("Scenarios")
    /// A scratch directory beside the scenarios' `prices/` and `traces/` (linked), so relative references resolve.
    static let work: URL = {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("nexus-corpus-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for sub in ["prices", "traces"] {
            try? FileManager.default.createSymbolicLink(at: dir.appendingPathComponent(sub), withDestinationURL: scenarios.appendingPathComponent(sub))
        }
        // The bundled scenarios too, unmutated, so that a variant's `extends: baseline.yaml` finds its base. Cases
        // are written as `case-*.yaml` and `trace-*`, never under these names.
        for file in ((try? FileManager.default.contentsOfDirectory(atPath: scenarios.path)) ?? []) where file.hasSuffix(".yaml") {
            try? FileManager.default.createSymbolicLink(at: dir.appendingPathComponent(file), withDestinationURL: scenarios.appendingPathComponent(file))
        }
        return dir
    }()

    static let variantsPerKind = 4
    static let traceMutationsPerFile = 40

    static var scenarioFiles: [String] {
        let top = ((try? FileManager.default.contentsOfDirectory(atPath: scenarios.path)) ?? []).filter { $0.hasSuffix(".yaml") }
        let validation = ((try? FileManager.default.contentsOfDirectory(atPath: scenarios.appendingPathComponent("validation").path)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.map { "validation/\($0)" }
        return (top + validation).sorted()
    }

    static var caseCount: Int { scenarioCases.count + traceFiles.count * traceMutationsPerFile }

    static var replayScenario: String { (try? String(contentsOf: scenarios.appendingPathComponent("replay-azure.yaml"), encoding: .utf8)) ?? "" }

    // MARK: Checking

    enum Outcome { case located, ran, unlocated(String) }

    /// Loads the bytes as a scenario file (as `validate` does), and when it loads, checks its trace and runs it
    /// for at most a few simulated minutes and a few thousand arrivals.
    static func check(scenarioBytes: [UInt8], name: String, overrides: [Override]) -> Outcome {
        let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
        let path = work.appendingPathComponent("case-\(safe).yaml").path
        FileManager.default.createFile(atPath: path, contents: Data(scenarioBytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var scenario: Scenario
        do {
            scenario = try ScenarioLoader.load(path: path, overrides: overrides)
        } catch let error as ScenarioError {
            return error.location != nil || !error.keyPath.isEmpty ? .located : .unlocated(error.description)
        } catch {
            return .unlocated("\(error)")
        }
        let s = scenario.simulation
        scenario.simulation.durationNanos = min(s.durationNanos, 300_000_000_000)
        scenario.simulation.warmupNanos = min(s.warmupNanos, scenario.simulation.durationNanos / 2)
        scenario.simulation.drainNanos = min(s.drainNanos, 60_000_000_000)
        let plan = SimulationPlan(scenario)
        if case .failure(let error)? = plan.trace {
            return error.line > 0 || !error.file.isEmpty ? .located : .unlocated(error.description)
        }
        var simulation = Simulation(plan: plan, baseSeed: 1)
        var until: Nanoseconds = 0
        while !simulation.isFinished, simulation.requestsSimulatedSoFar < 3000, until < simulation.endTime {
            until += 1_000_000_000
            simulation.run(until: until)
        }
        let summary = simulation.finish()
        _ = summary.requests
        return .ran
    }

    // MARK: Scenario mutations

    enum ScenarioMutation: String, CaseIterable {
        case deleteLine, misspellKey, wrongType, extremeNumber, extremeDuration, extremeRate, badDate, encoding, nesting, alias,
             longLine, truncate, duplicateKey, tabIndent, dropSection
    }

    struct Case {
        var file: String
        var name: String
        var original: String
        var bytes: [UInt8]
    }

    static let scenarioCases: [Case] = {
        var cases: [Case] = []
        for (f, file) in scenarioFiles.enumerated() {
            guard let text = try? String(contentsOf: scenarios.appendingPathComponent(file), encoding: .utf8) else { continue }
            for (k, kind) in ScenarioMutation.allCases.enumerated() {
                for v in 0..<variantsPerKind {
                    var rng = SplitMix64(seed: UInt64(f * 1000 + k * 10 + v))
                    cases.append(Case(file: file, name: "\(file)#\(kind.rawValue)-\(v)", original: text,
                                      bytes: mutate(text, kind, variant: v, rng: &rng)))
                }
            }
        }
        return cases
    }()

    static let extremeNumbers = ["1e308", "-1e308", "1e-308", "nan", ".nan", ".inf", "-.inf", "0", "-1", "9223372036854775807",
                                 "18446744073709551616", "1e16", "0.0001", "1e-12", "99999999999999999999", "4.9e-324", "1e309", "-0"]
    static let extremeDurations = ["1ns", "1e-12s", "0.4ns", "1e300s", "0s", "-5s", "36526d", "9999999999h", "nans", "1e19ns", "infs"]
    static let extremeRates = ["1e300/s", "1e7/s", "1000001/s", "0/s", "-1/s", "5/fortnight", "1e-300/s", "nan/s", "1e12/day"]
    static let badDates = ["2300-01-01", "1600-01-01", "99999-01-01", "2262-04-12", "1677-09-21T00:00:00Z", "2261-12-31T23:59:59Z",
                           "2026-02-30", "-2026-01-01"]
    static let wrongTypes = ["[1, 2]", "{a: 1}", "\"text\"", "true", "", "~", "-", "'$'", "[[[]]]", "{}", "[]"]

    static func mutate(_ text: String, _ kind: ScenarioMutation, variant: Int, rng: inout SplitMix64) -> [UInt8] {
        var lines = text.components(separatedBy: "\n")
        let keyLines = lines.indices.filter { lines[$0].range(of: #"^\s*(- )?[A-Za-z_]+:"#, options: .regularExpression) != nil }
        let valueLines = keyLines.filter { lines[$0].range(of: #":\s+[^\s#]"#, options: .regularExpression) != nil }
        func pick(_ xs: [Int]) -> Int? { xs.isEmpty ? nil : xs[Int(rng.next() % UInt64(xs.count))] }
        func element<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
        /// Replaces the `n`-th match of `pattern` in a random line that has one with `replacement`.
        func replaceToken(_ pattern: String, with replacement: String) {
            let candidates = lines.indices.filter { !lines[$0].trimmingCharacters(in: .whitespaces).hasPrefix("#")
                && lines[$0].range(of: pattern, options: .regularExpression) != nil }
            guard let i = pick(candidates), let r = lines[i].range(of: pattern, options: .regularExpression) else { return }
            lines[i].replaceSubrange(r, with: replacement)
        }
        func setValue(ofKey key: String, to value: String) -> Bool {
            guard let i = lines.firstIndex(where: { $0.range(of: #"^\s*(- )?\#(key):"#, options: .regularExpression) != nil }),
                  let colon = lines[i].range(of: "\(key):") else { return false }
            lines[i] = String(lines[i][..<colon.upperBound]) + " " + value
            return true
        }
        switch kind {
        case .deleteLine:
            if let i = pick(keyLines) { lines.remove(at: i) }
        case .misspellKey:
            if let i = pick(keyLines), let colon = lines[i].firstIndex(of: ":") {
                var key = Array(lines[i][..<colon])
                let letters = key.indices.filter { key[$0].isLetter }
                if let j = pick(letters) {
                    if variant % 2 == 0 { key[j] = key[j] == "x" ? "y" : "x" } else { key.remove(at: j) }
                }
                lines[i] = String(key) + lines[i][colon...]
            }
        case .wrongType:
            if let i = pick(valueLines), let colon = lines[i].firstIndex(of: ":") {
                lines[i] = String(lines[i][...colon]) + " " + element(wrongTypes)
            }
        case .extremeNumber:
            replaceToken(#"(?<![A-Za-z0-9_.-])[0-9]+(\.[0-9]+)?(?![0-9])"#, with: extremeNumbers[(variant * 5 + Int(rng.next() % 5)) % extremeNumbers.count])
        case .extremeDuration:
            let d = extremeDurations[(variant * 3 + Int(rng.next() % 3)) % extremeDurations.count]
            if variant == 0, setValue(ofKey: "series_window", to: "1ns") { break }
            replaceToken(#"\b[0-9]+(\.[0-9]+)?(ms|s|m|h|d)\b"#, with: d)
        case .extremeRate:
            let r = extremeRates[(variant * 2 + Int(rng.next() % 2)) % extremeRates.count]
            let before = lines
            if !setValue(ofKey: "rate", to: "\"\(r)\"") {
                // A rate inside a flow mapping (`arrivals: {process: poisson, rate: "${x}/day"}`), else a bare rate token.
                replaceToken(#"rate: *("[^"]*"|[^,}\s]+)"#, with: "rate: \"\(r)\"")
                if lines == before { replaceToken(#"[0-9.kM]+/(s|min|h|day)"#, with: r) }
            }
            if lines == before {
                // A variant that inherits its arrivals: give it some.
                let arrivals = "  arrivals: {process: poisson, rate: \"\(r)\"}"
                if let i = lines.firstIndex(where: { $0.hasPrefix("traffic:") }) { lines.insert(arrivals, at: i + 1) }
                else { lines += ["traffic:", arrivals] }
            }
        case .badDate:
            let d = badDates[(variant * 2 + Int(rng.next() % 2)) % badDates.count]
            if !setValue(ofKey: "start", to: d) {
                // No start: add one under simulation.
                if let i = lines.firstIndex(where: { $0.hasPrefix("simulation:") }) { lines.insert("  start: \(d)", at: i + 1) }
            }
        case .encoding:
            let bytes = Array(lines.joined(separator: "\n").utf8)
            switch variant {
            case 0: return [0xEF, 0xBB, 0xBF] + bytes
            case 1: return Array(lines.joined(separator: "\n").data(using: .utf16LittleEndian)!)
            case 2:
                var b = bytes
                b.insert(contentsOf: [0xFF, 0xC3, 0x28], at: Int(rng.next() % UInt64(max(b.count, 1))))
                return b
            default:
                return Array(lines.joined(separator: "\r\n").utf8) + [0]
            }
        case .nesting:
            let depth = [70, 500, 10_000, 63][variant]
            if variant == 1 {
                // Block nesting, one level per line.
                lines += (0..<depth).map { String(repeating: " ", count: $0) + "k\($0):" }
            } else if let i = pick(valueLines), let colon = lines[i].firstIndex(of: ":") {
                lines[i] = String(lines[i][...colon]) + " " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            }
        case .alias:
            switch variant {
            case 0:
                // The classic billion laughs, 9 levels of 9.
                lines.append("lol0: &a0 [lol]")
                for l in 1..<9 { lines.append("lol\(l): &a\(l) [" + Array(repeating: "*a\(l - 1)", count: 9).joined(separator: ",") + "]") }
            case 1:
                if let i = pick(valueLines), let colon = lines[i].firstIndex(of: ":"), let j = pick(valueLines.filter { $0 > i }),
                   let colon2 = lines[j].firstIndex(of: ":") {
                    lines[i] = String(lines[i][...colon]) + " &anchor " + lines[i][lines[i].index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    lines[j] = String(lines[j][...colon2]) + " *anchor"
                }
            case 2:
                lines.insert("x-base: &base {instances: 1}", at: 0)
                lines.append("x-more: {<<: *base}")
            default:
                lines.append("x-undefined: *nowhere")
            }
        case .longLine:
            switch variant {
            case 0: if let i = pick(valueLines), let colon = lines[i].firstIndex(of: ":") {
                lines[i] = String(lines[i][...colon]) + " " + String(repeating: "a", count: 200_000)
            }
            case 1: lines.append("# " + String(repeating: "#", count: 1_100_000))  // over the size limit
            case 2: lines.append("description2: " + String(repeating: "9", count: 5_000))
            default: if let i = pick(valueLines), let colon = lines[i].firstIndex(of: ":") {
                lines[i] = String(lines[i][...colon]) + " " + String(repeating: "1", count: 400)
            }
            }
        case .truncate:
            let joined = Array(lines.joined(separator: "\n").utf8)
            return Array(joined.prefix(Int(rng.next() % UInt64(max(joined.count, 1)))))
        case .duplicateKey:
            if let i = pick(keyLines) { lines.insert(lines[i], at: i + 1) }
        case .tabIndent:
            if let i = pick(keyLines.filter { lines[$0].hasPrefix(" ") }) { lines[i] = "\t" + lines[i].drop { $0 == " " } }
        case .dropSection:
            let sections = lines.indices.filter { lines[$0].range(of: #"^[a-z_]+:"#, options: .regularExpression) != nil }
            if let i = pick(sections) {
                let end = sections.first { $0 > i } ?? lines.count
                lines.removeSubrange(i..<end)
            }
        }
        return Array(lines.joined(separator: "\n").utf8)
    }

    // MARK: Trace mutations

    struct TraceFile {
        var path: String
        var overrides: [Override]
    }

    static var traceFiles: [TraceFile] {
        let fixtures = root.appendingPathComponent("Tests/Fixtures/traces")
        func fixture(_ name: String, _ format: String, columns: String? = nil) -> TraceFile {
            var o = [Override(path: "traffic.trace.format", value: format)]
            if let columns { o.append(Override(path: "traffic.trace.columns", value: columns)) }
            return TraceFile(path: fixtures.appendingPathComponent(name).path, overrides: o)
        }
        return [
            TraceFile(path: scenarios.appendingPathComponent("traces/azure-conv-2023-excerpt.csv").path, overrides: []),
            fixture("azure.csv", "azure"),
            fixture("mooncake.jsonl", "mooncake"),
            fixture("burstgpt.csv", "burstgpt"),
            fixture("litellm.csv", "litellm"),
            fixture("litellm.jsonl", "litellm"),
            fixture("generic.csv", "csv", columns: "{timestamp: ts_ms, timestamp_unit: ms, input_tokens: tokens_in, output_tokens: tokens_out}"),
            fixture("generic.jsonl", "jsonl", columns: "{timestamp: when, input_tokens: in, output_tokens: out, user: who}"),
        ]
    }

    struct TraceCase {
        var name: String
        var bytes: [UInt8]
        var skipBadRows: Bool
    }

    static let badFields = ["abc", "-5", "1e308", "99999999999999999999", "", "nan", "2300-01-01 00:00:00", "1600-01-01 00:00:00",
                            "9999-12-31 23:59:59.999999999", "-9223372036854775808", "9223372036854775807", "\"", "{", "null", "[1,2]",
                            "0.5", "1e-9", "+1", "１２"]

    static func traceCases(for trace: TraceFile) -> [TraceCase] {
        guard let data = FileManager.default.contents(atPath: trace.path), let text = String(data: data, encoding: .utf8) else { return [] }
        let name = URL(fileURLWithPath: trace.path).lastPathComponent
        let allLines = text.components(separatedBy: "\n")
        return (0..<traceMutationsPerFile).map { n in
            var rng = SplitMix64(seed: UInt64(n) &* 0x9E37 &+ UInt64(name.utf8.count))
            var lines = Array(allLines.prefix(200))
            func row() -> Int { lines.count > 2 ? 1 + Int(rng.next() % UInt64(lines.count - 2)) : 0 }
            let separator: Character = name.hasSuffix(".csv") ? "," : ","
            var prefix: [UInt8] = [], suffix: [UInt8] = []
            switch n % 13 {
            case 0:  // a truncated row
                let i = row(); lines[i] = String(lines[i].prefix(Int(rng.next() % UInt64(max(lines[i].count, 1)))))
            case 1, 2, 3:  // a corrupted field
                let i = row()
                var fields = lines[i].split(separator: separator, omittingEmptySubsequences: false).map(String.init)
                if !fields.isEmpty {
                    let j = Int(rng.next() % UInt64(fields.count))
                    let bad = badFields[Int(rng.next() % UInt64(badFields.count))]
                    if name.hasSuffix(".jsonl"), let colon = fields[j].firstIndex(of: ":") {
                        fields[j] = String(fields[j][...colon]) + " " + (bad.allSatisfy { $0.isNumber || $0 == "-" || $0 == "." || $0 == "e" } && !bad.isEmpty ? bad : "\"\(bad)\"")
                    } else {
                        fields[j] = bad
                    }
                }
                lines[i] = fields.joined(separator: String(separator))
            case 4:  // rows out of order
                let i = row(), j = row(); lines.swapAt(i, j)
            case 5:  // blank and whitespace lines
                lines.insert("", at: row()); lines.insert("   ", at: row())
            case 6:  // a very long line
                lines.insert(String(repeating: "7", count: 300_000), at: row())
            case 7:  // a byte-order mark
                prefix = [0xEF, 0xBB, 0xBF]
            case 8:  // invalid UTF-8 and NUL bytes in a row
                suffix = [0x0A, 0xFF, 0xFE, 0x00, 0x2C, 0x31]
            case 9:  // no header, or only a header
                if n % 2 == 0 { lines.removeFirst() } else { lines = Array(lines.prefix(1)) }
            case 10:  // Windows line endings
                return TraceCase(name: "\(name)#\(n)", bytes: Array(lines.joined(separator: "\r\n").utf8), skipBadRows: n % 2 == 1)
            case 11:  // a row with many fields
                lines.insert(Array(repeating: "1", count: 500).joined(separator: ","), at: row())
            default:  // cut anywhere
                let joined = Array(lines.joined(separator: "\n").utf8)
                return TraceCase(name: "\(name)#\(n)", bytes: Array(joined.prefix(Int(rng.next() % UInt64(max(joined.count, 1))))),
                                 skipBadRows: n % 2 == 1)
            }
            return TraceCase(name: "\(name)#\(n)", bytes: prefix + Array(lines.joined(separator: "\n").utf8) + suffix, skipBadRows: n % 2 == 1)
        }
    }
}

/// SplitMix64: a small, fast, deterministic generator for the corpus.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
