import CSQLite

/// A failure of the results store, with enough context to act on it.
public struct ResultsStoreError: Error, CustomStringConvertible, Sendable {
    /// Path of the database file.
    public var path: String
    /// The SQL statement, or store-level step, that failed.
    public var operation: String
    /// SQLite's error message, or the store's explanation.
    public var message: String
    /// SQLite's extended result code, or `nil` for failures detected by the store itself.
    public var resultCode: Int32?

    /// Creates an error.
    public init(path: String, operation: String, message: String, resultCode: Int32? = nil) {
        self.path = path
        self.operation = operation
        self.message = message
        self.resultCode = resultCode
    }

    /// Whether the operation failed because another connection held the database lock.
    public var isBusy: Bool {
        guard let resultCode else { return false }
        return resultCode & 0xFF == SQLITE_BUSY || resultCode & 0xFF == SQLITE_LOCKED
    }

    /// A one-line explanation naming the database, the operation and the cause.
    public var description: String {
        let code = resultCode.map { " (SQLite code \($0))" } ?? ""
        return "results store \(path): \(operation) failed: \(message)\(code)"
    }
}
