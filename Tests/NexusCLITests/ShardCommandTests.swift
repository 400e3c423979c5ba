import Foundation
import NexusResults
import Testing

@Suite struct ShardCommandTests {
    private static let small = ["--replications", "4", "--quiet"] + CLI.smallMMc

    @Test func shardsRunThenMergePrintsExactlyTheUnshardedRun() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let whole = try CLI.run(["run", CLI.mmc, "--json", "--no-store"] + Self.small)
        #expect(whole.status == 0, "\(whole.stderr)")
        var paths: [String] = []
        for i in [3, 1, 2] {
            let db = dir.appendingPathComponent("shard-\(i).sqlite").path
            let r = try CLI.run(["run", CLI.mmc, "--json", "--shard", "\(i)/3", "--db", db] + Self.small)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("shard \(i)/3: replication"))
            paths.append(db)
        }
        let out = dir.appendingPathComponent("merged.sqlite").path
        let merged = try CLI.run(["merge", "--json", "--db", out] + paths)
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout == whole.stdout)
        #expect(merged.stderr.contains("merged 3 shards (4 replications) as run 1 in \(out)"))
        let run = try #require(try ResultsStore(path: out).latestRun())
        #expect(run.command == "run" && run.shard == .whole && run.replications == 4)

        let text = try CLI.run(["merge", "--no-store"] + paths)
        let wholeText = try CLI.run(["run", CLI.mmc, "--no-store"] + Self.small)
        #expect(text.status == 0 && text.stdout == wholeText.stdout)

        let missing = try CLI.run(["merge", "--no-store", paths[0], paths[1]])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("error: shard 2/3 is missing"))
    }

    @Test func badShardsAreUsageErrors() throws {
        for (flags, message) in [
            (["--shard", "5/4"], "between 1 and 4"),
            (["--shard", "2-4"], "--shard expects i/N"),
            (["--shard", "2/5"], "5 shards need at least 5 replications, but the run has 4"),
            (["--shard", "1/2", "--precision", "5%"], "--precision decides the replication count"),
        ] {
            let r = try CLI.run(["run", CLI.mmc, "--no-store"] + Self.small + flags)
            #expect(r.status == 64, "\(flags): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(flags): \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        let sweep = try CLI.run(["sweep", CLI.mmc, "--grid", "servers=10,11", "--no-store", "--shard", "3/2"] + Self.small)
        #expect(sweep.status == 64)
        let merge = try CLI.run(["merge"])
        #expect(merge.status == 64)
    }
}
