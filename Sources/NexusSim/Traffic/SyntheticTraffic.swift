import NexusGateway
import NexusScenario

/// Synthetic traffic: a (possibly time-varying or Markov-modulated) Poisson process of new conversations,
/// each of a class drawn by share, from a user drawn by Zipf activity, with its prompt drawn from the
/// class's popularity model; multi-turn conversations schedule their later turns themselves.
///
/// Streams: `arrivals` (arrival times, thinning, MMPP sojourns), `requests` (class and token counts, in that
/// order — as before conversations existed, so single-turn scenarios keep their exact traffic), `users`,
/// `prompts` and `conversations` (turn counts and think times).
public final class SyntheticTraffic {
    private enum Process {
        /// Constant rate: gaps of mean `meanGapSeconds`, accumulated in integer nanoseconds.
        case constant(meanGapSeconds: Double)
        /// Constant rate with spikes only: candidates at the peak rate over the whole run, each kept with
        /// probability multiplier/peak (the autoscaling issue's thinning, kept draw for draw so that its
        /// scenarios and figures are unchanged).
        case spiked(meanGapSeconds: Double, peak: Double)
        /// Thinning at piecewise-constant bounds: base rate × profile (× MMPP state).
        case thinned
    }

    private let plan: SimulationPlan
    private let process: Process
    private let profile: RateProfile
    private let baseRate: Double
    private let mmpp: MMPPSpec?
    private let arrivalsEndAt: Nanoseconds

    private let arrivalStream: RandomStream
    private let attributeStream: RandomStream
    private let userStream: RandomStream
    private let promptStream: RandomStream
    private let conversationStream: RandomStream
    private let classChoice: WeightedChoice
    private let userChoice: ZipfChoice?
    private let promptChoices: [ZipfChoice?]
    private let turnSamplers: [Sampler?]
    /// Whether any class has multi-turn conversations (pending turns to merge with fresh arrivals).
    private let hasConversations: Bool
    private let thinkSamplers: [Sampler?]

    // Arrival-process state.
    private var lastArrival: Nanoseconds = 0
    private var t = 0.0
    private var mmppOn = true
    private var mmppSwitchAt = Double.infinity
    /// The next fresh conversation's start, generated ahead so that it can be merged with pending turns.
    private var nextFresh: Nanoseconds?
    private var freshDone = false

    // Conversations in progress: their next turns, ordered by (time, sequence).
    private var pending = PendingTurns()
    private var conversationCounter: Int64 = 0
    private var oneOffCounter: Int64 = 0

    public let userCount: Int

    init(plan: SimulationPlan, seed: UInt64, arrivalsEndAt: Nanoseconds) {
        self.plan = plan
        self.arrivalsEndAt = arrivalsEndAt
        let traffic = plan.scenario.traffic
        arrivalStream = RandomStream(runSeed: seed, name: "arrivals")
        attributeStream = RandomStream(runSeed: seed, name: "requests")
        userStream = RandomStream(runSeed: seed, name: "users")
        promptStream = RandomStream(runSeed: seed, name: "prompts")
        conversationStream = RandomStream(runSeed: seed, name: "conversations")
        classChoice = WeightedChoice(weights: plan.classShares)
        userChoice = traffic.users.map { ZipfChoice(count: $0.count, exponent: $0.zipfExponent) }
        userCount = traffic.users?.count ?? 0
        promptChoices = traffic.classes.map { c in c.prompts.map { ZipfChoice(count: $0.distinct, exponent: $0.zipfExponent) } }
        turnSamplers = traffic.classes.map { $0.conversation.map { Sampler($0.turns) } }
        hasConversations = traffic.classes.contains { $0.conversation != nil }
        thinkSamplers = traffic.classes.map { $0.conversation.map { Sampler($0.thinkTime) } }
        switch traffic.arrivals {
        case .poisson(let rate):
            let peak = max(1, traffic.spikes.map(\.multiplier).max() ?? 1)
            process = traffic.spikes.isEmpty ? .constant(meanGapSeconds: 1 / rate) : .spiked(meanGapSeconds: 1 / rate, peak: peak)
            profile = RateProfile(RateProfileSpec(), spikes: traffic.spikes)
            baseRate = rate
            mmpp = nil
        case .profiled(let rate, let spec):
            process = .thinned
            profile = RateProfile(spec, spikes: traffic.spikes)
            baseRate = rate
            mmpp = nil
        case .mmpp(let spec, let profileSpec):
            process = .thinned
            profile = RateProfile(profileSpec, spikes: traffic.spikes)
            baseRate = 1
            mmpp = spec
        }
        if let mmpp {
            mmppSwitchAt = arrivalStream.exponential(mean: Double(mmpp.meanOnNanos) / 1e9)
        }
    }

