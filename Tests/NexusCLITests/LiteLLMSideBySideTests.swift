import Foundation
import Testing

/// The simulator's `routing.mode: litellm` against a real LiteLLM proxy: `Benchmarks/litellm/run.sh` (the
/// side by side of docs/litellm.md), run when the script's virtualenv exists. The test never installs anything:
/// without the virtualenv it is skipped at once, saying how to get it.
@Suite struct LiteLLMSideBySideTests {
    static let script = CLI.root.appendingPathComponent("Benchmarks/litellm/run.sh")
    static let proxy = CLI.root.appendingPathComponent("Benchmarks/litellm/.venv/bin/litellm")
    static var venvExists: Bool { FileManager.default.isExecutableFile(atPath: proxy.path) }

    @Test(.enabled(if: venvExists, """
        no LiteLLM virtualenv at Benchmarks/litellm/.venv: run Benchmarks/litellm/run.sh once (it installs the pinned \
        litellm[proxy] from PyPI, a few minutes); then this test runs the side by side (about 15 minutes)
        """), .timeLimit(.minutes(45)))
    func simulatorAndLiteLLMAgreeWithinTheTolerances() throws {
        let out = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.script.path]
        var environment = ProcessInfo.processInfo.environment
        environment["NO_INSTALL"] = "1"
        environment["NEXUS_SIM"] = CLI.executable.path
        environment["OUT"] = out.path
        process.environment = environment
        process.currentDirectoryURL = CLI.root
        let log = out.appendingPathComponent("run.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let table = (try? String(contentsOf: out.appendingPathComponent("table.md"), encoding: .utf8)) ?? ""
        // run.sh exits 0 only when every check of compare.py is within its tolerance (shares 3 points,
        // availability 1 point, p95 10 % plus the measured overhead, retries and fallbacks 3√n + 10 %).
        #expect(process.terminationStatus == 0, "run.sh exited \(process.terminationStatus):\n\(output.suffix(6000))")
        #expect(table.contains("Every check within tolerance."), "\(table)")
        #expect(table.contains("`azure/gpt-4o-mini`") && table.contains("`openai/gpt-4o-mini`"), "\(table)")
    }
}
