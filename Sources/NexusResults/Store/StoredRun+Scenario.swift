import Foundation
import NexusScenario

extension StoredRun {
    /// The parameters as stored, in their order; `nil` when the column is not an object of strings.
    public var parameters: [(String, String)]? { JSONValue.parse(parametersJSON)?.stringPairs }

    /// The `--set` overrides as stored, in the order they were applied.
    public var overrides: [Override]? {
        JSONValue.parse(overridesJSON)?.stringPairs?.map { Override(path: $0.0, value: $0.1) }
    }

    /// The scenario this run simulated, rebuilt from the stored text with the stored parameters and overrides,
    /// with the warm-up its replications used (MSER-5 decides it while running). Relative references in the
    /// scenario (price tables, traces) resolve against the stored scenario path's folder, as in the run, so
    /// those files must be where they were. A forecast's scenario is returned before its month adaptation.
    /// - Throws: ``ScenarioError`` when the stored scenario no longer loads (a referenced file moved, say).
    public func scenario() throws -> Scenario {
        guard let parameters, let overrides else {
            throw ScenarioError(location: nil, keyPath: "", message: "run \(id): the stored parameters or overrides are not JSON objects of strings")
        }
        let directory = scenarioPath.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? "."
        var scenario = try ScenarioLoader.parse(text: scenarioText, file: scenarioPath ?? "<run \(id)>", baseDirectory: directory,
                                                parameters: parameters, overrides: overrides)
        if let warmupNanos { scenario.simulation.warmupNanos = warmupNanos }
        return scenario
    }
}
