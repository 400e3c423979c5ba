import Foundation
import NexusGateway

/// The one ``Gateway`` state machine all requests share (router, response cache, budget guard), behind a lock.
///
/// Every event of every request goes through here, so the live gateway applies exactly the rules the simulator
/// applies; each request's own ``RequestLifecycle`` stays with its exchange. Events are O(candidates) and
/// allocation-free, so the lock is held for microseconds.
final class SharedGateway: @unchecked Sendable {
    private let lock = NSLock()
    private var gateway: Gateway
    private var draws = GeneratorDraws(SystemRandomNumberGenerator())
    /// Told, under the lock, what the budget observed during each event (alerts, exhaustion, overspend); the
    /// gateway's outbox is emptied after every event, so it never grows.
    private let budgetObserver: @Sendable (BudgetEvent) -> Void

    init(_ gateway: Gateway, budgetObserver: @escaping @Sendable (BudgetEvent) -> Void = { _ in }) {
        self.gateway = gateway
        self.budgetObserver = budgetObserver
    }

    /// Hands the budget's events of the event just run to the observer.
    private func passBudgetEvents() {
        guard !gateway.budgetEvents.isEmpty else { return }
        for event in gateway.budgetEvents { budgetObserver(event) }
        gateway.clearBudgetEvents()
    }

    func arrived(_ request: GatewayRequest, lifecycle: inout RequestLifecycle, now: Nanoseconds) -> LifecycleActions {
        lock.lock()
        defer { passBudgetEvents(); lock.unlock() }
        return gateway.arrived(request, lifecycle: &lifecycle, now: now, draws: &draws)
    }

    func attemptEnded(_ attempt: AttemptID, _ outcome: AttemptOutcome, lifecycle: inout RequestLifecycle, now: Nanoseconds) -> LifecycleActions {
        lock.lock()
        defer { passBudgetEvents(); lock.unlock() }
        return gateway.attemptEnded(attempt, outcome, lifecycle: &lifecycle, now: now, draws: &draws)
    }

    func timerFired(_ timer: TimerID, lifecycle: inout RequestLifecycle, now: Nanoseconds) -> LifecycleActions {
        lock.lock()
        defer { passBudgetEvents(); lock.unlock() }
        return gateway.timerFired(timer, lifecycle: &lifecycle, now: now, draws: &draws)
    }

    func cancelled(lifecycle: inout RequestLifecycle, now: Nanoseconds) -> LifecycleActions {
        lock.lock()
        defer { passBudgetEvents(); lock.unlock() }
        return gateway.cancelled(lifecycle: &lifecycle, now: now)
    }

    /// Reads the shared state under the lock (for `/metrics` and start-up restore).
    func withGateway<Result>(_ body: (inout Gateway) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body(&gateway)
    }
}
