import Foundation
import NexusScenario
import NexusSim
import Testing

/// The baseline's token counts match the trace it cites: the Azure LLM inference trace (2023, conversation
/// service) has input p50 1020 / p95 4083 and output p50 129 / p95 451 tokens.
@Suite struct BaselineTokensTests {
    @Test("the baseline's traffic mix has the Azure trace's median and 95th percentile of input and output tokens")
    func mixtureMatchesAzureTrace() throws {
        let path = ShippedScenariosTests.root.appendingPathComponent("baseline.yaml").path
        let plan = SimulationPlan(try ScenarioLoader.load(path: path))
        let stream = RandomStream(runSeed: 7, name: "test.tokens")
        // 400,000 requests drawn as the traffic source draws them: a class by share, then its token counts.
        var inputs: [Double] = [], outputs: [Double] = []
        let cumulative = plan.classShares.reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1) }
        for _ in 0..<400_000 {
            let u = stream.uniform() * cumulative.last!
            let c = plan.classes[cumulative.firstIndex { u < $0 } ?? plan.classes.count - 1]
            inputs.append(c.inputTokens.sample(stream).rounded())
            outputs.append(min(c.outputTokens.sample(stream).rounded(), Double(c.maxOutputTokens)))
        }
        func quantile(_ xs: [Double], _ q: Double) -> Double { xs.sorted()[Int(q * Double(xs.count - 1))] }
        // Sampling error of a quantile of 400,000 draws is well under 1 %; the fit is within 0.3 %.
        #expect(abs(quantile(inputs, 0.5) / 1020 - 1) < 0.02, "input p50 \(quantile(inputs, 0.5))")
        #expect(abs(quantile(inputs, 0.95) / 4083 - 1) < 0.02, "input p95 \(quantile(inputs, 0.95))")
        #expect(abs(quantile(outputs, 0.5) / 129 - 1) < 0.02, "output p50 \(quantile(outputs, 0.5))")
        #expect(abs(quantile(outputs, 0.95) / 451 - 1) < 0.02, "output p95 \(quantile(outputs, 0.95))")
    }
}
