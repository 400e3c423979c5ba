import ArgumentParser
import NexusResults

/// `--shard i/N`: run only shard i of N of the replications (see `Shard` for the assignment rule), for
/// spreading a run over machines; `nexus-sim merge` reassembles the shards' databases.
struct ShardOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Run only shard i of N (1-based): the jobs k (k = point × replications + replication) with k mod N = i − 1, "
            + "with the seeds of the unsharded run. Merge the shards' databases with `nexus-sim merge`.",
        valueName: "i/N"))
    var shard: String?

    func validate() throws {
        if let shard {
            do { _ = try Shard(parsing: shard) } catch let error as ShardError { throw ValidationError(error.description) }
        }
    }

    /// The shard for a run of `replications` replications (``Shard/whole`` without the flag).
    /// Exits with the usage code (64) when there are more shards than replications (known only once the
    /// scenario, which may set the replication count, is loaded).
    func resolve(replications: Int) throws -> Shard {
        guard let shard else { return .whole }
        do {
            let parsed = try Shard(parsing: shard)
            try parsed.check(replications: replications)
            return parsed
        } catch let error as ShardError {
            printError("error: \(error.description)")
            throw ExitCode.validationFailure
        }
    }

    /// Says on stderr which replications this shard runs, and how to merge.
    func announce(_ shard: Shard, replications: Int, points: Int = 1) {
        guard !shard.isWhole else { return }
        let mine = shard.replications(of: replications)
        let what = points == 1
            ? "replication\(mine.count == 1 ? "" : "s") \(mine.map(String.init).joined(separator: ", ")) (of 0–\(replications - 1))"
            : "\(shard.jobs(points: points, replications: replications).count) of the \(points * replications) (point, replication) jobs"
        printError("shard \(shard): \(what); merge the \(shard.count) shard databases with `nexus-sim merge`")
    }
}
