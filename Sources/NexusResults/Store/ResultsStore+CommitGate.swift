import CSQLite

extension ResultsStore {
    /// Calls `gate` on the committing thread just before each transaction of this connection is committed
    /// (explicit `COMMIT`s and single statements alike); when it returns `false` the commit becomes a rollback
    /// and the statement fails with `SQLITE_CONSTRAINT_COMMITHOOK`. `nil` removes the gate.
    ///
    /// A caller that must know whether a write landed (a signal handler deciding what to report) decides it in
    /// the gate, under its own lock: once the gate has let a commit through, that commit lands; once it refuses
    /// or blocks, nothing more lands.
    public func gateCommits(_ gate: (() -> Bool)?) {
        commitGate = gate.map(CommitGate.init)
        guard let commitGate else {
            sqlite3_commit_hook(connection, nil, nil)
            return
        }
        // The store keeps the box alive for as long as the hook may call it (until replaced or closed).
        sqlite3_commit_hook(connection, { context in
            guard let context else { return 0 }
            return Unmanaged<CommitGate>.fromOpaque(context).takeUnretainedValue().allows() ? 0 : 1
        }, Unmanaged.passUnretained(commitGate).toOpaque())
    }
}

/// The closure behind ``ResultsStore/gateCommits(_:)``, boxed so that SQLite can hold a pointer to it.
final class CommitGate {
    let allows: () -> Bool

    init(_ allows: @escaping () -> Bool) { self.allows = allows }
}
