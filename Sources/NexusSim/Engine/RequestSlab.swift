import NexusGateway

/// Where a request is in its life.
public enum RequestPhase: UInt8, Sendable {
    case free
    /// Waiting in the gateway queue for a free instance slot.
    case queued
    /// Holding an instance slot: routing, attempts at providers, or waiting to retry.
    case inFlight
}

/// The state of one request in flight. Kept small: the slab holds one per request in flight.
public struct RequestRecord: Sendable {
    public var arrivalAt: Nanoseconds = 0
    /// When the answering attempt's first token arrived; `-1` until a request is answered.
    public var firstTokenAt: Nanoseconds = -1
    /// Everything its attempts cost so far.
    public var cost: USD = .zero
    public var inputTokens: Int32 = 0
    public var outputTokens: Int32 = 0
    public var maxOutputTokens: Int32 = 0
    public var classIndex: Int32 = 0
    /// The tier the request is routed in: its class's tier, or the budget's downgrade tier.
    public var tier: Int32 = 0
    /// The user (index into the population or the trace's users), `-1` when the traffic has no users (the
    /// budget then counts all such requests as one user).
    public var user: Int32 = -1
    /// Conversation id and 1-based turn; whether this is the conversation's last turn.
    public var conversation: Int64 = 0
    public var turn: Int32 = 1
    public var lastTurn = true
    /// Prompt fingerprint (for the response cache).
    public var promptID: Int64 = 0
    /// The instance whose slot the request holds, `-1` when none.
    public var instance: Int32 = -1
    /// The request's attempts in flight (two while hedged) and their slab generations.
    public var attempt: (Int32, Int32) = (-1, -1)
    public var attemptGeneration: (UInt32, UInt32) = (0, 0)
    /// What the router remembers between attempts.
    public var routing = RequestRouting()
    public var phase: RequestPhase = .free
    /// Whether the request arrived after the warm-up and so counts in the metrics.
    public var counted = false
    /// Whether a hedged attempt has been sent (at most one per request).
    public var hedged = false
    /// Whether the response cache missed, so the answer is stored when it arrives; and under which key.
    public var storeInCache = false
    public var cacheKey: UInt64 = 0

    public init() {}

    public var activeAttempts: Int { (attempt.0 >= 0 ? 1 : 0) + (attempt.1 >= 0 ? 1 : 0) }
}

/// Records addressed by slot index, with O(1) allocation and release.
///
/// Freed slots are reused, so memory follows the records in use (requests or attempts in flight), never
/// the number ever allocated. Each slot has a generation, bumped on release, so that an event scheduled
/// for a previous occupant can be recognised as stale.
public struct Slab<Element: Sendable>: Sendable {
    @usableFromInline var elements: [Element] = []
    @usableFromInline var generations: [UInt32] = []
    @usableFromInline var occupied: [Bool] = []
    @usableFromInline var freeSlots: [Int32] = []
    public private(set) var inUse = 0
    private let empty: Element

    /// - Parameter empty: the value a freshly allocated slot starts from.
    public init(empty: Element) { self.empty = empty }

    /// The most slots ever in use at once (the high-water mark).
    public var capacity: Int { elements.count }

    /// Allocates a slot holding `empty`. O(1) amortised.
    public mutating func allocate() -> Int32 {
        inUse += 1
        if let slot = freeSlots.popLast() {
            elements[Int(slot)] = empty
            occupied[Int(slot)] = true
            return slot
        }
        elements.append(empty)
        generations.append(0)
        occupied.append(true)
        return Int32(elements.count - 1)
    }

    /// Frees a slot and bumps its generation. O(1).
    public mutating func release(_ slot: Int32) {
        inUse -= 1
        occupied[Int(slot)] = false
        generations[Int(slot)] &+= 1
        freeSlots.append(slot)
    }

    @inlinable public func generation(of slot: Int32) -> UInt32 { generations[Int(slot)] }

    /// Whether `slot` is in use by the occupant that had `generation`.
    @inlinable public func isCurrent(_ slot: Int32, generation: UInt32) -> Bool {
        occupied[Int(slot)] && generations[Int(slot)] == generation
    }

    @inlinable
    public subscript(slot: Int32) -> Element {
        _read { yield elements[Int(slot)] }
        _modify { yield &elements[Int(slot)] }
    }

    /// The elements of the slots in use.
    public var live: [Element] { elements.indices.filter { occupied[$0] }.map { elements[$0] } }
}
