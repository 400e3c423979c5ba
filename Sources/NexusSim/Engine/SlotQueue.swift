/// A FIFO ring buffer of (slot, generation) pairs: the gateway queue.
///
/// Entries whose request has left (queue timeout) stay until they reach the front and are skipped
/// there, because their generation no longer matches; that keeps removal O(1).
package struct SlotQueue: Sendable {
    @usableFromInline var buffer: [(slot: Int32, generation: UInt32)]
    @usableFromInline var head = 0
    @usableFromInline var storedCount = 0

    package init() { buffer = Array(repeating: (-1, 0), count: 16) }

    /// Entries stored, including stale ones.
    package var storedEntries: Int { storedCount }

    @inlinable
    package mutating func append(slot: Int32, generation: UInt32) {
        if storedCount == buffer.count { grow() }
        buffer[(head + storedCount) & (buffer.count - 1)] = (slot, generation)
        storedCount += 1
    }

    @inlinable
    package mutating func popFirst() -> (slot: Int32, generation: UInt32)? {
        guard storedCount > 0 else { return nil }
        let entry = buffer[head]
        head = (head + 1) & (buffer.count - 1)
        storedCount -= 1
        return entry
    }

    @usableFromInline
    mutating func grow() {
        var bigger = Array(repeating: (slot: Int32(-1), generation: UInt32(0)), count: buffer.count * 2)
        for i in 0..<storedCount { bigger[i] = buffer[(head + i) & (buffer.count - 1)] }
        buffer = bigger
        head = 0
    }
}
