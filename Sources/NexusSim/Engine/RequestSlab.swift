import NexusGateway

/// Where a request is in its life.
package enum RequestPhase: UInt8, Sendable {
    case free
    /// Waiting in the gateway queue for a free instance slot.
    case queued
    /// Holding an instance slot: routing, attempts at providers, or waiting to retry.
    case inFlight
}

/// The state of one request in flight. Kept small: the slab holds one per request in flight.
package struct RequestRecord: Sendable {
    package var arrivalAt: Nanoseconds = 0
    /// When the answering attempt's first token arrived; `-1` until a request is answered.
    package var firstTokenAt: Nanoseconds = -1
    package var inputTokens: Int32 = 0
    package var outputTokens: Int32 = 0
    package var maxOutputTokens: Int32 = 0
    package var classIndex: Int32 = 0
    /// The user (index into the population or the trace's users), `-1` when the traffic has no users (the
    /// budget then counts all such requests as one user).
    package var user: Int32 = -1
    /// Conversation id and 1-based turn; whether this is the conversation's last turn.
    package var conversation: Int64 = 0
    package var turn: Int32 = 1
    package var lastTurn = true
    /// Prompt fingerprint (for the response cache).
    package var promptID: Int64 = 0
    /// The instance whose slot the request holds, `-1` when none.
    package var instance: Int32 = -1
    /// The request's attempts in flight (two while hedged), as attempt-slab slots, and their slab generations.
    package var attempt: (Int32, Int32) = (-1, -1)
    package var attemptGeneration: (UInt32, UInt32) = (0, 0)
    /// The failed attempt whose retry timer is pending.
    package var retryTimerAttempt: UInt32 = 0
    package var phase: RequestPhase = .free
    /// Whether the request arrived after the warm-up and so counts in the metrics.
    package var counted = false
    /// The gateway's state for the request, from the moment an instance takes it (``instance`` `>= 0`);
    /// before that it may still hold a previous request's (see ``prepareForNextRequest()``).
    package var lifecycle = RequestLifecycle()

    package init() {}

    /// Makes a released record ready for the next request: every field as in a new record except the
    /// lifecycle, which the gateway resets when an instance takes the request. Cheaper than assigning a new
    /// record: the lifecycle is most of its size.
    @inline(__always) package mutating func prepareForNextRequest() {
        arrivalAt = 0
        firstTokenAt = -1
        inputTokens = 0
        outputTokens = 0
        maxOutputTokens = 0
        classIndex = 0
        user = -1
        conversation = 0
        turn = 1
        lastTurn = true
        promptID = 0
        instance = -1
        attempt = (-1, -1)
        attemptGeneration = (0, 0)
        retryTimerAttempt = 0
        phase = .free
        counted = false
    }

    /// Whether the gateway's lifecycle has started for this request (an instance took it).
    package var hasLifecycle: Bool { instance >= 0 }

    package var activeAttempts: Int { (attempt.0 >= 0 ? 1 : 0) + (attempt.1 >= 0 ? 1 : 0) }
}

