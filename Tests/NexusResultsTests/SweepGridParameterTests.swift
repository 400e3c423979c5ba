import NexusResults
import NexusScenario
import Testing

@Suite struct SweepGridParameterTests {
    @Test func anUnknownGridNameIsReportedAtItsGridFlag() throws {
        let grid = try SweepGrid(flags: ["servers=1,2", "gateway.instances=3,4", "rtae=1,2"])
        #expect(throws: Never.self) { try SweepGrid(flags: ["servers=1,2", "gateway.instances=3"]).checkParameterNames(declared: ["servers", "rate"]) }
        let error = #expect(throws: ScenarioError.self) { try grid.checkParameterNames(declared: ["servers", "rate"]) }
        #expect(error?.location == .commandLine("--grid rtae=1,2"))
        #expect(error?.suggestion == "rate")
        #expect(error?.description == "command line (--grid rtae=1,2): error: parameters: unknown parameter 'rtae'; declared: servers, rate "
            + "(a dotted key path such as gateway.instances sets any key) (did you mean 'rate'?)")
    }
}
