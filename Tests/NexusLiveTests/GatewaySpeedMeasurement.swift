import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
@testable import NexusLive

/// The measurement behind docs/live-gateway.md#speed, run on demand (`NEXUS_LIVE_SPEED=1`): a zero-delay upstream
/// and the gateway on loopback, in this process. It prints figures and asserts only that every request succeeded;
/// speed depends on the machine, so it is never a pass/fail condition.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["NEXUS_LIVE_SPEED"] != nil))
struct GatewaySpeedMeasurement {
    static let body = #"{"model": "standard", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 16}"#

    static func post(_ client: HTTPClient, url: String) async -> Bool {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        guard let response = try? await client.execute(request, timeout: .seconds(30)) else { return false }
        _ = try? await response.body.collect(upTo: 1 << 20)
        return response.status.code == 200
    }

    /// Closed loop: `workers` clients sending back to back for `seconds`.
    static func throughput(_ client: HTTPClient, url: String, workers: Int, seconds: Double) async -> (perSecond: Double, failures: Int) {
        let end = Date().addingTimeInterval(seconds)
        let start = Date()
        let counts = await withTaskGroup(of: (Int, Int).self) { group in
            for _ in 0..<workers {
                group.addTask {
                    var ok = 0, failed = 0
                    while Date() < end {
                        if await post(client, url: url) { ok += 1 } else { failed += 1 }
                    }
                    return (ok, failed)
                }
            }
            var total = (0, 0)
            for await result in group { total = (total.0 + result.0, total.1 + result.1) }
            return total
        }
        return (Double(counts.0) / Date().timeIntervalSince(start), counts.1)
    }

    /// Open loop at `rate` requests per second for `seconds`: each request leaves at its scheduled time and its
    /// latency counts from then (no coordinated omission). Returns sorted latencies in milliseconds.
    static func openLoop(_ client: HTTPClient, url: String, rate: Double, seconds: Double) async -> (latencies: [Double], failures: Int) {
        let count = Int(rate * seconds)
        let origin = DispatchTime.now().uptimeNanoseconds + 50_000_000
        let results = await withTaskGroup(of: Double?.self) { group in
            for index in 0..<count {
                let scheduled = origin + UInt64(Double(index) / rate * 1e9)
                let now = DispatchTime.now().uptimeNanoseconds
                if scheduled > now { try? await Task.sleep(nanoseconds: scheduled - now) }
                group.addTask {
                    let ok = await post(client, url: url)
                    return ok ? Double(DispatchTime.now().uptimeNanoseconds - scheduled) / 1e6 : nil
                }
            }
            var latencies: [Double?] = []
            for await latency in group { latencies.append(latency) }
            return latencies
        }
        return (results.compactMap { $0 }.sorted(), results.filter { $0 == nil }.count)
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    /// `wrk -t2 -c64` with a POST body: a closed-loop load from a separate, efficient process.
    static func wrk(url: String, seconds: Double) async throws -> String {
        let script = LiveFixture.temporaryPath("post.lua")
        try """
            wrk.method = "POST"
            wrk.body = '\(body)'
            wrk.headers["Content-Type"] = "application/json"
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = ["-t2", "-c64", "-d\(Int(seconds))s", "--latency", "-s", script, url]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        // Waited for on a thread of its own: blocking one of the cooperative pool's threads would slow the gateway.
        let output = await withCheckedContinuation { (continuation: CheckedContinuation<Data, Never>) in
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: data)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    @Test func measure() async throws {
        let harness = try await GatewayHarness.start(LiveFixture.scenario()) { upstream in
            upstream.script("alpha", [], then: .answer(text: "ok", promptTokens: 3, completionTokens: 1))
        }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let gateway = "http://127.0.0.1:\(harness.port)/v1/chat/completions"
        let direct = "\(harness.upstream.baseURL)/alpha/v1/chat/completions"
        let seconds = Double(ProcessInfo.processInfo.environment["NEXUS_LIVE_SPEED_SECONDS"] ?? "10") ?? 10

        _ = await Self.throughput(client, url: gateway, workers: 16, seconds: 2)  // warm-up: connections, caches
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") {
            print("SPEED wrk via gateway:\n" + (try await Self.wrk(url: gateway, seconds: seconds)))
            print("SPEED wrk upstream alone:\n" + (try await Self.wrk(url: direct, seconds: seconds)))
        }
        let viaGateway = await Self.throughput(client, url: gateway, workers: 64, seconds: seconds)
        let upstreamOnly = await Self.throughput(client, url: direct, workers: 64, seconds: seconds)
        print("SPEED throughput via gateway: \(Int(viaGateway.perSecond)) req/s (\(viaGateway.failures) failed); "
            + "upstream alone: \(Int(upstreamOnly.perSecond)) req/s (\(upstreamOnly.failures) failed)")

        let directLatency = await Self.openLoop(client, url: direct, rate: 1000, seconds: seconds)
        let gatewayLatency = await Self.openLoop(client, url: gateway, rate: 1000, seconds: seconds)
        func line(_ name: String, _ result: (latencies: [Double], failures: Int)) -> String {
            let l = result.latencies
            return "\(name): n=\(l.count) failed=\(result.failures) p50=\(String(format: "%.3f", Self.percentile(l, 0.5))) ms "
                + "p99=\(String(format: "%.3f", Self.percentile(l, 0.99))) ms max=\(String(format: "%.3f", l.last ?? .nan)) ms"
        }
        print("SPEED open loop 1000 req/s, " + line("direct", directLatency))
        print("SPEED open loop 1000 req/s, " + line("gateway", gatewayLatency))
        print("SPEED added p50 \(String(format: "%.3f", Self.percentile(gatewayLatency.latencies, 0.5) - Self.percentile(directLatency.latencies, 0.5))) ms, "
            + "added p99 \(String(format: "%.3f", Self.percentile(gatewayLatency.latencies, 0.99) - Self.percentile(directLatency.latencies, 0.99))) ms")
        #expect(viaGateway.failures == 0 && gatewayLatency.failures == 0)
        try? await client.shutdown()
        await harness.stop()
    }
}
