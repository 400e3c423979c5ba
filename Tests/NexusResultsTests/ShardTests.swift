import Foundation
import NexusResults
import NexusSim
import Testing

@Suite("Shards")
struct ShardTests {
    @Test("i/N parses with 1 ≤ i ≤ N; anything else says what is wrong")
    func parsing() throws {
        #expect(try Shard(parsing: "2/4") == Shard(index: 2, of: 4))
        #expect(try Shard(parsing: " 1/1 ") == .whole)
        #expect(Shard(index: 3, of: 8).description == "3/8")
        let bad: [(String, String)] = [
            ("0/4", "between 1 and 4"), ("5/4", "between 1 and 4"), ("1/0", "at least 1"), ("-1/2", "between 1 and 2"),
            ("2", "expects i/N"), ("a/b", "expects i/N"), ("1/2/3", "expects i/N"), ("", "expects i/N"),
        ]
        for (text, message) in bad {
            #expect(throws: ShardError.self) { try Shard(parsing: text) }
            do { _ = try Shard(parsing: text) } catch let error as ShardError {
                #expect(error.description.contains(message), "\(text): \(error)")
            }
        }
        #expect(throws: Never.self) { try Shard(index: 4, of: 4).check(replications: 4) }
        #expect(throws: ShardError.self) { try Shard(index: 1, of: 5).check(replications: 4) }
    }

    @Test("the shards of a run partition its jobs round robin, every shard has every point")
    func assignment() {
        for count in 1...5 {
            for replications in count...9 {
                for points in 1...3 {
                    let shards = (1...count).map { Shard(index: $0, of: count) }
                    let jobs = shards.map { $0.jobs(points: points, replications: replications) }
                    let all = jobs.flatMap { $0 }.map { $0.plan * replications + $0.replication }
                    #expect(all.sorted() == Array(0..<points * replications), "\(count) shards, \(replications)×\(points)")
                    for (shard, mine) in zip(shards, jobs) {
                        #expect(mine.allSatisfy { shard.owns(job: $0.plan * replications + $0.replication) })
                        // Equal shares (±1), and a replication of every point.
                        #expect(abs(mine.count - points * replications / count) <= 1)
                        for p in 0..<points {
                            let reps = shard.replications(of: replications, point: p)
                            #expect(reps == mine.filter { $0.plan == p }.map(\.replication))
                            #expect(!reps.isEmpty)
                        }
                    }
                }
            }
        }
        #expect(Shard(index: 2, of: 4).replications(of: 10) == [1, 5, 9])
        #expect(Shard.whole.replications(of: 3) == [0, 1, 2])
    }

    @Test("a shard runs its replications with the unsharded run's seeds and results")
    func sameReplications() throws {
        let scenario = try Scenarios.small(duration: 120)
        let whole = Experiment.report(scenario: scenario, seed: 3, policy: ReplicationPolicy(replications: 5))
        let shard = Shard(index: 2, of: 2)
        let part = Experiment.report(scenario: scenario, seed: 3, policy: ReplicationPolicy(replications: 5, shard: shard))
        #expect(part.replications.map(\.replication) == [1, 3])
        for summary in part.replications {
            let same = whole.replications[summary.replication]
            #expect(summary.seed == same.seed)
            #expect(try summary.storedJSON() == same.storedJSON())
        }
        // The points of a sweep: job k = point × replications + replication.
        let reports = Experiment.reports(scenarios: [scenario, scenario], seed: 3, replications: 5, shard: shard)
        #expect(reports.map { $0.replications.map(\.replication) } == [[1, 3], [0, 2, 4]])
        #expect(try reports[1].replications[2].storedJSON() == whole.replications[4].storedJSON())
    }
}
