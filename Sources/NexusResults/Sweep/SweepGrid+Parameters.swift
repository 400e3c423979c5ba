import NexusScenario

extension SweepGrid {
    /// Checks that every axis that is not a dotted key path names a declared parameter. Throws a
    /// ``ScenarioError`` located at the `--grid` flag (not at a `--param` the user never typed), with the
    /// declared names and the nearest one.
    public func checkParameterNames(declared: [String]) throws {
        for axis in axes where !Self.isOverride(axis.name) && !declared.contains(axis.name) {
            let flag = "--grid \(axis.name)=\(axis.values.joined(separator: ","))"
            let known = declared.isEmpty ? "this scenario declares no parameters" : "declared: \(declared.joined(separator: ", "))"
            throw ScenarioError(
                location: .commandLine(flag), keyPath: "parameters",
                message: "unknown parameter '\(axis.name)'; \(known) (a dotted key path such as gateway.instances sets any key)",
                suggestion: ScenarioError.suggestion(for: axis.name, among: declared))
        }
    }
}
