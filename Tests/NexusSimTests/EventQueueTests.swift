import NexusSim
import Testing

@Suite struct EventQueueTests {
    @Test func popsInTimeOrderAndFIFOAtEqualTimes() {
        var q = EventQueue()
        // Slot numbers record scheduling order.
        let times: [Int64] = [50, 10, 30, 10, 50, 0, 30, 10]
        for (i, t) in times.enumerated() { q.schedule(.retryDue, at: t, slot: Int32(i)) }
        var popped: [(Int64, Int32)] = []
        while let e = q.popFirst() { popped.append((e.time, e.slot)) }
        #expect(popped.map(\.0) == [0, 10, 10, 10, 30, 30, 50, 50])
        #expect(popped.map(\.1) == [5, 1, 3, 7, 2, 6, 0, 4])
    }

    @Test func matchesSortOnRandomInput() {
        var q = EventQueue()
        let stream = RandomStream(runSeed: 5, name: "heap")
        var expected: [(Int64, Int32)] = []
        var popped: [(Int64, Int32)] = []
        // Interleave pushes and pops, as the run loop does.
        for i in 0..<20_000 {
            let t = Int64(stream.index(below: 1000))
            q.schedule(.attemptFinished, at: t, slot: Int32(i))
            expected.append((t, Int32(i)))
            if i % 3 == 0, let e = q.popFirst() {
                popped.append((e.time, e.slot))
                let k = expected.indices.min { expected[$0].0 < expected[$1].0 || (expected[$0].0 == expected[$1].0 && expected[$0].1 < expected[$1].1) }!
                #expect(expected[k] == (e.time, e.slot))
                expected.remove(at: k)
            }
        }
        while let e = q.popFirst() { popped.append((e.time, e.slot)) }
        #expect(popped.count == 20_000)
    }

    @Test func slabReusesSlotsAndBumpsGenerations() {
        let slab = Slab(empty: 0)
        let a = slab.allocate(), b = slab.allocate()
        slab[a] = 7
        let generation = slab.generation(of: a)
        slab.release(a)
        #expect(!slab.isCurrent(a, generation: generation))
        let c = slab.allocate()
        #expect(c == a)
        #expect(slab[c] == 0)  // a reused slot starts empty
        #expect(slab.generation(of: c) != generation)
        #expect(slab.isCurrent(c, generation: slab.generation(of: c)))
        #expect(slab.inUse == 2)
        #expect(slab.capacity == 2)
        #expect(slab.live.count == 2)
        _ = b
    }

    @Test func aReusedSlotIsPreparedInPlaceAndAFreshOneStartsEmpty() {
        let slab = Slab(empty: 0)
        var prepared: [Int] = []
        let a = slab.allocate { prepared.append($0); $0 = -1 }
        #expect(slab[a] == 0 && prepared.isEmpty)  // fresh: `empty`, `prepare` not called
        slab[a] = 7
        slab.release(a)
        let b = slab.allocate { prepared.append($0); $0 = -1 }
        #expect(b == a && prepared == [7] && slab[b] == -1)  // reused: the previous record, prepared
        slab.address(of: b).pointee = 9
        #expect(slab[b] == 9)
    }

    /// A reused request record must look new in every field but the lifecycle (which the gateway resets):
    /// compared field by field with a new record, so a field added later without a reset fails here.
    @Test func aPreparedRequestRecordEqualsANewOneButForItsLifecycle() {
        var used = RequestRecord()
        used.arrivalAt = 5; used.firstTokenAt = 9; used.inputTokens = 3; used.outputTokens = 4
        used.maxOutputTokens = 8; used.classIndex = 2; used.user = 6; used.conversation = 11; used.turn = 3
        used.lastTurn = false; used.promptID = 42; used.instance = 1; used.attempt = (4, 5)
        used.attemptGeneration = (7, 9); used.retryTimerAttempt = 2; used.phase = .inFlight; used.counted = true
        let usedFields = Mirror(reflecting: used).children.filter { $0.label != "lifecycle" }
        let fresh = Mirror(reflecting: RequestRecord()).children.filter { $0.label != "lifecycle" }
        #expect(zip(usedFields, fresh).allSatisfy { "\($0.value)" != "\($1.value)" })  // every field was changed
        used.prepareForNextRequest()
        let prepared = Mirror(reflecting: used).children.filter { $0.label != "lifecycle" }
        #expect(prepared.map(\.label) == fresh.map(\.label))
        for (p, f) in zip(prepared, fresh) { #expect("\(p.value)" == "\(f.value)", "field \(p.label ?? "?")") }
        #expect(!used.hasLifecycle)
    }

    @Test func slotQueueIsFIFOAcrossGrowth() {
        var q = SlotQueue()
        for i in 0..<100 { q.append(slot: Int32(i), generation: 0) }
        for i in 0..<50 { #expect(q.popFirst()?.slot == Int32(i)) }
        for i in 100..<200 { q.append(slot: Int32(i), generation: 1) }
        var rest: [Int32] = []
        while let e = q.popFirst() { rest.append(e.slot) }
        #expect(rest == Array(50..<200).map(Int32.init))
    }
}

import NexusScenario

@Suite struct SimulationSteppingTests {
    @Test func runUntilInStepsEqualsOneRun() throws {
        let path = MMcValidationTests.scenarioPath
        let scenario = try ScenarioLoader.load(path: path, parameters: [("duration_s", "600"), ("warmup_s", "60"), ("servers", "5"), ("arrival_rate", "4")])
        let plan = SimulationPlan(scenario)
        let whole = Simulation(plan: plan, baseSeed: 3).run()
        var stepped = Simulation(plan: plan, baseSeed: 3)
        var t: Int64 = 0
        while !stepped.isFinished {
            t += 7_000_000_000
            stepped.run(until: t)
            #expect(stepped.currentTime <= t)
        }
        let summary = stepped.finish()
        #expect(summary.requests == whole.requests)
        #expect(summary.eventsProcessed == whole.eventsProcessed)
        #expect(summary.latency.histogram == whole.latency.histogram)
        #expect(summary.series.arrivals == whole.series.arrivals)
        #expect(summary.requests > 2000)
    }
}
