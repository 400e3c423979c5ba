import Foundation
import NexusGateway

/// The answers behind the response cache's keys. ``ResponseCache`` decides hits, TTLs and capacity; this keeps
/// the text to send for a hit, in memory only (zero retention: answers are never written anywhere).
///
/// An entry lives as long as its cache class's TTL (from insertion, as the cache's own rule) and the store
/// holds at most `capacity` entries, dropping expired ones first and then the oldest.
final class AnswerStore: @unchecked Sendable {
    struct Answer: Sendable {
        var text: String
        var finishReason: String?
        var completionTokens: Int
        var expiresAt: Nanoseconds
        var model: String
    }

    private let lock = NSLock()
    private var answers: [UInt64: Answer] = [:]
    private var order: [UInt64] = []
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    func store(_ answer: Answer, key: UInt64, now: Nanoseconds) {
        lock.lock()
        defer { lock.unlock() }
        if answers.updateValue(answer, forKey: key) == nil { order.append(key) }
        guard answers.count > capacity else { return }
        order.removeAll { key in
            guard let entry = answers[key] else { return true }
            if entry.expiresAt <= now { answers[key] = nil; return true }
            return false
        }
        while answers.count > capacity, let oldest = order.first {
            order.removeFirst()
            answers[oldest] = nil
        }
    }

    func answer(key: UInt64, now: Nanoseconds) -> Answer? {
        lock.lock()
        defer { lock.unlock() }
        guard let answer = answers[key], answer.expiresAt > now else { return nil }
        return answer
    }
}
