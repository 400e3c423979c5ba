import Foundation
import NexusResults
import Testing

@Suite("ResultsStore under concurrent writers")
struct ResultsStoreConcurrencyTests {
    @Test("eight writers on one new file, each with large series, all store their runs")
    func eightWriters() throws {
        try withTemporaryStorePath { path in
            let writers = 8
            let outcomes = Outcomes(count: writers)
            let group = DispatchGroup()
            for writer in 0..<writers {
                group.enter()
                // Threads, not a concurrent queue: all eight must really contend, whatever the core count.
                let thread = Thread {
                    defer { group.leave() }
                    outcomes.set(writer, Result { try Self.storeRun(writer: writer, path: path) })
                }
                thread.stackSize = 1 << 22
                thread.start()
            }
            group.wait()
            let ids = try outcomes.values.map { try $0.get() }
            #expect(Set(ids).count == writers)
            let store = try ResultsStore(path: path)
            let listings = try store.runListings()
            #expect(listings.count == writers)
            #expect(listings.allSatisfy { $0.status == .finished })
            for (writer, id) in ids.enumerated() {
                let arrivals = try store.seriesColumns(runID: id, name: "arrivals")
                #expect(arrivals.count == 2)
                #expect(arrivals.first?.values == Self.values(writer: writer, series: 0))
                #expect(try store.replications(runID: id).map(\.summaryJSON.count) == [200_000, 200_000])
            }
        }
    }

    static func values(writer: Int, series: Int) -> [Double] {
        (0..<1440).map { Double(($0 * 7 + writer * 13 + series) % 1000) }
    }

    /// What one writer does: opens its own connection (creating the file if it is first), begins, finishes.
    static func storeRun(writer: Int, path: String) throws -> Int64 {
        let store = try ResultsStore(path: path)
        let id = try store.beginRun(sampleRunRecord())
        let names = ["arrivals"] + (1..<30).map { "series\($0)" }
        let columns = (0..<2).flatMap { replication in
            names.enumerated().map { s, name in
                SeriesColumn(replication: replication, name: name, windowSeconds: 60, values: values(writer: writer, series: s))
            }
        }
        let summary = String(repeating: "x", count: 200_000)
        try store.finishRun(id: id, metrics: [MetricRow(name: "requests", replication: nil, value: Double(writer))],
                            seriesColumns: columns,
                            replications: (0..<2).map { ReplicationRow(replication: $0, seed: UInt64($0), summaryJSON: summary) },
                            summaryJSON: "{}")
        return id
    }
}

/// Results written by several threads, each index by exactly one.
private final class Outcomes: @unchecked Sendable {
    private var slots: [Result<Int64, any Error>?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<Int64, any Error>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    var values: [Result<Int64, any Error>] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0! }
    }
}
