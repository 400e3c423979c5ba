import ArgumentParser
import Foundation
import NexusGateway
import NexusResults
import NexusScenario
import NexusSim

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure simulation speed, memory and parallel scaling; prints the figures docs/performance.md quotes.",
        discussion: """
            Cases, in the order they run (peak RSS only grows, so the small runs come first):
              trace     replay of the Azure excerpt, once and looped --trace-length times: RSS stays flat
              memory    the baseline for 1 day and for --memory-days days: peak RSS of each and their ratio
              mmc       the M/M/c validation case (c = 100, λ = 90/s, mean service 1 s), one thread
              baseline  Scenarios/baseline.yaml (every component on), one thread
              parallel  --parallel-replications replications of the baseline (--parallel-duration each), and a
                        two-point sweep of them, on one thread and on every core: the speed-up
            Build with -c release for real figures; the machine should be otherwise idle.
            """)

    @Option(help: "Requests to simulate in the M/M/c case.")
    var requests = 1_000_000

    @Option(help: "Baseline scenario for the baseline, memory and parallel cases.")
    var baseline = "Scenarios/baseline.yaml"

    @Option(help: ArgumentHelp("Cases to run, comma-separated: trace, memory, mmc, baseline, parallel.", valueName: "CASES"))
    var only = "trace,memory,mmc,baseline,parallel"

    @Option(help: "Repetitions of each speed measurement; the best is reported.")
    var repeats = 3

    @Option(help: "Azure-format trace for the replay-memory measurement (skipped when the file does not exist).")
    var trace = "Scenarios/traces/azure-conv-2023-excerpt.csv"

    @Option(help: "The long trace is the trace looped this many times (timestamps shifted by its span each pass).")
    var traceLength = 10

    @Option(help: "Length in days of the long run of the memory case (compared with a 1-day run).")
    var memoryDays = 30

    @Option(help: "Replications in the parallel case.")
    var parallelReplications = 8

    @Option(help: "Simulated arrival period of each replication in the parallel case.")
    var parallelDuration = "12h"

    static let caseNames = ["trace", "memory", "mmc", "baseline", "parallel"]

    func validate() throws {
        for name in selectedCases where !Self.caseNames.contains(name) {
            throw ValidationError("--only: unknown case '\(name)'; cases are \(Self.caseNames.joined(separator: ", "))")
        }
        if repeats < 1 || requests < 1 || memoryDays < 1 || parallelReplications < 1 || traceLength < 1 {
            throw ValidationError("--requests, --repeats, --memory-days, --parallel-replications and --trace-length must be at least 1")
        }
    }

    private var selectedCases: [String] { only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

    func run() throws {
        #if DEBUG
        printError("warning: this is a debug build; run `swift run -c release nexus-sim bench` for real figures")
        #endif
        let cases = Set(selectedCases)
        let haveBaseline = FileManager.default.fileExists(atPath: baseline)
        if !haveBaseline, !cases.isDisjoint(with: ["memory", "baseline", "parallel"]) {
            printError("note: \(baseline) not found; the baseline, memory and parallel cases are skipped")
        }
        if cases.contains("trace") {
            if FileManager.default.fileExists(atPath: trace), FileManager.default.fileExists(atPath: "Scenarios/replay-azure.yaml") {
                try benchTraceMemory()
            } else {
                printError("note: \(trace) not found; trace replay memory not measured")
            }
        }
        if cases.contains("memory"), haveBaseline { try benchMemory() }
        if cases.contains("mmc") {
            let mmc = try ScenarioLoader.parse(text: Self.mmcScenario(requests: requests), file: "<bench mmc>")
            report("M/M/c  c=100 λ=90/s", measure(SimulationPlan(mmc)))
        }
        if cases.contains("baseline"), haveBaseline {
            report("baseline.yaml", measure(SimulationPlan(try ScenarioLoader.load(path: baseline))))
        }
        if cases.contains("parallel"), haveBaseline { try benchParallel() }
    }

    /// The baseline for one day, then for `memoryDays` days, each once: peak RSS after each. Everything the
    /// run keeps (the summary, its time series) is held until the run ends, as `nexus-sim run` does.
    private func benchMemory() throws {
        var peaks: [Double] = []
        for days in [1, memoryDays] {
            let scenario = try ScenarioLoader.load(path: baseline, overrides: [Override(path: "simulation.duration", value: "\(days)d")])
            let m = measureOnce(SimulationPlan(scenario))
            peaks.append(maxResidentMiB())
            report("baseline \(days) day\(days == 1 ? "" : "s")", m)
        }
        print(String(format: "memory: %d days / 1 day = %.2f× peak RSS", memoryDays, peaks[1] / peaks[0]))
    }

    /// Replications of the (shortened) baseline, and a two-point sweep, on one thread and on every core.
    private func benchParallel() throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let scenario = try ScenarioLoader.load(path: baseline, overrides: [Override(path: "simulation.duration", value: parallelDuration)])
        let plan = SimulationPlan(scenario)
        // The sweep's second point changes the per-request overhead: a different scenario of about the same cost.
        let other = SimulationPlan(try ScenarioLoader.load(path: baseline, overrides: [
            Override(path: "simulation.duration", value: parallelDuration), Override(path: "gateway.overhead", value: "5ms"),
        ]))
        let half = max(parallelReplications / 2, 1)
        let jobs = (0..<2).flatMap { p in (0..<half).map { Experiment.Job(plan: p, replication: $0) } }
        for (label, work) in [
            ("replications ×\(parallelReplications)", { (threads: Int) in
                Experiment.run(plan: plan, seed: 1, replications: parallelReplications, threads: threads) }),
            ("sweep 2 points ×\(half)", { (threads: Int) in
                Experiment.run(plans: [plan, other], seed: 1, jobs: jobs, threads: threads) }),
        ] {
            var seconds: [Int: Double] = [:]
            var requests = 0
            for threads in [1, cores] {
                // Best of --repeats, like the one-core figures.
                for _ in 0..<repeats {
                    let clock = ContinuousClock()
                    var summaries: [RunSummary] = []
                    let elapsed = Self.seconds(clock.measure { summaries = work(threads) })
                    seconds[threads] = min(seconds[threads] ?? .infinity, elapsed)
                    requests = summaries.reduce(0) { $0 + $1.requestsSimulated }
                }
            }
            print(String(format: "%@ %10d requests  1 thread %7.2f s  %d threads %7.2f s  speed-up %.2f× on %d cores",
                         label.padding(toLength: 22, withPad: " ", startingAt: 0) as NSString, requests, seconds[1]!, cores,
                         seconds[cores]!, seconds[1]! / seconds[cores]!, cores))
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
        try out.write(contentsOf: Data("TIMESTAMP,ContextTokens,GeneratedTokens\n".utf8))
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
            try out.write(contentsOf: Data(chunk.utf8))
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
        (0..<repeats).map { _ in measureOnce(plan) }.min { $0.seconds < $1.seconds }!
    }

    private func measureOnce(_ plan: SimulationPlan) -> Measurement {
        let clock = ContinuousClock()
        var summary: RunSummary?
        let elapsed = clock.measure { summary = Simulation(plan: plan, baseSeed: 1).run() }
        let s = summary!
        return Measurement(requests: s.requestsSimulated, events: s.eventsProcessed, seconds: Self.seconds(elapsed),
                           peakInFlight: s.peakRequestsInFlight)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
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