/// Records addressed by slot index, with O(1) allocation and release.
///
/// Freed slots are reused, so memory follows the records in use (requests or attempts in flight), never
/// the number ever allocated. Each slot has a generation, bumped on allocation and on release (odd while
/// occupied), so that an event scheduled for a previous occupant can be recognised as stale.
///
/// A final class over its own storage, not a struct over arrays: the run loop reads and writes records a
/// dozen times per request, and an array's copy-on-write uniqueness check on each of those accesses cost
/// more than the writes. The state sits behind one `let` pointer because a class's `var` properties pay
/// a dynamic exclusivity check on every access. So a slab is shared, not copied, by whoever holds it: one
/// simulation owns each.
package final class Slab<Element> {
    private struct Storage {
        var elements: UnsafeMutablePointer<Element>
        var generations: UnsafeMutablePointer<UInt32>
        /// Free slots, a stack: `freeSlots[0..<freeCount]`.
        var freeSlots: UnsafeMutablePointer<Int32>
        var freeCount = 0
        /// Slots ever handed out (all initialised), and the buffers' size.
        var capacity = 0
        var size: Int
        var inUse = 0
    }

    private let storage: UnsafeMutablePointer<Storage>
    private let empty: Element

    /// - Parameter empty: the value a freshly allocated slot starts from.
    package init(empty: Element) {
        self.empty = empty
        let size = 64
        storage = .allocate(capacity: 1)
        storage.initialize(to: Storage(elements: .allocate(capacity: size), generations: .allocate(capacity: size),
                                 freeSlots: .allocate(capacity: size), size: size))
    }

    deinit {
        storage.pointee.elements.deinitialize(count: storage.pointee.capacity)
        storage.pointee.elements.deallocate()
        storage.pointee.generations.deallocate()
        storage.pointee.freeSlots.deallocate()
        storage.deinitialize(count: 1)
        storage.deallocate()
    }

    /// The most slots ever in use at once (the high-water mark).
    package var capacity: Int { storage.pointee.capacity }

    /// Slots in use now.
    package var inUse: Int { storage.pointee.inUse }

    /// Allocates a slot holding `empty`. O(1) amortised.
    package func allocate() -> Int32 {
        allocate(preparingReused: { $0 = self.empty })
    }

    /// Allocates a slot: a fresh one holds `empty`, a reused one holds its previous occupant's record after
    /// `prepare` (for a large record whose next user rewrites most of it anyway, cheaper than copying
    /// `empty` over it). O(1) amortised.
    @inline(__always)
    package func allocate(preparingReused prepare: (inout Element) -> Void) -> Int32 {
        storage.pointee.inUse += 1
        let slot: Int32
        if storage.pointee.freeCount > 0 {
            storage.pointee.freeCount -= 1
            slot = storage.pointee.freeSlots[storage.pointee.freeCount]
            prepare(&storage.pointee.elements[Int(slot)])
        } else {
            if storage.pointee.capacity == storage.pointee.size { grow() }
            let c = storage.pointee.capacity
            slot = Int32(c)
            (storage.pointee.elements + c).initialize(to: empty)
            storage.pointee.generations[c] = 0
            storage.pointee.capacity = c + 1
        }
        storage.pointee.generations[Int(slot)] &+= 1
        return slot
    }

    /// Frees a slot and bumps its generation. O(1).
    package func release(_ slot: Int32) {
        storage.pointee.inUse -= 1
        storage.pointee.generations[Int(slot)] &+= 1
        storage.pointee.freeSlots[storage.pointee.freeCount] = slot
        storage.pointee.freeCount += 1
    }

    /// Doubles the buffers, moving the records.
    private func grow() {
        let size = storage.pointee.size * 2, count = storage.pointee.capacity
        let elements = UnsafeMutablePointer<Element>.allocate(capacity: size)
        elements.moveInitialize(from: storage.pointee.elements, count: count)
        storage.pointee.elements.deallocate()
        storage.pointee.elements = elements
        let generations = UnsafeMutablePointer<UInt32>.allocate(capacity: size)
        generations.update(from: storage.pointee.generations, count: count)
        storage.pointee.generations.deallocate()
        storage.pointee.generations = generations
        let free = UnsafeMutablePointer<Int32>.allocate(capacity: size)
        free.update(from: storage.pointee.freeSlots, count: storage.pointee.freeCount)
        storage.pointee.freeSlots.deallocate()
        storage.pointee.freeSlots = free
        storage.pointee.size = size
    }

    package func generation(of slot: Int32) -> UInt32 { storage.pointee.generations[Int(slot)] }

    /// Whether `slot` is in use by the occupant that had `generation`.
    package func isCurrent(_ slot: Int32, generation: UInt32) -> Bool {
        storage.pointee.generations[Int(slot)] == generation && generation & 1 == 1
    }

    /// The address of the record in `slot`, to pass one of its fields `inout` to another component without
    /// keeping the slab retained for the call. Valid until the next allocation (which may move the records).
    package func address(of slot: Int32) -> UnsafeMutablePointer<Element> { storage.pointee.elements + Int(slot) }

    /// The record in `slot` (in use or not; callers check ``isCurrent(_:generation:)`` for stale events).
    package subscript(slot: Int32) -> Element {
        unsafeAddress { UnsafePointer(storage.pointee.elements + Int(slot)) }
        unsafeMutableAddress { storage.pointee.elements + Int(slot) }
    }

    /// The slots in use, in slot order.
    public var liveSlots: [Int32] {
        (0..<storage.pointee.capacity).filter { storage.pointee.generations[$0] & 1 == 1 }.map { Int32($0) }
    }

    /// The elements of the slots in use.
    package var live: [Element] {
        (0..<storage.pointee.capacity).filter { storage.pointee.generations[$0] & 1 == 1 }.map { storage.pointee.elements[$0] }
    }
}
