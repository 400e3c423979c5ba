import Foundation
import NexusScenario
import NexusSim

extension Comparison {
    /// The report of stored run `id`, rebuilt from its replication summaries and stored scenario — a
    /// simulation or a live load alike.
    /// - Throws: ``ComparisonInputError`` naming what is missing; ``ResultsStoreError`` when the store fails.
    public static func storedReport(runID id: Int64, in store: ResultsStore) throws -> RunReport {
        guard let run = try store.run(id: id) else { throw ComparisonInputError("no run \(id) in the results database") }
        guard run.status == .finished else { throw ComparisonInputError("run \(id) is \(run.status.rawValue), not finished") }
        let rows = try store.replications(runID: id)
        guard !rows.isEmpty else { throw ComparisonInputError("run \(id) stored no replication summaries to compare") }
        let scenario: Scenario
        do {
            scenario = try run.scenario()
        } catch let error as ScenarioError {
            throw ComparisonInputError("run \(id)'s stored scenario no longer loads: \(error.description)")
        }
        let summaries = try rows.map { try RunSummary(storedJSON: $0.summaryJSON) }.sorted { $0.replication < $1.replication }
        return RunReport(scenario: scenario, seed: run.seed, replications: summaries)
    }

    /// Compares two stored runs — say a simulation and a live load of the same scenario and seed. They must
    /// have the same seed and replication count (a live load has one replication: compare it with
    /// `run --replications 1`), so that their replications pair up.
    public static func storedRuns(_ a: Int64, _ b: Int64, in store: ResultsStore) throws -> Comparison {
        let ra = try storedReport(runID: a, in: store), rb = try storedReport(runID: b, in: store)
        guard ra.seed == rb.seed else {
            throw ComparisonInputError("runs \(a) and \(b) have different seeds (\(ra.seed) vs \(rb.seed)); a paired comparison needs the same seed")
        }
        guard ra.replications.count == rb.replications.count else {
            throw ComparisonInputError("runs \(a) and \(b) have \(ra.replications.count) and \(rb.replications.count) replications; "
                + "a paired comparison needs the same number (a live load has 1: compare it with run --replications 1)")
        }
        func label(_ id: Int64, _ r: RunReport) -> String { "run \(id) (\(r.isLive ? "live" : "simulated"))" }
        return Comparison(a: ra, b: rb, labelA: label(a, ra), labelB: label(b, rb))
    }
}

/// Stored runs that cannot be compared, and why.
public struct ComparisonInputError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
