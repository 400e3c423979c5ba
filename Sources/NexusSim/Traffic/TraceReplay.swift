import NexusGateway
import NexusScenario

/// What a full pass over a trace found: used to check a trace before a run and to loop it.
public struct TraceStats: Sendable, Hashable {
    /// Well-formed rows.
    public var rows = 0
    /// Rows left out as malformed (policy `skip`).
    public var skippedRows = 0
    public var inputTokens = 0
    public var outputTokens = 0
    /// First and last timestamps, trace clock, nanoseconds.
    public var firstTime: Int64 = 0
    public var lastTime: Int64 = 0

    /// Replay period of one pass before it repeats: the span plus one mean gap (so the last row of a pass and
    /// the first of the next are as far apart as rows usually are). At least 1 ns.
    public var loopPeriodNanos: Int64 {
        // Saturates rather than traps for timestamps centuries apart (such a period never repeats within a run).
        let (span, overflow) = lastTime.subtractingReportingOverflow(firstTime)
        guard !overflow else { return .max / 4 }
        return rows > 1 ? max(min(span, .max / 4) + span / Int64(rows - 1), 1) : 1_000_000_000
    }

    /// Reads the whole trace once, in constant memory. With policy `fail`, throws at the first malformed row
    /// (or a timestamp earlier than the previous row's: traces are replayed in order).
    /// - Parameter classNames: the scenario's request classes; a row's class column must name one of them.
    public static func scan(_ spec: TraceSpec, classNames: [String] = []) throws(TraceError) -> TraceStats {
        let reader = try TraceReader(spec)
        var stats = TraceStats()
        var last = Int64.min
        while let result = try reader.next() {
            switch result {
            case .success(let row) where row.className.map({ !classNames.isEmpty && !classNames.contains($0) }) ?? false:
                var message = "class \(row.className!.quotedExcerpt) is not a request class of the scenario; classes: \(classNames.joined(separator: ", "))"
                if let s = ScenarioError.suggestion(for: row.className!, among: classNames) { message += " (did you mean '\(s)'?)" }
                if spec.onBadRow == .fail { throw TraceError(file: spec.path, line: reader.lineNumber, message: message) }
                stats.skippedRows += 1
            case .success(let row) where row.time >= last:
                if stats.rows == 0 { stats.firstTime = row.time }
                stats.rows += 1
                stats.inputTokens += row.input
                stats.outputTokens += row.output
                stats.lastTime = row.time
                last = row.time
            case .success(let row):
                let e = TraceError(file: spec.path, line: reader.lineNumber,
                                   message: "timestamp \(row.time) ns is earlier than the previous row's (\(last) ns); sort the trace by time")
                if spec.onBadRow == .fail { throw e }
                stats.skippedRows += 1
            case .failure(let e):
                if spec.onBadRow == .fail { throw e }
                stats.skippedRows += 1
            }
        }
        if stats.rows == 0 { throw TraceError(file: spec.path, line: reader.lineNumber, message: "the trace has no rows") }
        return stats
    }
}

/// Replays a recorded trace: rows become arrivals at `(t − t₀) / time_scale` (t₀ the first row's time), copies
/// superposed for rate scaling, looped to fill the scenario's duration; the scenario's rules assign the class
/// (and so tier, classification and cache class) a row lacks; users come from the trace or the population.
///
/// Memory: one line buffer per copy and a map of the distinct user names seen — independent of the trace's length.
public final class TraceReplay {
    /// One copy of the trace being read.
    private final class Cursor {
        var reader: TraceReader
        /// Replay time of the trace's t₀ in this pass.
        var offset: Int64
        /// Probability of keeping a row (rate scaling by thinning); 1 keeps all.
        let keep: Double
        var next: (time: Nanoseconds, row: TraceRow)?
        var previous = Int64.min

        init(reader: TraceReader, offset: Int64, keep: Double) {
            self.reader = reader
            self.offset = offset
            self.keep = keep
        }
    }

    private let plan: SimulationPlan
    private let spec: TraceSpec
    private let stats: TraceStats
    private let arrivalsEndAt: Nanoseconds
    private var cursors: [Cursor] = []
    private let thinStream: RandomStream
    private let ruleStream: RandomStream
    private let attributeStream: RandomStream
    private let userStream: RandomStream
    private let classChoice: WeightedChoice
    private let userChoice: ZipfChoice?
    private let classIndexByName: [String: Int]
    private var userIDs: [String: Int32] = [:]
    private var conversationCounter: Int64 = 0
    private var oneOffCounter: Int64 = 0
    public private(set) var skippedRows = 0

    public var userCount: Int { plan.scenario.traffic.users?.count ?? userIDs.count }

    init(plan: SimulationPlan, stats: TraceStats, seed: UInt64, arrivalsEndAt: Nanoseconds) {
        self.plan = plan
        spec = plan.scenario.traffic.trace!
        self.stats = stats
        self.arrivalsEndAt = arrivalsEndAt
        thinStream = RandomStream(runSeed: seed, name: "trace.thinning")
        ruleStream = RandomStream(runSeed: seed, name: "trace.rules")
        attributeStream = RandomStream(runSeed: seed, name: "requests")
        userStream = RandomStream(runSeed: seed, name: "users")
        classChoice = WeightedChoice(weights: plan.classShares)
        userChoice = plan.scenario.traffic.users.map { ZipfChoice(count: $0.count, exponent: $0.zipfExponent) }
        classIndexByName = Dictionary(uniqueKeysWithValues: plan.scenario.traffic.classes.enumerated().map { ($1.name, $0) })
        // Rate scaling: k >= 1 → ⌈k⌉ copies, copy j shifted by j × copy_shift, the last thinned to k − ⌊k⌋;
        // k < 1 → one thinned copy. With looping, a shifted copy starts one period early so it covers time 0.
        let k = spec.rateScale
        let copies = max(1, Int(k.rounded(.up)))
        let period = Self.scaled(stats.loopPeriodNanos, spec.timeScale)
        for j in 0..<copies {
            let keep = j == copies - 1 && k.rounded(.down) != k ? k - k.rounded(.down) : 1
            var offset = Int64(j) * spec.copyShiftNanos
            if spec.loop, offset > 0 { offset = offset % max(period, 1) - max(period, 1) }
            guard let reader = try? TraceReader(spec) else { continue }
            let cursor = Cursor(reader: reader, offset: offset, keep: k < 1 ? k : keep)
            advance(cursor)
            cursors.append(cursor)
        }
    }

