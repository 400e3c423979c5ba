import NexusGateway

/// Where a request is in its life.
public enum RequestPhase: UInt8, Sendable {
    case free
    /// Waiting in the gateway queue for a free instance slot.
    case queued
    /// Holding an instance slot; an attempt is at a provider.
    case inFlight
}

/// The state of one request in flight. Kept small: the slab holds one per request in flight.
public struct RequestRecord: Sendable {
    public var arrivalAt: Nanoseconds = 0
    /// When the first token arrived; `-1` until then.
    public var firstTokenAt: Nanoseconds = -1
    public var cost: USD = .zero
    public var inputTokens: Int32 = 0
    public var outputTokens: Int32 = 0
    public var maxOutputTokens: Int32 = 0
    public var classIndex: Int32 = 0
    /// The instance whose slot the request holds, `-1` when none.
    public var instance: Int32 = -1
    /// The endpoint of the current attempt.
    public var endpoint: Int32 = -1
    /// The current attempt's position in the tier's candidate list (handed back to the router).
    public var routePosition: Int32 = 0
    /// Incremented every time the slot is freed, so stale events for a previous occupant are ignored.
    public var generation: UInt32 = 0
    /// When the current attempt was sent to the provider.
    public var attemptStartedAt: Nanoseconds = 0
    public var attempts: UInt16 = 0
    public var phase: RequestPhase = .free
    /// Whether the request arrived after the warm-up and so counts in the metrics.
    public var counted: Bool = false

    public init() {}
}

/// Requests in flight, stored in a slab and addressed by slot index.
///
/// Freed slots are reused, so memory follows the number of requests in flight, never the number of
/// requests simulated. Allocation and release are O(1).
public struct RequestSlab: Sendable {
    @usableFromInline var records: [RequestRecord] = []
    @usableFromInline var freeSlots: [Int32] = []
    public private(set) var inUse = 0

    public init() {}

    /// The most slots ever in use at once (the high-water mark of requests in flight).
    public var capacity: Int { records.count }

    public mutating func allocate() -> Int32 {
        inUse += 1
        if let slot = freeSlots.popLast() { return slot }
        records.append(RequestRecord())
        return Int32(records.count - 1)
    }

    public mutating func release(_ slot: Int32) {
        inUse -= 1
        records[Int(slot)].phase = .free
        records[Int(slot)].generation &+= 1
        freeSlots.append(slot)
    }

    @inlinable
    public subscript(slot: Int32) -> RequestRecord {
        _read { yield records[Int(slot)] }
        _modify { yield &records[Int(slot)] }
    }
}
