import Foundation
import NexusResults

/// Runs `body` with a database path inside a fresh temporary directory, nested two
/// levels deep so that opening the store must create the parent directories.
func withTemporaryStorePath(_ body: (String) throws -> Void) throws {
    let root = FileManager.default.temporaryDirectory
        .appendingPathComponent("nexus-results-tests-\(UUID().uuidString)", isDirectory: true)
    defer { try? FileManager.default.removeItem(at: root) }
    try body(root.appendingPathComponent("nested/dir/results.sqlite").path)
}

/// A run record with every optional field filled in.
func sampleRunRecord(
    command: String = "run",
    parameters: [(String, String)] = [("arrival_rate", "120"), ("duration_s", "600")]
) -> RunRecord {
    RunRecord(
        command: command,
        scenarioName: "burst-failover",
        scenarioPath: "scenarios/burst-failover.yaml",
        scenarioText: "name: burst-failover\nproviders: [a, b]\n",
        parameters: parameters,
        overrides: [("providers.a.error_rate", "0.2")],
        seed: UInt64.max - 5,
        replications: 8,
        toolVersion: "0.1.0-test"
    )
}
