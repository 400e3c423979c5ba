import ArgumentParser
import Dispatch
import NexusLive
import NexusScenario

struct ProvidersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers",
        abstract: "Serve the scenario's providers as OpenAI-compatible HTTP endpoints that behave like the simulator's.",
        discussion: """
            Routes: POST /<provider>/v1/chat/completions (model = the scenario's model name), GET /<provider>/v1/models, \
            GET /health, GET /stats (JSON), GET /metrics (Prometheus). Prints the bound URL on standard output once \
            listening, then serves until interrupted (SIGINT/SIGTERM: exit 130/143).
            """)

    @OptionGroup var options: ScenarioOptions

    @Option(help: ArgumentHelp("Address to listen on; port 0 picks a free port.", valueName: "HOST:PORT"))
    var listen: String

    @Option(help: ArgumentHelp("Scenario seconds per wall second: every delay, window and schedule is compressed K times.", valueName: "K"))
    var speed: Double = 1

    @Option(help: "Seed of the providers' random streams (default: the scenario's simulation.seed).")
    var seed: UInt64?

    @Option(name: .customLong("start-at"), help: ArgumentHelp("Scenario time 0 (the origin of outages and limit windows) at "
        + "this wall-clock time, Unix seconds, shared with `load --start-at`; default: when the server listens.", valueName: "UNIX_SECONDS"))
    var startAt: Double?

    func validate() throws {
        do { _ = try ListenAddress(parsing: listen) } catch { throw ValidationError(error.description) }
        if let startAt {
            do { _ = try StartTime(unixSeconds: startAt) } catch { throw ValidationError(error.description) }
        }
        do { try EmulatorClock.validate(speed: speed) } catch { throw ValidationError(error.description) }
    }

    func run() throws {
        let scenario = try options.load()
        let address = try ListenAddress(parsing: listen)
        let emulator: ProviderEmulator
        do {
            emulator = try ProviderEmulator(scenario: scenario, seed: seed, speed: speed)
        } catch {
            printError("error: \(error)")
            throw ExitStatus.invalidInput
        }
        let start: StartTime?
        do {
            start = try startAt.map { (value) throws(StartTimeError) in try StartTime(unixSeconds: value) }
        } catch {
            printError("error: \(error)")
            throw ExitStatus.invalidInput
        }
        let outcome = ServerOutcome()
        let names = scenario.providers.map(\.name).joined(separator: ", ")
        Task {
            do {
                try await emulator.run(listen: address, startAt: start) { bound in
                    print("http://\(bound)")
                    _ = StandardOutput.flush()
                    printError("providers of '\(scenario.name)' (\(names)) at http://\(bound)/<provider>/v1, "
                        + "speed \(emulator.speed), seed \(emulator.seed)")
                }
            } catch {
                outcome.fail(error)
            }
            outcome.done()
        }
        outcome.wait()
        if let error = outcome.error {
            printError("error: cannot serve on \(address): \(error)")
            throw ExitStatus.invalidInput
        }
    }
}

/// How the server task ended, for the command's (synchronous) thread to wait on.
private final class ServerOutcome: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private(set) var error: (any Error)?
    func fail(_ error: any Error) { self.error = error }
    func done() { semaphore.signal() }
    func wait() { semaphore.wait() }
}
