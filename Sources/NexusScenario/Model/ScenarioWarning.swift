/// Something in a scenario that loads and runs but cannot be what its author meant, such as a request
/// class that no model may receive (every one of its requests would fail `no_compliant_route`).
///
/// Returned with the ``Scenario`` by ``ScenarioLoader``; `nexus-sim` prints them on standard error and
/// carries on (exit code 0).
public struct ScenarioWarning: Hashable, Sendable, CustomStringConvertible {
    /// Where the value the warning is about was written.
    public var location: SourceLocation?
    /// Dotted key path of that value, e.g. `traffic.classes[4]`.
    public var keyPath: String
    public var message: String

    public init(location: SourceLocation?, keyPath: String, message: String) {
        self.location = location
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        (location.map { "\($0): " } ?? "") + "warning: " + (keyPath.isEmpty ? "" : "\(keyPath): ") + message
    }
}
