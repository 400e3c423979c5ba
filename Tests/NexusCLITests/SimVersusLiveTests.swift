import Foundation
import Testing

/// The simulator and the live chain implement one model: a scenario with fallbacks, an outage and background
/// errors, run by `nexus-sim run` and by `load` → `gateway` → `providers` (the built binary, loopback, system-chosen
/// ports) at speed 5, must give the same requests, availability, latency percentiles and cost per request within
/// the published tolerances (docs/sim-vs-live.md): the live chain differs only by the HTTP and timer overheads,
/// multiplied by the speed factor, and by the order in which concurrent requests draw their latencies.
@Suite(.serialized) struct SimVersusLiveTests {
    /// Two providers; `alpha` is down from 45 s to 85 s and fails 4 % of its calls, `beta` 1 %. Tier `main`
    /// retries once then falls back to `beta`; tier `solo` has no fallback, so its requests fail during the outage
    /// (availability ≈ 93 %). Answers stream, so TTFT is the first token's for the client as in the simulator.
    static let scenario = """
        name: sim-vs-live-test
        simulation: {duration: 2m, warmup: 10s, drain: 1m, seed: 21, series_window: 1m}
        gateway: {instances: 1, concurrency: 1000}
        routing:
          retries: {max: 1, backoff: 300ms}
          fallbacks: true
          attempt_timeout: 30s
        providers:
          - name: alpha
            outages: [{start: 45s, duration: 40s, mode: down}]
            models:
              - {name: quick, price: {input_per_mtok: $1, output_per_mtok: $4}, error_rate: 4%,
                 ttft: {dist: lognormal, median: 500ms, p95: 1.5s}, tokens_per_second: {dist: normal, mean: 50, sd: 10}}
          - name: beta
            models:
              - {name: sure, price: {input_per_mtok: $3, output_per_mtok: $12}, error_rate: 1%,
                 ttft: {dist: lognormal, median: 700ms, p95: 2s}, tokens_per_second: {dist: normal, mean: 40, sd: 8}}
        tiers:
          - {name: main, strategy: priority, models: [alpha/quick, beta/sure]}
          - {name: solo, strategy: priority, models: [alpha/quick]}
        traffic:
          arrivals: {process: poisson, rate: 10/s}
          stream: true
          classes:
            - {name: chat, share: 80%, tier: main, input_tokens: {dist: lognormal, median: 400, p95: 1500},
               output_tokens: {dist: lognormal, median: 120, p95: 400}, max_output_tokens: 600}
            - {name: batch, share: 20%, tier: solo, input_tokens: 300,
               output_tokens: {dist: lognormal, median: 80, p95: 250}, max_output_tokens: 400}
        """

    /// Every wall millisecond of HTTP and timer overhead is `speed` scenario milliseconds: at 20, on a 2-core
    /// machine busy with builds, latency p50 came out 26 % high; at 5 it is within 2 % (docs/sim-vs-live.md).
    static let speed = "5"
    /// Seconds from launching the emulator to scenario time 0: room for the gateway, the simulation and the load
    /// generator to start on a loaded machine.
    static let leadSeconds = 6.0
    /// Send lag p99 (wall) up to which the machine counts as having room for the live chain: on an idle machine
    /// it is about 1 ms.
    static let idleSendLagMillis = 20.0

