import ArgumentParser
import Dispatch
import Foundation
import Logging
import NexusLive
import NexusScenario

struct GatewayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Serve the scenario's gateway as an OpenAI-compatible HTTP API in front of real upstreams.",
        discussion: """
            POST /v1/chat/completions (model = a tier), GET /v1/models, /health, /metrics. Upstreams: each provider's \
            base_url and api_key_env, or --upstreams BASE for BASE/<provider>/v1 (the provider emulator). Without \
            --keys only loopback clients are served. SIGTERM or SIGINT drains the requests in flight, then exits 0.
            """)

    @OptionGroup var options: ScenarioOptions

    @Option(help: ArgumentHelp("Address to listen on (port 0: any free port).", valueName: "HOST:PORT"))
    var listen: String = "127.0.0.1:8080"

    @Option(help: ArgumentHelp("Send every provider's calls to BASE/<provider>/v1 (the provider emulator's layout).", valueName: "BASE"))
    var upstreams: String?

    @Option(help: ArgumentHelp("Client keys: JSON with SHA-256 digests, users, teams and scopes.", valueName: "FILE"))
    var keys: String?

    @Option(help: ArgumentHelp("SQLite file keeping budget spend across restarts.", valueName: "FILE"))
    var state: String?

    @Option(name: .customLong("audit-log"), help: ArgumentHelp("Append one JSON line per call (no prompt text).", valueName: "FILE"))
    var auditLog: String?

    @Option(help: ArgumentHelp("Gateway time runs K times faster than wall time: every timer (retry backoff, attempt "
        + "timeout, breaker window and cooldown, queue timeout, cache TTL) is compressed K times. Use the provider "
        + "emulator's --speed; 1 in front of real providers.", valueName: "K"))
    var speed: Double = 1

    @Option(name: .customLong("max-body-bytes"), help: ArgumentHelp("Largest request body accepted.", valueName: "BYTES"))
    var maxBodyBytes: Int = 1 << 20

    func validate() throws {
        do {
            _ = try ListenAddress(parsing: listen)
        } catch {
            throw ValidationError("--listen: \(error.description)")
        }
        if let upstreams {
            let lower = upstreams.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), upstreams.count > 8, !upstreams.contains(where: \.isWhitespace) else {
                throw ValidationError("--upstreams expects an http:// or https:// URL, e.g. http://127.0.0.1:8090, found '\(upstreams)'")
            }
        }
        do { try EmulatorClock.validate(speed: speed) } catch { throw ValidationError(error.description) }
        guard (1024...(256 << 20)).contains(maxBodyBytes) else {
            throw ValidationError("--max-body-bytes must be from 1024 to \(256 << 20), found \(maxBodyBytes)")
        }
    }

    func run() throws {
        let scenario = try options.load()
        let address = try ListenAddress(parsing: listen)
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "nexus.gateway")
        logger.logLevel = .notice
        let gateway: LiveGateway
        do {
            gateway = try LiveGateway(
                scenario: scenario,
                options: GatewayOptions(listen: address, upstreamsBase: upstreams, keysFile: keys, statePath: state, auditLogPath: auditLog,
                                        maximumBodyBytes: maxBodyBytes, environment: ProcessInfo.processInfo.environment,
                                        speed: speed),
                logger: logger)
        } catch {
            printError("error: \(error.description)")
            throw ExitStatus.invalidInput
        }
        for note in gateway.startupNotes { printError("nexus-sim gateway: \(note)") }
        if gateway.startupNotes.contains(where: { $0.contains("loopback clients only") }) && !address.isLoopback {
            printError("nexus-sim gateway: listening on \(address) but without keys: remote clients get 403")
        }
        InterruptHandler.release()
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do {
                try await GatewayServer(gateway: gateway).run { bound in
                    printError("nexus-sim gateway: scenario '\(scenario.name)' listening on http://\(bound)"
                        + (speed == 1 ? "" : ", speed \(speed)"))
                }
            } catch {
                failure.message = "\(error)"
            }
            done.signal()
        }
        done.wait()
        if let message = failure.message {
            printError("error: the gateway stopped: \(message)")
            throw ExitStatus.storeFailure
        }
        printError("nexus-sim gateway: stopped after draining in-flight requests")
    }
}

private final class FailureBox: @unchecked Sendable {
    var message: String?
}
