import NexusGateway

/// One request as the traffic source produces it, before the gateway sees it.
public struct Arrival: Sendable {
    public var time: Nanoseconds = 0
    public var classIndex: Int32 = 0
    public var inputTokens: Int32 = 0
    public var outputTokens: Int32 = 0
    public var maxOutputTokens: Int32 = 0
    /// Index into the user population (or the trace's distinct users); `-1` when unknown.
    public var user: Int32 = -1
    /// 1-based turn within its conversation; single requests are turn 1 of 1.
    public var turn: Int32 = 1
    /// Whether no further turn of the conversation follows.
    public var lastTurn = true
    /// Conversation id, unique within a run.
    public var conversation: Int64 = 0
    /// Prompt fingerprint for the response cache: popular prompts repeat, one-off prompts never do. A popular
    /// prompt's wording (with `prompts.paraphrases`) is in bits 48–61; without them it is the intent.
    public var promptID: Int64 = 0
    /// Prefix-cache block ids of the prompt, when the trace has them (Mooncake `hash_ids`); else `nil` (an
    /// optional rather than an empty array keeps copying an arrival free of reference counting).
    public var prefixBlocks: [Int64]?

    public init() {}

    /// Where a prompt id keeps its wording number (14 bits, below the one-off flag at bit 62).
    public static let paraphraseShift: Int64 = 48

    /// The intent of a prompt id: the id without its wording (a one-off prompt is its own intent).
    @inlinable public static func intent(of promptID: Int64) -> Int64 {
        promptID & (1 << 62) != 0 ? promptID : promptID & ~(0x3FFF << paraphraseShift)
    }
}

/// Where arrivals come from. An enum over final classes, so that the run loop asks for the next arrival
/// with a switch rather than a dynamic call.
public enum TrafficSource {
    case synthetic(SyntheticTraffic)
    case trace(TraceReplay)

    /// The traffic of replication `replication` of `plan` — exactly what ``Simulation`` replays — for tools and
    /// tests that look at arrivals without simulating the gateway. Arrivals stop at the scenario's duration.
    public init(plan: SimulationPlan, baseSeed: UInt64, replication: Int = 0) {
        let seed = SeedDerivation.replicationSeed(baseSeed: baseSeed, index: replication)
        let end = plan.scenario.simulation.durationNanos
        if case .success(let stats) = plan.trace {
            self = .trace(TraceReplay(plan: plan, stats: stats, seed: seed, arrivalsEndAt: end))
        } else {
            self = .synthetic(SyntheticTraffic(plan: plan, seed: seed, arrivalsEndAt: end))
        }
    }

    /// The next arrival in time order, or `nil` when none arrives before the end of the arrival period.
    @inline(__always)
    public func next() -> Arrival? {
        switch self {
        case .synthetic(let s): s.next()
        case .trace(let t): t.next()
        }
    }

    /// Writes the next arrival into `arrival` and returns `true`, or returns `false` when none is left
    /// (the run loop's form of ``next()``, without an optional to copy).
    @inline(__always)
    public func next(into arrival: inout Arrival) -> Bool {
        switch self {
        case .synthetic(let s): return s.next(into: &arrival)
        case .trace(let t):
            guard let a = t.next() else { return false }
            arrival = a
            return true
        }
    }

    /// Rows of the trace left out as malformed (policy `skip`); 0 for synthetic traffic.
    public var skippedRows: Int {
        switch self {
        case .synthetic: 0
        case .trace(let t): t.skippedRows
        }
    }

    /// Distinct users seen so far (the population for synthetic traffic).
    public var userCount: Int {
        switch self {
        case .synthetic(let s): s.userCount
        case .trace(let t): t.userCount
        }
    }
}

/// Zipf's law over `count` items: item i (0-based) is drawn with probability ∝ 1/(i + 1)^s (Walker alias).
final class ZipfChoice {
    let choice: WeightedChoice
    init(count: Int, exponent: Double) {
        choice = WeightedChoice(weights: (0..<count).map { 1 / pow(Double($0 + 1), exponent) })
    }
    @inline(__always) func draw(_ stream: RandomStream) -> Int { choice.choose(stream) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
