import Foundation

extension RunListing {
    /// The `runs list --json` object of one run; absent results are `null`.
    public var json: JSONValue {
        .object([
            ("id", .number(Double(id))),
            ("created_at", .string(StoreTimestamp.text(createdAt))),
            ("finished_at", finishedAt.map { .string(StoreTimestamp.text($0)) } ?? .null),
            ("command", .string(command)),
            ("scenario", .string(scenarioName)),
            ("status", .string(listedStatus)),
            ("replications", .int(replications)),
            ("shard", shard.map { .string($0.description) } ?? .null),
            ("requests", .num(requests)),
            ("availability", .num(availability)),
            ("latency_ms_p95", .num(p95LatencyMillis)),
            ("cost_usd_per_request", .num(costPerRequestUSD)),
        ])
    }

    /// `runs list --json`: `{"runs": [...]}`, newest first.
    public static func json(_ listings: [RunListing]) -> JSONValue {
        .object([("runs", .array(listings.map(\.json)))])
    }

    /// `runs list` as a table, newest first: id, start (UTC), command, scenario, status, replications (and
    /// shard), requests, availability, p95 latency and cost per request; `-` where a run has no result.
    public static func table(_ listings: [RunListing]) -> String {
        guard !listings.isEmpty else { return "No runs stored.\n" }
        let header = ["ID", "STARTED (UTC)", "COMMAND", "SCENARIO", "STATUS", "REPL", "REQUESTS", "AVAIL", "P95", "$/REQUEST"]
        let rows = listings.map { run -> [String] in
            [String(run.id), Self.minute.format(run.createdAt), run.command, run.scenarioName, run.listedStatus,
             String(run.replications) + (run.shard.map { $0.isWhole ? "" : " (\($0))" } ?? ""),
             run.requests.map(Self.count) ?? "-",
             run.availability.map { String(format: "%.3f%%", $0 * 100) } ?? "-",
             run.p95LatencyMillis.map(Self.latency) ?? "-",
             run.costPerRequestUSD.map { String(format: "$%.5f", $0) } ?? "-"]
        }
        // Text columns are left-aligned, numbers right-aligned.
        let rightAligned: Set<Int> = [0, 5, 6, 7, 8, 9]
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return rightAligned.contains(c) ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    private static let minute = Date.VerbatimFormatStyle(
        format: "\(year: .defaultDigits)-\(month: .twoDigits)-\(day: .twoDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)",
        timeZone: .gmt, calendar: Calendar(identifier: .gregorian))

    private static func count(_ value: Double) -> String {
        switch value {
        case 1e9...: String(format: "%.2fB", value / 1e9)
        case 1e6...: String(format: "%.2fM", value / 1e6)
        case 1e4...: String(format: "%.1fk", value / 1e3)
        default: String(format: "%.0f", value)
        }
    }

    private static func latency(_ millis: Double) -> String {
        millis >= 1000 ? String(format: "%.2f s", millis / 1000) : String(format: "%.0f ms", millis)
    }
}

extension PruneResult {
    /// What `runs prune` prints: what was deleted, what was kept and why, and the space freed.
    public var text: String {
        func ids(_ list: [Int64]) -> String {
            let shown = list.prefix(20).map(String.init).joined(separator: ", ")
            return list.count > 20 ? shown + ", … (\(list.count) in all)" : shown
        }
        var lines: [String] = []
        if deletedRunIDs.isEmpty {
            lines.append("No runs deleted.")
        } else {
            lines.append("Deleted \(deletedRunIDs.count) run\(deletedRunIDs.count == 1 ? "" : "s") (\(ids(deletedRunIDs)))"
                + (deletedSweepIDs.isEmpty ? "" : " and sweep\(deletedSweepIDs.count == 1 ? "" : "s") \(ids(deletedSweepIDs))")
                + " with their metrics, series, replications and targets.")
        }
        if !keptRunningIDs.isEmpty {
            lines.append("Kept \(keptRunningIDs.count) run\(keptRunningIDs.count == 1 ? "" : "s") still running (\(ids(keptRunningIDs))).")
        }
        if !keptSweepRunIDs.isEmpty {
            lines.append("Kept \(keptSweepRunIDs.count) run\(keptSweepRunIDs.count == 1 ? "" : "s") (\(ids(keptSweepRunIDs))) "
                + "belonging to sweeps that still have newer runs; a sweep is pruned whole.")
        }
        let mb = { (bytes: Int64) in String(format: "%.2f MB", Double(bytes) / 1e6) }
        lines.append("Database: \(mb(bytesBefore)) → \(mb(bytesAfter)) (\(mb(bytesFreed)) freed).")
        return lines.joined(separator: "\n") + "\n"
    }
}
