import Foundation
import NexusResults
import NexusScenario
import Testing

@Suite("Sweeps: identical points, the judged values, the JSON")
struct SweepIdenticalTests {
    @Test("points whose effective scenarios are the same are found; an axis that changes nothing is named")
    func identical() throws {
        let grid = try SweepGrid(flags: ["label=a,b", "servers=9,12"])
        // `label` only changes the description: it changes nothing that is simulated.
        let scenarios = try grid.points.map { point in
            var s = try Scenarios.small(servers: Int(point[1].value)!, rate: 8, duration: 100)
            s.description = point[0].value
            return s
        }
        #expect(SweepGrid.identicalPoints(scenarios) == [[0, 2], [1, 3]])
        #expect(grid.inertAxes(scenarios) == ["label"])
        // Distinct points: nothing to report.
        let distinct = try SweepGrid(flags: ["servers=9,12"])
        let two = try distinct.points.map { try Scenarios.small(servers: Int($0[0].value)!, rate: 8, duration: 100) }
        #expect(SweepGrid.identicalPoints(two).isEmpty && distinct.inertAxes(two).isEmpty)
        // A repeated value makes two identical points, but the axis does change something.
        let repeated = try SweepGrid(flags: ["servers=9,9,12"])
        let three = try repeated.points.map { try Scenarios.small(servers: Int($0[0].value)!, rate: 8, duration: 100) }
        #expect(SweepGrid.identicalPoints(three) == [[0, 1]] && repeated.inertAxes(three).isEmpty)
    }

    @Test("the table shows each target's judged value and mark; the JSON has grid, points with verdicts, pareto")
    func tableAndJSON() throws {
        // 8 servers at 8 requests/s is a saturated queue (ρ = 1): its p95 grows far past 3.5 s.
        let points = try [8, 12, 20].map { servers in
            ([(name: "servers", value: String(servers))], Scenarios.report(try Scenarios.small(servers: servers, rate: 8, duration: 300), replications: 1))
        }
        let targets = try ["p95_latency < 3.5s", "availability >= 99%"].enumerated().map {
            try GateTarget(TargetSpec.parse($1, location: nil, keyPath: "targets[\($0)]"))
        }
        var result = SweepResult(points: points.map { ($0.0, $0.1) }, targets: targets)
        result.identicalPoints = []
        let p95 = result.points.map { $0.verdicts[0].judgedValue }
        #expect(p95[0] > 3500 && p95[1] < 3500 && p95[2] < p95[1])
        #expect(result.points.map(\.meetsTargets) == [false, true, true])
        // Point 0 misses; all points cost $0 (free model), so the fastest meeting point dominates the other.
        #expect(result.paretoIndices == [2])
        let text = result.text
        #expect(text.contains(MetricUnit.milliseconds.format(p95[0]) + " ✗"))
        #expect(text.contains(MetricUnit.milliseconds.format(p95[1]) + " ✓"))
        #expect(text.contains("  T1  p95_latency < 3.5s") && text.contains("  T2  availability >= 99%"))
        #expect(text.contains("  point 0 missed p95_latency < 3.5s (judged \(MetricUnit.milliseconds.format(p95[0])))"))
        #expect(text.contains("Pareto front (cost per request vs p95 latency among the points meeting every target, cheapest first): 2."))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.json.rendered().utf8)) as? [String: Any])
        let grid = try #require(json["grid"] as? [[String: Any]])
        #expect(grid.count == 1 && grid[0]["name"] as? String == "servers" && grid[0]["values"] as? [String] == ["8", "12", "20"])
        #expect(json["pareto"] as? [Int] == [2])
        let jsonPoints = try #require(json["points"] as? [[String: Any]])
        #expect(jsonPoints.map { $0["meets_targets"] as? Bool } == [false, true, true])
        #expect(jsonPoints[0]["missed"] as? [String] == ["p95_latency < 3.5s"])
        let verdicts = try #require(jsonPoints[0]["verdicts"] as? [[String: Any]])
        #expect(verdicts.map { $0["met"] as? Bool } == [false, true])
        #expect((verdicts[0]["judged"] as? Double).map { abs($0 - p95[0]) < 1e-9 } == true)
        let summary = try #require(jsonPoints[1]["summary"] as? [String: Any])
        #expect((summary["targets"] as? [[String: Any]])?.count == 2)
    }
}