    /// The next arrival: the earlier of the next fresh conversation and the next pending turn.
    func next() -> Arrival? {
        var a = Arrival()
        return next(into: &a) ? a : nil
    }

    /// Writes the next arrival into `a` and returns `true`, or returns `false` when none is left. The run
    /// loop's form: the arrival is built in place rather than returned and copied.
    func next(into a: inout Arrival) -> Bool {
        // Without multi-turn conversations no turn is ever pending: every arrival is a fresh one.
        if !hasConversations {
            guard let time = nextArrivalTime() else { return false }
            startConversation(at: time, into: &a)
            return true
        }
        guard let arrival = nextMerged() else { return false }
        a = arrival
        return true
    }

    /// The earlier of the next fresh conversation and the next pending turn.
    private func nextMerged() -> Arrival? {
        if nextFresh == nil && !freshDone {
            nextFresh = nextArrivalTime()
            if nextFresh == nil { freshDone = true }
        }
        if let turn = pending.peek, turn.time < arrivalsEndAt, nextFresh.map({ turn.time < $0 }) ?? true {
            return continueConversation(pending.popFirst())
        }
        guard let time = nextFresh else { return nil }
        nextFresh = nil
        var a = Arrival()
        startConversation(at: time, into: &a)
        return a
    }

    // MARK: Arrival process

    /// The next start time of the process, or `nil` past the end of the arrival period.
    private func nextArrivalTime() -> Nanoseconds? {
        switch process {
        case .constant(let mean):
            let gap = Nanoseconds(drawnGapSeconds: arrivalStream.exponential(mean: mean))
            let at = lastArrival + gap
            guard at < arrivalsEndAt else { return nil }
            lastArrival = at
            return at
        case .spiked(let mean, let peak):
            var at = lastArrival
            while true {
                at += Nanoseconds(drawnGapSeconds: arrivalStream.exponential(mean: mean / peak))
                guard at < arrivalsEndAt else { return nil }
                let m = profile.spikeMultiplier(nanos: at)
                if m >= peak || arrivalStream.uniform() < m / peak { break }
            }
            lastArrival = at
            return at
        case .thinned:
            let end = Double(arrivalsEndAt) / 1e9
            while t < end {
                while t >= mmppSwitchAt, let mmpp {
                    mmppOn.toggle()
                    mmppSwitchAt += arrivalStream.exponential(mean: Double(mmppOn ? mmpp.meanOnNanos : mmpp.meanOffNanos) / 1e9)
                }
                let segmentEnd = min(profile.segmentEnd(after: t), mmppSwitchAt, end)
                let state = mmpp.map { mmppOn ? $0.onRatePerSecond : $0.offRatePerSecond } ?? baseRate
                let bound = state * profile.bound(from: t, to: segmentEnd)
                if bound <= 0 {
                    t = segmentEnd
                    continue
                }
                let candidate = t + arrivalStream.exponential(mean: 1 / bound)
                if candidate >= segmentEnd {
                    // Memoryless: restart at the segment's end with its own bound.
                    t = segmentEnd
                    continue
                }
                t = candidate
                if arrivalStream.uniform() * bound < state * profile.multiplier(at: t) {
                    let at = max(Nanoseconds(roundingSeconds: t), lastArrival)
                    guard at < arrivalsEndAt else { return nil }
                    lastArrival = at
                    return at
                }
            }
            return nil
        }
    }

    // MARK: Requests and conversations

