/// The actions of one event, in order: at most ``capacity``, stored inline so that an event allocates nothing.
@frozen
public struct LifecycleActions: RandomAccessCollection, Hashable, Sendable, CustomStringConvertible {
    /// The most actions one event returns (a fallback attempt and its hedge timer, say).
    public static let capacity = 3

    @usableFromInline var storage: (LifecycleAction, LifecycleAction, LifecycleAction)
    @usableFromInline var length: UInt8

    @inlinable public init() {
        storage = (.finish(.cancelled), .finish(.cancelled), .finish(.cancelled))
        length = 0
    }

    /// Builds a list from an array (for tests and for comparing with an expected sequence).
    public init(_ actions: [LifecycleAction]) {
        self.init()
        for action in actions { append(action) }
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { Int(length) }

    @inlinable public subscript(position: Int) -> LifecycleAction {
        precondition(position >= 0 && position < Int(length), "action index out of range")
        switch position {
        case 0: return storage.0
        case 1: return storage.1
        default: return storage.2
        }
    }

    @inlinable mutating func append(_ action: LifecycleAction) {
        precondition(Int(length) < Self.capacity, "more lifecycle actions than the inline capacity")
        switch length {
        case 0: storage.0 = action
        case 1: storage.1 = action
        default: storage.2 = action
        }
        length += 1
    }

    public static func == (a: LifecycleActions, b: LifecycleActions) -> Bool { a.elementsEqual(b) }

    public func hash(into hasher: inout Hasher) {
        for action in self { hasher.combine(action) }
    }

    public var description: String { "[" + map { "\($0)" }.joined(separator: ", ") + "]" }
}

extension LifecycleActions: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: LifecycleAction...) { self.init(elements) }
}
