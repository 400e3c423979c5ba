import Foundation
import Testing

@Suite("nexus-sim providers")
struct ProvidersCommandTests {
    @Test("prints the bound URL on stdout once listening, serves, and ends with 143 on SIGTERM")
    func listensAndStops() throws {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["providers", "Scenarios/baseline.yaml", "--listen", "127.0.0.1:0", "--speed", "60"]
        process.currentDirectoryURL = CLI.root
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        // The first line, read with a bound: the URL with the port the system chose.
        let line = DispatchSemaphore(value: 0)
        let box = LineBox()
        DispatchQueue.global().async {
            var bytes = Data()
            while let byte = try? out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data([10]) { bytes += byte }
            box.set(String(decoding: bytes, as: UTF8.self))
            line.signal()
        }
        #expect(line.wait(timeout: .now() + 60) == .success)
        let url = box.value
        #expect(url.hasPrefix("http://127.0.0.1:"))
        let port = Int(url.split(separator: ":").last ?? "") ?? 0
        #expect(port > 0 && port != 0)
        kill(process.processIdentifier, SIGTERM)
        #expect(finished.wait(timeout: .now() + 30) == .success)
        #expect(process.terminationStatus == 143)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stderr.contains("providers of 'baseline'"))
    }

    @Test("a speed or listen address out of range is a usage error naming what is accepted")
    func badOptions() throws {
        let speed = try CLI.run(["providers", "Scenarios/baseline.yaml", "--listen", "127.0.0.1:0", "--speed", "0"], timeoutSeconds: 60)
        #expect(speed.status == 64)
        #expect(speed.stderr.contains("from 0.001 to 1000000"))
        let listen = try CLI.run(["providers", "Scenarios/baseline.yaml", "--listen", "localhost"], timeoutSeconds: 60)
        #expect(listen.status == 64)
        #expect(listen.stderr.contains("HOST:PORT"))
        let missing = try CLI.run(["providers", "Scenarios/nope.yaml", "--listen", "127.0.0.1:0"], timeoutSeconds: 60)
        #expect(missing.status == 2)
    }
}

private final class LineBox: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    func set(_ s: String) { lock.withLock { text = s } }
    var value: String { lock.withLock { text } }
}
