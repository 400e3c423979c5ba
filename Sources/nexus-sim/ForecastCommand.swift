import ArgumentParser
import Foundation
import NexusResults
import NexusScenario

struct ForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Forecast a calendar month of spend by Monte Carlo: what is served, what it costs, when limits run out.",
        discussion: """
            Simulates the month (from its first day 00:00 UTC, every request counted) in independent replications \
            run in parallel, and prints what was served (requests, succeeded, rejected, failed, availability), the \
            distribution of monthly spend (mean, P50, P90, P99), cost per served request, the date and time each \
            budget limit ran out (with in how many replications), which users hit their cap, daily spend with a \
            P10–P90 band, and spend by tier, provider and model.

            When the budget refuses or downgrades requests, the same replications (same seeds) are simulated again \
            with every limit lifted: the month's demand, what its traffic costs when all of it is served, and the \
            budget it needs at P50 and P90 (--no-demand skips this second pass). --affordable also searches, by \
            bisection over the traffic scale with the same seeds at every probe, the largest traffic whose P90 \
            monthly spend stays within the monthly budget; each probe simulates --affordable-replications months.

            Percentiles over fewer than 20 replications are flagged: P90 of 10 is the 9th smallest, P99 the \
            largest. Stored as a run with command 'forecast'. With --shard i/N only that share of the \
            replications runs (without the demand pass and the search); `nexus-sim merge` combines the shards' \
            databases into the whole forecast.
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

    @Flag(help: "Skip the second pass with the budget limits lifted (no demand figures).")
    var noDemand = false

    @Flag(help: "Also search the largest traffic whose P90 monthly spend stays within the monthly budget.")
    var affordable = false

    @Option(help: "Replications per probe of --affordable (default: --replications, at most 5).")
    var affordableReplications: Int?

    @Option(help: ArgumentHelp("Relative precision of --affordable's answer (default 2%).", valueName: "PERCENT"))
    var affordableTolerance = "2%"

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
        if let n = affordableReplications, !replicationRange.contains(n) {
            throw ValidationError("--affordable-replications must be from \(replicationRange.lowerBound) to \(replicationRange.upperBound), found \(n)")
        }
        if affordableReplications != nil, !affordable { throw ValidationError("--affordable-replications needs --affordable") }
        if tolerance == nil {
            throw ValidationError("--affordable-tolerance expects a percentage above 0% and below 100%, e.g. 2%, found '\(affordableTolerance)'")
        }
        if affordable, sharding.shard != nil { throw ValidationError("--affordable cannot run in a shard: search on one machine") }
    }

    /// `--affordable-tolerance` as a fraction, `nil` unless it is a percentage in (0, 100).
    private var tolerance: Double? {
        let text = affordableTolerance.trimmingCharacters(in: .whitespaces)
        guard text.hasSuffix("%"), let v = Double(text.dropLast().trimmingCharacters(in: .whitespaces)), v.isFinite,
              v > 0, v < 100 else { return nil }
        return v / 100
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
        if affordable, scenario.budget?.policy.monthlyLimit == nil {
            printError("error: --affordable searches the traffic the monthly budget affords, but \(options.scenario) has no budget.monthly")
            throw ExitStatus.invalidInput
        }
        let shard = try sharding.resolve(replications: replications)
        sharding.announce(shard, replications: replications)
        let recorder = try RunRecorder.begin(storage, command: "forecast", scenario: scenario, scenarioPath: options.scenario,
                                             seed: seed, replications: replications, shard: shard,
                                             forecastMonth: String(format: "%04d-%02d", year, monthNumber))
        if let recorder { InterruptHandler.install(db: recorder.db, runIDs: [recorder.runID]) }
        let clock = ContinuousClock()
        let started = clock.now
        let display = quiet || isatty(STDERR_FILENO) != 1 ? nil : ProgressDisplay()
        var forecast = MonthForecast.run(scenario: base, year: year, month: monthNumber, seed: seed,
                                         replications: replications, threads: threads, shard: shard,
                                         demand: !noDemand && shard.isWhole, progress: display?.meter)
        if affordable {
            let uncapped = forecast.demand ?? (MonthForecast.limitsAct(scenario) ? nil : forecast.report)
            forecast.affordable = AffordableVolume.search(
                scenario: scenario, seed: seed, replications: affordableReplications ?? min(replications, 5),
                tolerance: tolerance ?? 0.02, threads: threads, atScaleOne: uncapped?.replications, progress: display?.meter)
        }
        display?.stop()
        let elapsed = clock.now - started
        try recorder?.finish(forecast.report, verdicts: [], forecast: forecast)
        if let csv {
            try write(forecast.csv, to: csv, append: false)
            printError("wrote \(csv)")
        }
        let months = forecast.report.replications.count + (forecast.demand?.replications.count ?? 0)
            + (forecast.affordable?.simulatedReplications ?? 0)
        printError(String(format: "simulated %d month(s) in %.1f s", months,
                          Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
        print(json ? forecast.json.rendered() : forecast.text)
    }
}
