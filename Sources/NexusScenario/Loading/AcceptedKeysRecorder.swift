import Foundation

/// Records, while scenarios are loaded, which keys the decoder accepts at each key path and which names
/// it accepts for each choice, so that a description of the format written elsewhere (the JSON Schema of
/// ``ScenarioSchema``) can be checked against the decoder itself.
///
/// Recording is off unless a recorder is bound for the current task:
/// ```swift
/// let recorder = AcceptedKeysRecorder()
/// try AcceptedKeysRecorder.$current.withValue(recorder) { _ = try ScenarioLoader.load(path: file) }
/// ```
public final class AcceptedKeysRecorder: @unchecked Sendable {
    /// The recorder of the current task, if any.
    @TaskLocal public static var current: AcceptedKeysRecorder?

    /// One mapping the decoder read: its key path (list items as `[N]`) and the keys it allows there.
    public struct Table: Hashable, Sendable {
        public var path: String
        public var keys: [String]
    }

    private let lock = NSLock()
    private var recordedTables: [Table] = []
    private var recordedChoices: [Table] = []

    public init() {}

    /// Every mapping read, in order (a mapping read twice appears twice).
    public var tables: [Table] { lock.withLock { recordedTables } }
    /// Every choice read (`strategy`, `classification`, ...): its key path and the names it accepts.
    public var choices: [Table] { lock.withLock { recordedChoices } }

    func recordMapping(path: String, keys: [String]) {
        lock.withLock { recordedTables.append(Table(path: path, keys: keys)) }
    }

    func recordChoice(path: String, names: [String]) {
        lock.withLock { recordedChoices.append(Table(path: path, keys: names)) }
    }
}
