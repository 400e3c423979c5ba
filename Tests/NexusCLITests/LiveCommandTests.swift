import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `load` and `gate --live` end to end: the built binary loads a loopback upstream started by the test.
@Suite(.serialized) struct LiveCommandTests {
    static let scenario = """
        name: live-cli
        simulation: {duration: 30s, warmup: 0s, drain: 10s, seed: 3, series_window: 10s}
        gateway: {instances: 2, concurrency: 64}
        providers:
          - name: acme
            models:
              - {name: small, price: {input_per_mtok: $1, output_per_mtok: $2}, ttft: 100ms}
        tiers:
          - {name: cheap, strategy: priority, models: [acme/small]}
        traffic:
          arrivals: {process: poisson, rate: 5/s}
          classes:
            - {name: drafts, share: 100%, tier: cheap, input_tokens: 100, output_tokens: 50}
        """

    /// Answers every chat completion at once with usage 100 + 50 tokens from `acme/small`.
    static func withUpstream(_ body: @Sendable @escaping (Int) async throws -> Void) async throws {
        let router = Router()
        router.post("v1/chat/completions") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 1 << 20)
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[HTTPField.Name("x-nexus-endpoint")!] = "acme/small"
            let json = #"{"model":"small","choices":[],"usage":{"prompt_tokens":100,"completion_tokens":50,"total_tokens":150}}"#
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body(client.port!) }
    }

    static func files(targets: String) throws -> (scenario: String, targets: String, db: String) {
        let dir = try CLI.temporaryDirectory()
        let scenario = dir.appendingPathComponent("live.yaml").path
        try Self.scenario.write(toFile: scenario, atomically: true, encoding: .utf8)
        let targetsPath = dir.appendingPathComponent("targets.txt").path
        try targets.write(toFile: targetsPath, atomically: true, encoding: .utf8)
        return (scenario, targetsPath, dir.appendingPathComponent("results.sqlite").path)
    }

    /// Wall seconds per run: (30 s + 10 s drain) / speed. Slow enough that a machine busy with the rest of the
    /// suite still sends and answers every request inside the run.
    static let speed = "4"

    @Test func liveGateExitCodes() async throws {
        try await Self.withUpstream { port in
            let target = "http://127.0.0.1:\(port)"
            let met = try Self.files(targets: "availability >= 99%\ncost_per_request <= $0.0002\n")
            let pass = try CLI.run(["gate", met.scenario, "--live", "--target", target, "--speed", Self.speed, "--targets", met.targets, "--db", met.db])
            #expect(pass.status == 0, "\(pass.stdout)\n\(pass.stderr)")
            // 100 × $1/M + 50 × $2/M = $0.0002 a request: a cost target clearly below it is missed.
            let missed = try Self.files(targets: "cost_per_request < $0.00019\n")
            let fail = try CLI.run(["gate", missed.scenario, "--live", "--target", target, "--speed", Self.speed, "--targets", missed.targets, "--no-store"])
            #expect(fail.status == 1, "\(fail.stdout)\n\(fail.stderr)")
            #expect(fail.stdout.contains("FAIL"))
            let noTarget = try CLI.run(["gate", met.scenario, "--live", "--targets", met.targets, "--no-store"])
            #expect(noTarget.status == 2)
            #expect(noTarget.stderr.contains("--target URL"))
            let notLive = try CLI.run(["gate", met.scenario, "--target", target, "--targets", met.targets, "--no-store"])
            #expect(notLive.status == 2)
            #expect(notLive.stderr.contains("add --live"))
        }
    }

    @Test func loadPrintsTheRunJSONAndStoresTheRun() async throws {
        try await Self.withUpstream { port in
            let f = try Self.files(targets: "")
            let r = try CLI.run(["load", f.scenario, "--target", "http://127.0.0.1:\(port)", "--speed", Self.speed, "--json", "--db", f.db])
            #expect(r.status == 0, "\(r.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            let traffic = try #require(json["traffic"] as? [String: Any])
            #expect(traffic["source"] as? String == "live")
            let live = try #require(json["live"] as? [String: Any])
            #expect(live["target"] as? String == "http://127.0.0.1:\(port)")
            #expect((live["send_lag_ms"] as? [String: Any])?["p99"] is Double)
            let requests = try #require(json["requests"] as? Double)
            #expect(requests > 100 && json["succeeded"] as? Double == requests)
            let cost = try #require((json["cost_usd"] as? [String: Any])?["per_request"] as? Double)
            #expect(abs(cost - 0.0002) < 1e-12)
            #expect(r.stderr.contains("stored as run 1"))
            let html = URL(fileURLWithPath: f.db).deletingLastPathComponent().appendingPathComponent("run.html").path
            let report = try CLI.run(["report", "1", "--db", f.db, "--out", html])
            #expect(report.status == 0, "\(report.stderr)")
            #expect(FileManager.default.fileExists(atPath: html))
            let bad = try CLI.run(["load", f.scenario, "--target", "localhost:1", "--no-store"])
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("http:// or https://"))
            let noKey = try CLI.run(["load", f.scenario, "--target", "http://127.0.0.1:1", "--no-store",
                                     "--api-key-env", "NEXUS_TEST_UNSET_KEY_VARIABLE"])
            #expect(noKey.status == 2)
            #expect(noKey.stderr.contains("--api-key-env NEXUS_TEST_UNSET_KEY_VARIABLE: the environment variable NEXUS_TEST_UNSET_KEY_VARIABLE is not set or empty"), "\(noKey.stderr)")
        }
    }
}
