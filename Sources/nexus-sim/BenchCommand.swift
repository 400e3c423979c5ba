import ArgumentParser
import Foundation
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

    @Option(help: "Repetitions of each measurement; the best is reported.")
    var repeats = 3

    func run() throws {
        #if DEBUG
        printError("warning: this is a debug build; run `swift run -c release nexus-sim bench` for real figures")
        #endif
        let mmc = try ScenarioLoader.parse(text: Self.mmcScenario(requests: requests), file: "<bench mmc>")
        report("M/M/c  c=100 λ=90/s", measure(SimulationPlan(mmc)))
        if FileManager.default.fileExists(atPath: baseline) {
            let scenario = try ScenarioLoader.load(path: baseline)
            report("baseline.yaml", measure(SimulationPlan(scenario)))
        } else {
            printError("note: \(baseline) not found; baseline not measured")
        }
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
            let elapsed = clock.measure { summary = Simulation(plan: plan, baseSeed: 1).run() }
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
