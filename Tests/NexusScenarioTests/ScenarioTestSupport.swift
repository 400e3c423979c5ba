import Foundation
import NexusGateway
import NexusScenario
import Testing

/// A minimal valid scenario and helpers to derive variants of it.
///
/// The line numbers in the comments are the ones tests rely on for error locations; keep them in step.
enum Fixture {
    static let file = "test.yaml"

    static let minimal = """
        name: minimal
        simulation:
          duration: 1h
        gateway:
          instances: 2
          concurrency: 10
        providers:
          - name: sim
            classifications: [public, internal]
            models:
              - name: server
                price: {input_per_mtok: $2.50, output_per_mtok: $10}
                ttft: 800ms
        tiers:
          - name: standard
            models: [sim/server]
        traffic:
          arrivals: {process: poisson, rate: 12/s}
          classes:
            - name: chat
              share: 100%
              tier: standard
              input_tokens: 1000
              output_tokens: 200
        """
    // Line map of `minimal`:
    //  1 name            8 - name: sim         15   - name: standard   22 tier
    //  2 simulation      9 classifications      16     models          23 input_tokens
    //  3 duration       10 models               17 traffic             24 output_tokens
    //  4 gateway        11 - name: server       18 arrivals
    //  5 instances      12 price                19 classes
    //  6 concurrency    13 ttft                 20 - name: chat
    //  7 providers      14 tiers                21 share

    /// The minimal scenario with two request classes (`chat` 70%, `batch` 30%).
    static let twoClasses = (minimal + """

            - name: batch
              share: 30%
              tier: standard
              input_tokens: 4000
              output_tokens: 1000
        """).replacingOccurrences(of: "share: 100%", with: "share: 70%")
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
}

/// `text` with `old` (which must occur exactly once) replaced by `new`.
func replacing(_ old: String, with new: String, in text: String = Fixture.minimal) throws -> String {
    let occurrences = text.components(separatedBy: old).count - 1
    guard occurrences == 1 else {
        throw FixtureError(description: "'\(old)' occurs \(occurrences) times in the fixture, expected once")
    }
    return text.replacingOccurrences(of: old, with: new)
}

/// `text` with each pair's first string replaced by its second.
func variant(_ replacements: (String, String)..., of text: String = Fixture.minimal) throws -> String {
    try replacements.reduce(text) { try replacing($1.0, with: $1.1, in: $0) }
}

/// Parses `text` as the file `Fixture.file`.
func parse(
    _ text: String, parameters: [(String, String)] = [], overrides: [Override] = [], baseDirectory: String = "."
) throws -> Scenario {
    try ScenarioLoader.parse(text: text, file: Fixture.file, baseDirectory: baseDirectory,
                             parameters: parameters, overrides: overrides)
}

struct UnexpectedSuccess: Error {}

/// The `ScenarioError` that parsing `text` throws; records an issue (and throws) when it loads.
func parseError(
    _ text: String, parameters: [(String, String)] = [], overrides: [Override] = [], baseDirectory: String = ".",
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) throws -> ScenarioError {
    do {
        let scenario = try parse(text, parameters: parameters, overrides: overrides, baseDirectory: baseDirectory)
        Issue.record("expected a ScenarioError, but scenario '\(scenario.name)' loaded", sourceLocation: sourceLocation)
        throw UnexpectedSuccess()
    } catch let error as ScenarioError {
        return error
    }
}

/// Relative comparison for doubles that may be far from 1.
func close(_ a: Double, _ b: Double, relative: Double = 1e-12) -> Bool {
    if a == b { return true }
    return abs(a - b) <= relative * max(abs(a), abs(b))
}

/// A fresh temporary directory for files a test writes.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("NexusScenarioTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

extension Scenario {
    var firstModel: ModelSpec { providers[0].models[0] }
    var firstClass: RequestClassSpec { traffic.classes[0] }
    var arrivalRate: Double {
        switch traffic.arrivals {
        default: traffic.arrivals.meanRatePerSecond
        }
    }
}
