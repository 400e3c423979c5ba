import ArgumentParser
import Foundation
import NexusResults
import NexusScenario

struct ForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Forecast a calendar month of spend by Monte Carlo: its distribution, the budget's fate, daily spend.",
        discussion: """
            Simulates the month (from its first day 00:00 UTC, every request counted) in independent replications \
            run in parallel, and prints the distribution of monthly spend (mean, P50, P90, P99), the probability \
            and dates of running out of the monthly budget, daily spend with a P10–P90 band, spend by tier, \
            provider and model, users at their cap, and cost per request and per conversation. Stored as a run \
            with command 'forecast'. With --shard i/N only that share of the replications runs; `nexus-sim merge` \
            combines the shards' databases into the whole forecast.
            """)

    @OptionGroup var options: ScenarioOptions

    @Option(help: ArgumentHelp("The month to simulate.", valueName: "YYYY-MM"))
    var month: String

    @Option(help: "Independent replications (default 10).")
    var replications = 10

    @Option(help: "Run seed (default: the scenario's simulation.seed).")
    var seed: UInt64?

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(help: ArgumentHelp("Write the daily table as CSV.", valueName: "FILE"))
    var csv: String?

    @Flag(help: "Print the forecast as JSON instead of the summary.")
    var json = false

    @OptionGroup var sharding: ShardOptions
    @OptionGroup var storage: StoreOptions

    @Flag(help: "No progress line on stderr.")
    var quiet = false

    func validate() throws {
        guard parsedMonth != nil else { throw ValidationError("--month expects YYYY-MM, e.g. 2026-12, found '\(month)'") }
        let replicationRange = SimulationSettings.replicationRange, threadRange = SimulationSettings.threadRange
        if !replicationRange.contains(replications) {
            throw ValidationError("--replications must be from \(replicationRange.lowerBound) to \(replicationRange.upperBound), found \(replications)")
        }
        if let threads, !threadRange.contains(threads) {
            throw ValidationError("--threads must be from \(threadRange.lowerBound) to \(threadRange.upperBound), found \(threads)")
        }
    }

    private var parsedMonth: (year: Int, month: Int)? {
        let parts = month.split(separator: "-")
        guard parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m), (1...9999).contains(y) else { return nil }
        return (y, m)
    }

    func run() throws {
        let base = try options.load()
        let (year, monthNumber) = parsedMonth!
        let seed = seed ?? base.simulation.seed
        let scenario = MonthForecast.scenario(base, year: year, month: monthNumber)
        let shard = try sharding.resolve(replications: replications)
        sharding.announce(shard, replications: replications)
        let recorder = try RunRecorder.begin(storage, command: "forecast", scenario: scenario, scenarioPath: options.scenario,
                                             seed: seed, replications: replications, shard: shard,
                                             forecastMonth: String(format: "%04d-%02d", year, monthNumber))
        if let recorder { InterruptHandler.install(db: recorder.db, runIDs: [recorder.runID]) }
        let clock = ContinuousClock()
        let started = clock.now
        let display = quiet || isatty(STDERR_FILENO) != 1 ? nil : ProgressDisplay()
        let forecast = MonthForecast.run(scenario: base, year: year, month: monthNumber, seed: seed,
                                         replications: replications, threads: threads, shard: shard, progress: display?.meter)
        display?.stop()
        let elapsed = clock.now - started
        try recorder?.finish(forecast.report, verdicts: [])
        if let csv {
            try write(forecast.csv, to: csv, append: false)
            printError("wrote \(csv)")
        }
        printError(String(format: "simulated %d month(s) in %.1f s", forecast.report.replications.count,
                          Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
        print(json ? forecast.json.rendered() : forecast.text)
    }
}
