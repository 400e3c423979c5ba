import NexusGateway

/// What happens at an event. A closed enum: the run loop switches on it, no closures, no existentials.
package enum EventKind: UInt8, Sendable {
    /// A provider attempt ends (answer, error or timeout); payload: the attempt's slot and generation.
    case attemptFinished
    /// A queued request's queue timeout has expired; payload: the request's slot and generation.
    case queueTimeout
    /// A request's backoff is over and it retries; payload: the request's slot and generation.
    case retryDue
    /// An attempt has run for the tier's hedge delay; payload: the attempt's slot and generation.
    case hedgeDue
    /// A request found in the response cache is answered; payload: the request's slot and generation.
    case cacheAnswer
    /// The autoscaler evaluates its metrics and may scale.
    case autoscale
    /// A starting gateway instance has finished its start-up; payload: the instance id.
    case instanceReady
    /// A draining gateway instance's termination grace period is over; payload: the instance id.
    case instanceTerminated
    /// Kubernetes' metrics-server scrapes the instances (HPA with `metrics_server` only).
    case metricsScrape
}

/// A scheduled event. Ordered by `(time, sequence)`: equal times run first-in-first-out, which makes
/// every run reproducible bit for bit.
package struct Event: Sendable {
    package var time: Nanoseconds
    package var sequence: UInt64
    package var slot: Int32
    /// The slot's generation when the event was scheduled; a stale event (slot reused) is ignored.
    package var generation: UInt32
    package var kind: EventKind

    @inlinable
    package init(time: Nanoseconds, sequence: UInt64, kind: EventKind, slot: Int32 = -1, generation: UInt32 = 0) {
        self.time = time
        self.sequence = sequence
        self.kind = kind
        self.slot = slot
        self.generation = generation
    }

    @inlinable
    static func precedes(_ a: Event, _ b: Event) -> Bool {
        a.time < b.time || (a.time == b.time && a.sequence < b.sequence)
    }

    /// ``precedes(_:_:)`` as 1 or 0, evaluated without branches.
    @inlinable
    static func precedesAsInt(_ a: Event, _ b: Event) -> Int {
        let earlier = a.time < b.time ? 1 : 0, same = a.time == b.time ? 1 : 0, before = a.sequence < b.sequence ? 1 : 0
        return earlier | (same & before)
    }
}
