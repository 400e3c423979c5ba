/// The actions of one event, in order: at most ``capacity``, stored inline so that an event allocates nothing.
@frozen
public struct LifecycleActions: RandomAccessCollection, Hashable, Sendable, CustomStringConvertible {
    /// The most actions one event returns: an attempt and its hedge timer, or the cancellation of two attempts.
    public static let capacity = 2

    @usableFromInline var storage: (LifecycleAction, LifecycleAction)
    @usableFromInline var length: UInt8

    @inlinable public init() {
        storage = (.finish(.cancelled), .finish(.cancelled))
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
        return position == 0 ? storage.0 : storage.1
    }

    @inlinable mutating func append(_ action: LifecycleAction) {
        precondition(Int(length) < Self.capacity, "more lifecycle actions than the inline capacity")
        if length == 0 { storage.0 = action } else { storage.1 = action }
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
