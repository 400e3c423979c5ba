import ArgumentParser
import Foundation
import NexusGateway
import NexusResults
import NexusScenario
import NexusSim

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure simulation speed: requests/s and events/s on one core.",
        discussion: """
            Runs the M/M/c validation case (c = 100, λ = 90/s, mean service 1 s) for about --requests \
            requests, then the baseline scenario, each on one thread. Build with -c release for real figures.
            """)

    @Option(help: "Requests to simulate in the M/M/c case.")
    var requests = 1_000_000

    @Option(help: "Baseline scenario to time as well (skipped when the file does not exist).")
    var baseline = "Scenarios/baseline.yaml"

    @Option(help: ArgumentHelp("Measure only these cases (comma-separated): trace, mmc, baseline.", valueName: "CASES"))
    var only: String?

    @Option(help: "Repetitions of each measurement; the best is reported.")
    var repeats = 3

    @Option(help: "Azure-format trace for the replay-memory measurement (skipped when the file does not exist).")
    var trace = "Scenarios/traces/azure-conv-2023-excerpt.csv"

    @Option(help: "The long trace is the trace looped this many times (timestamps shifted by its span each pass).")
    var traceLength = 10

    func run() throws {
        #if DEBUG
        printError("warning: this is a debug build; run `swift run -c release nexus-sim bench` for real figures")
        #endif
        // First, while the process is small: peak RSS only grows, so a flat figure for the long trace shows
        // that replay memory does not depend on the trace's length.
        let cases = Set((only ?? "trace,mmc,baseline").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        if !cases.contains("trace") {
        } else if FileManager.default.fileExists(atPath: trace), FileManager.default.fileExists(atPath: "Scenarios/replay-azure.yaml") {
            try benchTraceMemory()
        } else {
            printError("note: \(trace) not found; trace replay memory not measured")
        }
        if cases.contains("mmc") {
            let mmc = try ScenarioLoader.parse(text: Self.mmcScenario(requests: requests), file: "<bench mmc>")
            report("M/M/c  c=100 λ=90/s", measure(SimulationPlan(mmc)))
        }
        if !cases.contains("baseline") {
        } else if FileManager.default.fileExists(atPath: baseline) {
            let scenario = try ScenarioLoader.load(path: baseline)
            report("baseline.yaml", measure(SimulationPlan(scenario)))
        } else {
            printError("note: \(baseline) not found; baseline not measured")
        }
    }

    /// Replays the trace and the trace looped `traceLength` times (written to a temporary file) against
    /// `Scenarios/replay-azure.yaml`, and prints the peak RSS after each.
    private func benchTraceMemory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nexus-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let stats = try TraceStats.scan(TraceSpec(path: trace, format: .azure))
        let long = directory.appendingPathComponent("long.csv").path
        try Self.writeLooped(trace: trace, to: long, passes: max(traceLength, 1), period: stats.loopPeriodNanos)
        let duration = Double(stats.loopPeriodNanos) * Double(max(traceLength, 1)) / 1e9 + 60
        for (label, file) in [("trace replay ×1", trace), ("trace replay ×\(traceLength)", long)] {
            let scenario = try ScenarioLoader.load(path: "Scenarios/replay-azure.yaml", overrides: [
                Override(path: "traffic.trace.file", value: file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file),
                Override(path: "simulation.duration", value: "\(duration)s"),
            ])
            report(label, measure(SimulationPlan(scenario)))
        }
    }

    /// Writes `passes` copies of an Azure-format trace, each shifted by `period` nanoseconds, streaming.
    static func writeLooped(trace: String, to path: String, passes: Int, period: Int64) throws {
        guard let out = FileHandle(forWritingAtPath: path) ?? {
            FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }() else { throw ExitStatus.storeFailure }
        defer { try? out.close() }
        out.write(Data("TIMESTAMP,ContextTokens,GeneratedTokens\n".utf8))
        for pass in 0..<passes {
            guard let input = FileHandle(forReadingAtPath: trace) else { throw ExitStatus.invalidInput }
            let text = String(decoding: input.readDataToEndOfFile(), as: UTF8.self)
            try? input.close()
            var chunk = ""
            for line in text.split(whereSeparator: \.isNewline).dropFirst() {
                let fields = line.split(separator: ",", maxSplits: 1)
                guard fields.count == 2, let t = TimestampParser.iso8601Nanos(Array(fields[0].utf8)) else { continue }
                chunk += Self.azureTimestamp(t + Int64(pass) * period) + "," + fields[1] + "\n"
            }
            out.write(Data(chunk.utf8))
        }
    }

    /// `2023-11-16 18:15:46.6805900` for nanoseconds since the epoch.
    static func azureTimestamp(_ nanos: Int64) -> String {
        let seconds = nanos / 1_000_000_000, fraction = nanos % 1_000_000_000
        let secondOfDay = Int(seconds % 86_400)
        let (year, month, day) = CivilTime.date(days: seconds / 86_400)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d.%07lld", year, month, day, secondOfDay / 3600, secondOfDay / 60 % 60,
                      secondOfDay % 60, fraction / 100)
    }

    private struct Measurement {
        var requests: Int
        var events: Int
        var seconds: Double
        var peakInFlight: Int
    }

    private func measure(_ plan: SimulationPlan) -> Measurement {
        var best: Measurement?
        for _ in 0..<max(repeats, 1) {
            let clock = ContinuousClock()
            var summary: RunSummary?
            let elapsed = clock.measure {
                let simulation = Simulation(plan: plan, baseSeed: 1, replication: 0)
                summary = simulation.run()
            }
            let s = summary!
            let m = Measurement(requests: s.requestsSimulated, events: s.eventsProcessed,
                                seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                                peakInFlight: s.peakRequestsInFlight)
            if best == nil || m.seconds < best!.seconds { best = m }
        }
        return best!
    }

    private func report(_ label: String, _ m: Measurement) {
        let line = String(format: "%@ %10d requests %11d events %8.3f s  %11.0f requests/s %11.0f events/s  peak in flight %d  max RSS %.0f MiB",
                          label.padding(toLength: 22, withPad: " ", startingAt: 0) as NSString, m.requests, m.events, m.seconds,
                          Double(m.requests) / m.seconds, Double(m.events) / m.seconds, m.peakInFlight, maxResidentMiB())
        print(line)
    }

    private func maxResidentMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    static func mmcScenario(requests: Int) -> String {
        let duration = Int((Double(requests) / 90).rounded())
        return """
            name: bench-mmc
            simulation: {duration: \(duration)s, warmup: 0s, drain: 0s}
            gateway: {instances: 100, concurrency: 1}
            providers:
              - name: sim
                classifications: [public]
                models:
                  - {name: server, price: {input_per_mtok: $0, output_per_mtok: $0}, ttft: {dist: exponential, mean: 1s}}
            tiers: [{name: only, models: [sim/server]}]
            traffic:
              arrivals: {process: poisson, rate: 90/s}
              classes: [{name: all, share: 100%, tier: only, input_tokens: 0, output_tokens: 0}]
            """
    }
}
