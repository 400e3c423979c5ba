import AsyncHTTPClient
import NIOCore
import Foundation
import Testing
@testable import NexusLive

/// The built `nexus-sim gateway` as a subprocess: budget spend survives a SIGKILL, and SIGTERM drains and exits 0.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct GatewayRestartTests {
    static let executable: URL = {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            products.appendingPathComponent("nexus-sim"),
            products.deletingLastPathComponent().appendingPathComponent("nexus-sim"),
            products.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("nexus-sim"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    /// A running `nexus-sim gateway` and the port it reported on stderr.
    final class GatewayProcess: @unchecked Sendable {
        let process = Process()
        let stderr = Pipe()
        private(set) var port = 0
        private(set) var log = ""

        init(arguments: [String]) throws {
            process.executableURL = GatewayRestartTests.executable
            process.arguments = ["gateway"] + arguments
            process.standardError = stderr
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let handle = stderr.fileHandleForReading
            let deadline = Date().addingTimeInterval(30)
            while port == 0, Date() < deadline, process.isRunning {
                let data = handle.availableData
                if data.isEmpty { break }
                log += String(decoding: data, as: UTF8.self)
                if let range = log.range(of: "listening on http://127.0.0.1:") {
                    let digits = log[range.upperBound...].prefix { $0.isNumber }
                    port = Int(digits) ?? 0
                }
            }
        }

        func signal(_ number: Int32) -> Int32 {
            kill(process.processIdentifier, number)
            process.waitUntilExit()
            log += String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            return process.terminationStatus
        }
    }

    /// The gateway is killed with attempts in flight; however many of them a loaded machine let through
    /// before the kill, the restarted gateway resumes what was reserved and admits only what still fits, so the
    /// month's spend before and after the kill stays within the hard limit.
    @Test func theHardLimitHoldsAcrossASIGKILL() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build nexus-sim first: \(Self.executable.path)")
        let upstream = TestUpstream()
        // While the first gateway runs, answers take long enough for it to be killed with attempts in flight.
        upstream.script("alpha", [], then: .slow(milliseconds: 3000, text: "slow", promptTokens: 5, completionTokens: 10))
        upstream.script("beta", [], then: .slow(milliseconds: 3000, text: "slow", promptTokens: 5, completionTokens: 10))
        try await upstream.start()
        defer { upstream.stop() }
        let scenario = LiveFixture.temporaryPath("restart.yaml")
        // A request's worst case: 5 estimated prompt tokens at $1/M + max_tokens 10 at $2/M = $0.000025 on
        // alpha ($0.000055 on beta, the fallback); the limit fits 8 alpha calls (8 × 25 = 200 ≤ 210 micro-dollars).
        try LiveFixture.scenario(budget: "budget: {monthly: $0.00021, action: block}").write(toFile: scenario, atomically: true, encoding: .utf8)
        let state = LiveFixture.temporaryPath("state.sqlite")
        let arguments = [scenario, "--listen", "127.0.0.1:0", "--upstreams", upstream.baseURL, "--state", state]
        let limitMicros = 210.0

        let first = try GatewayProcess(arguments: arguments)
        try #require(first.port != 0, "the gateway did not start: \(first.log)")
        let harness = GatewayHarness()
        defer { Task { try? await harness.client.shutdown() } }
        let body = #"{"model": "standard", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 10}"#
        for _ in 0..<5 {
            Task { _ = try? await harness.sendTo(port: first.port, body: body) }
        }
        for _ in 0..<1500 where upstream.calls.count < 5 { try await Task.sleep(nanoseconds: 20_000_000) }
        let callsBeforeKill = upstream.calls.count
        #expect(callsBeforeKill >= 5)
        #expect(first.signal(SIGKILL) == SIGKILL)

        // The restart resumes the killed process's reservations as spent (write-ahead, so at least one
        // attempt's worst case), never more than the limit it enforced.
        upstream.script("alpha", [], then: .answer(text: "fast", promptTokens: 5, completionTokens: 10))
        upstream.script("beta", [], then: .answer(text: "fast", promptTokens: 5, completionTokens: 10))
        let second = try GatewayProcess(arguments: arguments)
        try #require(second.port != 0, "the gateway did not restart: \(second.log)")
        let resumed = try #require(Self.resumedMicros(second.log), "no resumed spend in: \(second.log)")
        #expect(resumed >= 25 - 1e-6 && resumed <= limitMicros + 1e-6, "resumed \(resumed) µ$ after \(callsBeforeKill) upstream calls")
        // Requests one at a time until the budget refuses: what is admitted fits in what was left.
        var admittedMicros = 0.0, admitted = 0, refused = false
        for _ in 0..<10 where !refused {
            let reply = try await harness.sendTo(port: second.port, body: body)
            if reply.status == 429 {
                refused = true
            } else {
                #expect(reply.status == 200, "\(reply.body)")
                admitted += 1
                // 25 µ$ from alpha (5 prompt + 10 completion tokens), more if a fallback to beta answered.
                admittedMicros += try #require(reply.headers["x-nexus-cost-usd"].flatMap(Double.init)) * 1e6
            }
        }
        #expect(refused, "a restart that forgot the resumed spend would admit \(admitted) requests")
        #expect(resumed + admittedMicros <= limitMicros + 1e-6, "resumed \(resumed) µ$ + admitted \(admittedMicros) µ$")
        // And nothing that still fitted was refused: one more alpha call would have broken the limit.
        #expect(resumed + admittedMicros + 25 > limitMicros - 1e-6, "refused with room: resumed \(resumed) + \(admittedMicros) µ$")
        // SIGTERM: graceful shutdown, exit 0.
        #expect(second.signal(SIGTERM) == 0)
        #expect(second.log.contains("stopped after draining"))
    }

    /// The spend the restarted gateway reports it resumed, in micro-dollars.
    static func resumedMicros(_ log: String) -> Double? {
        guard let range = log.range(of: "resumed $") else { return nil }
        let digits = log[range.upperBound...].prefix { $0.isNumber || $0 == "." }
        return Double(digits).map { $0 * 1e6 }
    }
}

extension GatewayHarness {
    func sendTo(port: Int, body: String) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/chat/completions")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .seconds(20))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for header in response.headers where header.name.hasPrefix("x-nexus-") { headers[header.name] = header.value }
        return Reply(status: Int(response.status.code), headers: headers, body: String(buffer: bytes))
    }
}
