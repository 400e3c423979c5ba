import Foundation
import NexusResults
import NexusScenario
import Testing

@Suite("Sweeps")
struct SweepTests {
    @Test("the grid is the cartesian product, first axis slowest")
    func grid() throws {
        let grid = try SweepGrid(flags: ["servers=9,10", "gateway.queue_limit=none,50,100"])
        #expect(grid.points.count == 6)
        #expect(grid.points[1].map(\.value) == ["9", "50"])
        #expect(grid.points[5].map(\.value) == ["10", "100"])
        #expect(!SweepGrid.isOverride("servers") && SweepGrid.isOverride("gateway.queue_limit"))
        #expect(throws: ScenarioError.self) { try SweepGrid(flags: ["servers"]) }
        #expect(throws: ScenarioError.self) { try SweepGrid(flags: ["servers=1,,2"]) }
        #expect(throws: ScenarioError.self) { try SweepGrid(flags: ["servers=1", "servers=2"]) }
    }

    @Test("points meeting the targets and the cost-versus-p95 Pareto front")
    func pareto() throws {
        // Cost per request = price × tokens; more servers → lower p95. Price and servers trade off.
        func point(servers: Int, price: String) throws -> (assignment: [(name: String, value: String)], report: RunReport) {
            // Long enough, with 3 replications, that the interval's upper bound judged by the target is
            // within about 0.1 s of the p95 (2 short replications made the verdict a matter of luck).
            var s = try Scenarios.small(servers: servers, rate: 8, duration: 2000)
            s = try ScenarioLoader.parse(text: s.sourceText, file: "mmc", parameters: s.parameters.map { ($0.name, $0.value) }, overrides: [
                Override(path: "providers.0.models.0.price", value: "{input_per_mtok: \(price), output_per_mtok: $0}"),
                Override(path: "traffic.classes.0.input_tokens", value: "1000"),
            ])
            return ([("servers", String(servers)), ("price", price)], Scenarios.report(s, replications: 3))
        }
        let points = [try point(servers: 9, price: "$1"), try point(servers: 12, price: "$2"),
                      try point(servers: 12, price: "$3"), try point(servers: 20, price: "$3")]
        let target = try GateTarget(TargetSpec.parse("p95_latency < 3.5s", location: nil, keyPath: "targets[0]"))
        let result = SweepResult(points: points, targets: [target])
        // Point 0 is the cheapest but misses the p95 target: not worth taking, so not on the front. Point 2
        // costs more than point 1 with the same servers (same p95): dominated.
        #expect(result.points.map(\.onParetoFront) == [false, true, false, true])
        #expect(result.paretoFront.map { $0.assignment[0].value } == ["12", "20"])
        #expect(result.points.map(\.meetsTargets) == [false, true, true, true])
        #expect(result.points[0].p95LatencyMillis > 3500 && result.points[3].p95LatencyMillis < result.points[1].p95LatencyMillis)
        #expect(abs(result.points[0].costPerRequest - 0.001) < 1e-12)
        #expect(result.text.contains("Pareto front (cost per request vs p95 latency among the points meeting every target, cheapest first): 1, 3."))
    }
}