    /// `nanos` of trace time in simulated nanoseconds, saturating at a quarter of the 64-bit range (beyond
    /// any run's end, and safe to add to any offset).
    private static func scaled(_ nanos: Int64, _ timeScale: Double) -> Int64 {
        let v = (Double(nanos) / timeScale).rounded()
        return v < Double(Int64.max / 4) ? max(Int64(v), 1) : .max / 4
    }

    /// The earliest pending row of all copies, as an arrival.
    func next() -> Arrival? {
        var best: Cursor?
        for c in cursors {
            guard let n = c.next else { continue }
            if best == nil || n.time < best!.next!.time { best = c }
        }
        guard let cursor = best, let (time, row) = cursor.next, time < arrivalsEndAt else { return nil }
        advance(cursor)
        return arrival(at: time, row: row)
    }

    /// Reads the cursor's next kept row at or after time 0 (looping at the end of the file when asked).
    private func advance(_ c: Cursor) {
        c.next = nil
        while true {
            // A read error ends this copy (the check before the run read the whole file, so only a file
            // changed since then can fail here).
            guard let result = try? c.reader.next() else {
                guard spec.loop, stats.rows > 0 else { return }
                c.offset += Self.scaled(stats.loopPeriodNanos, spec.timeScale)
                guard c.offset < arrivalsEndAt, let reader = try? TraceReader(spec) else { return }
                c.reader = reader
                c.previous = .min
                continue
            }
            guard case .success(let row) = result, row.time >= c.previous else {
                // Only with policy `skip` (a `fail` trace was checked before the run).
                skippedRows += 1
                continue
            }
            c.previous = row.time
            // A row too far from the first for 64-bit nanoseconds is past any run's end.
            let (delta, overflow) = row.time.subtractingReportingOverflow(stats.firstTime)
            let scaled = (Double(delta) / spec.timeScale).rounded()
            let time = overflow || scaled >= 4e18 ? Nanoseconds.max : c.offset + Int64(scaled)
            if c.keep < 1, !(thinStream.uniform() < c.keep) { continue }
            if time < 0 { continue }
            if time >= arrivalsEndAt { return }
            c.next = (time, row)
            return
        }
    }

    private func arrival(at time: Nanoseconds, row: TraceRow) -> Arrival {
        var a = Arrival()
        a.time = time
        let c = classIndex(for: row)
        a.classIndex = Int32(c)
        a.inputTokens = Int32(row.input)
        a.outputTokens = Int32(row.output)
        // The trace's output is replayed exactly, even above the class's usual max_tokens.
        a.maxOutputTokens = Int32(max(plan.classes[c].maxOutputTokens, row.output))
        if let name = row.user {
            if let id = userIDs[name] { a.user = id } else {
                let id = Int32(userIDs.count)
                userIDs[name] = id
                a.user = id
            }
        } else if let userChoice {
            a.user = Int32(userChoice.draw(userStream))
        }
        conversationCounter += 1
        a.conversation = conversationCounter
        if row.prefixBlocks.isEmpty {
            oneOffCounter += 1
            a.promptID = 1 << 62 | oneOffCounter
        } else {
            // The same block list is the same prompt: FNV-1a over the block ids.
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in row.prefixBlocks { h = (h ^ UInt64(bitPattern: b)) &* 0x100_0000_01b3 }
            a.promptID = Int64(bitPattern: h & ((1 << 62) - 1))
            a.prefixBlocks = row.prefixBlocks
        }
        return a
    }

    /// The row's class: its class column, else the first rule that matches (and wins its share draw), else a
    /// draw by the classes' shares.
    private func classIndex(for row: TraceRow) -> Int {
        if let name = row.className, let c = classIndexByName[name] { return c }
        for rule in spec.rules {
            if let pattern = rule.model {
                guard let model = row.model, globMatch(pattern, model) else { continue }
            }
            if let lo = rule.minInputTokens, row.input < lo { continue }
            if let hi = rule.maxInputTokens, row.input > hi { continue }
            if rule.share < 1, !(ruleStream.uniform() < rule.share) { continue }
            return rule.classIndex
        }
        return classChoice.choose(attributeStream)
    }
}

/// `*` matches any run of characters (also none); everything else literally, case-sensitively.
func globMatch(_ pattern: String, _ text: String) -> Bool {
    let p = Array(pattern.utf8), t = Array(text.utf8)
    var pi = 0, ti = 0, star = -1, mark = 0
    while ti < t.count {
        if pi < p.count, p[pi] != UInt8(ascii: "*"), p[pi] == t[ti] {
            pi += 1; ti += 1
        } else if pi < p.count, p[pi] == UInt8(ascii: "*") {
            star = pi; mark = ti; pi += 1
        } else if star >= 0 {
            pi = star + 1; mark += 1; ti = mark
        } else {
            return false
        }
    }
    while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
    return pi == p.count
}
