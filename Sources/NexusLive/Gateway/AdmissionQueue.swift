import Foundation
import NexusGateway

/// The gateway instance's request slots and its queue, as the scenario's `gateway` block describes one instance:
/// `concurrency_per_instance` requests in flight, the rest waiting first-in first-out, at most `queue_limit` of
/// them, each at most `queue_timeout`.
final class AdmissionQueue: @unchecked Sendable {
    enum Admission: Sendable, Equatable {
        case admitted
        /// The queue was full on arrival (`queue_full`).
        case queueFull
        /// Waited longer than the queue timeout (`queue_timeout`).
        case timedOut
    }

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Admission, Never>
    }

    private let lock = NSLock()
    let slots: Int
    let queueLimit: Int?
    let queueTimeoutNanos: Nanoseconds?
    private var inUse = 0
    private var waiters: [Waiter] = []
    private var nextID: UInt64 = 0

    /// The gateway's clock: the queue timeout is gateway time.
    let clock: GatewayClock

    init(slots: Int, queueLimit: Int?, queueTimeoutNanos: Nanoseconds?, clock: GatewayClock = GatewayClock()) {
        self.clock = clock
        self.slots = max(1, slots)
        self.queueLimit = queueLimit
        self.queueTimeoutNanos = queueTimeoutNanos
    }

    /// Requests waiting for a slot.
    var depth: Int {
        lock.lock()
        defer { lock.unlock() }
        return waiters.count
    }

    /// Requests holding a slot.
    var inFlight: Int {
        lock.lock()
        defer { lock.unlock() }
        return inUse
    }

    /// Takes a slot, waiting in line when all are taken.
    func acquire() async -> Admission {
        await withCheckedContinuation { (continuation: CheckedContinuation<Admission, Never>) in
            // The check and the enqueueing happen under one lock, so a release in between cannot be missed.
            let decision: (Admission?, UInt64) = lock.withLock {
                if inUse < slots && waiters.isEmpty {
                    inUse += 1
                    return (.admitted, 0)
                }
                if let queueLimit, waiters.count >= queueLimit { return (.queueFull, 0) }
                nextID += 1
                waiters.append(Waiter(id: nextID, continuation: continuation))
                return (nil, nextID)
            }
            if let admission = decision.0 {
                continuation.resume(returning: admission)
            } else if let timeout = queueTimeoutNanos {
                let id = decision.1
                let clock = clock
                Task {
                    try? await clock.sleep(timeout)
                    self.expire(id)
                }
            }
        }
    }

    /// Gives a slot back; the longest waiter gets it.
    func release() {
        lock.lock()
        if !waiters.isEmpty {
            let next = waiters.removeFirst()
            lock.unlock()
            next.continuation.resume(returning: .admitted)
            return
        }
        inUse -= 1
        lock.unlock()
    }

    private func expire(_ id: UInt64) {
        lock.lock()
        guard let index = waiters.firstIndex(where: { $0.id == id }) else {
            lock.unlock()
            return
        }
        let waiter = waiters.remove(at: index)
        lock.unlock()
        waiter.continuation.resume(returning: .timedOut)
    }
}