    @Test func theLiveChainAgreesWithTheSimulation() throws {
        let dir = try CLI.temporaryDirectory()
        let path = dir.appendingPathComponent("sim-vs-live.yaml").path
        try Self.scenario.write(toFile: path, atomically: true, encoding: .utf8)

        let start = String(format: "%.3f", Date().timeIntervalSince1970 + Self.leadSeconds)
        let providers = try ServerProcess(["providers", path, "--listen", "127.0.0.1:0", "--speed", Self.speed, "--start-at", start], in: dir, name: "providers")
        defer { providers.stop() }
        let upstream = try #require(providers.waitForLine(in: .stdout, matching: "http://"), "the emulator did not start: \(providers.stderr)")
        let gateway = try ServerProcess(["gateway", path, "--listen", "127.0.0.1:0", "--speed", Self.speed, "--upstreams", upstream], in: dir, name: "gateway")
        defer { gateway.stop() }
        let listening = try #require(gateway.waitForLine(in: .stderr, matching: "listening on http://"), "the gateway did not start: \(gateway.stderr)")
        let target = try #require(listening.range(of: #"http://[0-9.]+:[0-9]+"#, options: .regularExpression).map { String(listening[$0]) })

        let sim = try CLI.run(["run", path, "--replications", "1", "--json", "--no-store", "--quiet"], timeoutSeconds: 120)
        #expect(sim.status == 0, "\(sim.stderr)")
        let live = try CLI.run(["load", path, "--target", target, "--speed", Self.speed, "--start-at", start, "--json", "--no-store"],
                               timeoutSeconds: 180)
        try #require(live.status == 0, "\(live.stderr)")

        let s = try Metrics(json: sim.stdout), l = try Metrics(json: live.stdout)
        let report = "simulation \(s)\nlive       \(l)\n\(live.stderr)"
        // The scenario is what it should be: the outage and the errors fail requests, the fallbacks save most.
        #expect(s.requests > 900 && s.availability > 0.85 && s.availability < 0.99, "\(report)")
        #expect(l.sent == l.scheduled && l.clientErrors == 0, "\(report)")
        #expect(abs(l.requests - s.requests) <= 0.03 * s.requests, "requests: \(report)")
        #expect(abs(l.availability - s.availability) <= 0.01, "availability: \(report)")
        // Latency is compared only when the live chain had the CPU it needed: on a machine saturated by the rest
        // of the suite, every wall millisecond of lateness is `speed` scenario milliseconds, and the load
        // generator's own send lag is the measure of it. Counts, availability and cost are checked always.
        let latencyChecks = {
            #expect(abs(l.latencyP50 - s.latencyP50) <= 0.10 * s.latencyP50, "latency p50: \(report)")
            #expect(abs(l.latencyP95 - s.latencyP95) <= 0.10 * s.latencyP95, "latency p95: \(report)")
        }
        if l.sendLagP99WallMillis <= Self.idleSendLagMillis {
            latencyChecks()
        } else {
            withKnownIssue("send lag p99 \(l.sendLagP99WallMillis) ms (wall): the machine is too busy for live latency", isIntermittent: true) {
                latencyChecks()
            }
        }
        #expect(abs(l.costPerRequest - s.costPerRequest) <= 0.03 * s.costPerRequest, "cost per request: \(report)")
    }

    /// The figures compared, from a run's JSON.
    struct Metrics: CustomStringConvertible {
        var requests, availability, latencyP50, latencyP95, ttftP50, costPerRequest: Double
        var sent = 0.0, scheduled = 0.0, clientErrors = 0.0, sendLagP99WallMillis = 0.0

        init(json: String) throws {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "not JSON: \(json.prefix(500))")
            func number(_ keys: String...) throws -> Double {
                var value: Any? = object
                for key in keys { value = (value as? [String: Any])?[key] }
                return try #require((value as? NSNumber)?.doubleValue, "no \(keys.joined(separator: ".")) in \(json.prefix(300))")
            }
            requests = try number("requests")
            availability = try number("availability")
            latencyP50 = try number("latency_ms", "p50")
            latencyP95 = try number("latency_ms", "p95")
            ttftP50 = try number("ttft_ms", "p50")
            costPerRequest = try number("cost_usd", "per_request")
            if object["live"] != nil {
                sent = try number("live", "sent")
                scheduled = try number("live", "scheduled")
                clientErrors = try number("live", "client_errors")
                sendLagP99WallMillis = try number("live", "send_lag_ms", "p99")
            }
        }

        var description: String {
            String(format: "requests %.0f, availability %.3f %%, latency p50 %.0f ms p95 %.0f ms, TTFT p50 %.0f ms, cost/request $%.7f",
                   requests, availability * 100, latencyP50, latencyP95, ttftP50, costPerRequest)
        }
    }
}

/// A `nexus-sim` server (`providers`, `gateway`) run in the background with its output in files, killed at the end.
final class ServerProcess {
    enum Stream { case stdout, stderr }
    let process = Process()
    let outPath: String, errPath: String

    init(_ arguments: [String], in dir: URL, name: String) throws {
        outPath = dir.appendingPathComponent("\(name).out").path
        errPath = dir.appendingPathComponent("\(name).err").path
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        process.executableURL = CLI.executable
        process.arguments = arguments
        process.currentDirectoryURL = CLI.root
        process.standardOutput = FileHandle(forWritingAtPath: outPath)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        try process.run()
    }

    var stderr: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

    /// The first line of the stream containing `text`, waiting up to `timeoutSeconds`; nil if it never came.
    func waitForLine(in stream: Stream, matching text: String, timeoutSeconds: Double = 60) -> String? {
        let path = stream == .stdout ? outPath : errPath
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            let content = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            if let line = content.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            if !process.isRunning { return nil }
            usleep(50_000)
        }
        return nil
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
