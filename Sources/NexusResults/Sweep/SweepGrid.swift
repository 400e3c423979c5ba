import NexusScenario

/// The grid of a sweep: names (declared parameters, or dotted paths to override) each with a list of
/// values; the points are every combination, the first name varying slowest.
public struct SweepGrid: Sendable {
    public var axes: [(name: String, values: [String])]

    /// Reads `--grid NAME=v1,v2,...` flags. Throws a ``ScenarioError`` located at the flag when one is malformed
    /// or a name repeats.
    public init(flags: [String]) throws {
        axes = []
        for flag in flags {
            let location = SourceLocation.commandLine("--grid \(flag)")
            guard let eq = flag.firstIndex(of: "="), eq != flag.startIndex else {
                throw ScenarioError(location: location, keyPath: "", message: "expected NAME=v1,v2,..., found '\(flag)'")
            }
            let name = String(flag[..<eq])
            let values = flag[flag.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard !values.contains(where: \.isEmpty) else {
                throw ScenarioError(location: location, keyPath: name, message: "empty value in '\(flag)'; write NAME=v1,v2,...")
            }
            guard !axes.contains(where: { $0.name == name }) else {
                throw ScenarioError(location: location, keyPath: name, message: "'\(name)' appears in two --grid flags; give its values once")
            }
            axes.append((name, values))
        }
        guard !axes.isEmpty else {
            throw ScenarioError(location: nil, keyPath: "", message: "a sweep needs at least one --grid NAME=v1,v2,...")
        }
    }

    /// Every combination of values, as `(name, value)` lists in axis order; the last axis varies fastest.
    public var points: [[(name: String, value: String)]] {
        axes.reduce([[]]) { partial, axis in
            partial.flatMap { prefix in axis.values.map { prefix + [(axis.name, $0)] } }
        }
    }

    /// Whether `name` is a dotted path (applied as a `--set` override) rather than a declared parameter.
    public static func isOverride(_ name: String) -> Bool { name.contains(".") }
}