    private func startConversation(at time: Nanoseconds, into a: inout Arrival) {
        a = Arrival()
        a.time = time
        let c = classChoice.choose(attributeStream)
        a.classIndex = Int32(c)
        let input = tokenCount(plan.classes[c].inputTokens.sample(attributeStream))
        let maxOutput = plan.classes[c].maxOutputTokens
        let output = min(tokenCount(plan.classes[c].outputTokens.sample(attributeStream)), maxOutput)
        a.inputTokens = Int32(input)
        a.outputTokens = Int32(output)
        a.maxOutputTokens = Int32(maxOutput)
        if let userChoice { a.user = Int32(userChoice.draw(userStream)) }
        conversationCounter += 1
        a.conversation = conversationCounter
        a.promptID = promptID(class: c)
        if let turns = turnSamplers[c] {
            let total = max(1, Int(min(turns.sample(conversationStream).rounded(), 1e6)))
            if total > 1 {
                a.lastTurn = false
                let think = Nanoseconds(roundingSeconds: thinkSamplers[c]!.sample(conversationStream))
                pending.push(PendingTurn(time: time + think, conversation: a.conversation, classIndex: Int32(c), user: a.user,
                                         turn: 2, turns: Int32(min(total, Int(Int32.max))), history: input + output))
            }
        }
    }

    /// Turn k > 1: its prompt is the whole history (earlier prompts and answers) plus its new tokens.
    private func continueConversation(_ turn: PendingTurn) -> Arrival {
        var a = Arrival()
        a.time = turn.time
        let c = Int(turn.classIndex)
        a.classIndex = turn.classIndex
        let fresh = tokenCount(plan.classes[c].inputTokens.sample(attributeStream))
        let maxOutput = plan.classes[c].maxOutputTokens
        let output = min(tokenCount(plan.classes[c].outputTokens.sample(attributeStream)), maxOutput)
        let input = min(turn.history + fresh, 1_000_000_000)
        a.inputTokens = Int32(input)
        a.outputTokens = Int32(output)
        a.maxOutputTokens = Int32(maxOutput)
        a.user = turn.user
        a.conversation = turn.conversation
        a.turn = turn.turn
        // The history makes every later turn's prompt unique.
        a.promptID = oneOffPrompt()
        a.lastTurn = turn.turn >= turn.turns
        if !a.lastTurn {
            let think = Nanoseconds(roundingSeconds: thinkSamplers[c]!.sample(conversationStream))
            var next = turn
            next.time = turn.time + think
            next.turn += 1
            next.history = min(input + output, 1_000_000_000)
            pending.push(next)
        }
        return a
    }

    private func promptID(class c: Int) -> Int64 {
        guard let choice = promptChoices[c], let spec = plan.scenario.traffic.classes[c].prompts else { return oneOffPrompt() }
        if spec.oneOffShare > 0, promptStream.uniform() < spec.oneOffShare { return oneOffPrompt() }
        let intent = Int64(c) << 32 | Int64(choice.draw(promptStream))
        // Drawn only with paraphrases, so that a scenario without them keeps its prompt stream.
        guard spec.paraphrases > 1 else { return intent }
        let wording = min(Int64(promptStream.uniform() * Double(spec.paraphrases)), Int64(spec.paraphrases - 1))
        return intent | wording << Arrival.paraphraseShift
    }

    /// A prompt id never used before (bit 62 set, so it never collides with a popular prompt's id).
    private func oneOffPrompt() -> Int64 {
        oneOffCounter += 1
        return 1 << 62 | oneOffCounter
    }

    @inline(__always) private func tokenCount(_ x: Double) -> Int { x <= 0 ? 0 : Int(min(x.rounded(), 1e9)) }
}

/// A conversation's next turn, waiting for its time.
struct PendingTurn {
    var time: Nanoseconds
    var conversation: Int64
    var classIndex: Int32
    var user: Int32
    var turn: Int32
    var turns: Int32
    /// Prompt plus answer of the previous turn (the context the next prompt carries).
    var history: Int
    var sequence: UInt64 = 0
}

/// A binary min-heap of pending turns by (time, sequence). Holds one entry per active conversation.
struct PendingTurns {
    private var heap: [PendingTurn] = []
    private var counter: UInt64 = 0

    var peek: PendingTurn? { heap.first }
    var count: Int { heap.count }

    private static func less(_ a: PendingTurn, _ b: PendingTurn) -> Bool {
        a.time < b.time || (a.time == b.time && a.sequence < b.sequence)
    }

    mutating func push(_ turn: PendingTurn) {
        var turn = turn
        counter += 1
        turn.sequence = counter
        heap.append(turn)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.less(heap[i], heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    mutating func popFirst() -> PendingTurn {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count, Self.less(heap[l], heap[m]) { m = l }
                if r < heap.count, Self.less(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}
