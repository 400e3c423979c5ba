import Foundation
import NexusGateway
import NexusResults
import NexusScenario
import Testing

/// A provider whose every request costs exactly $0.0006 (300 input tokens at $1/M, 100 output at $3/M),
/// so the month's cost is 0.0006 × requests and the closed forms below hold exactly.
@Suite struct ForecastDemandTests {
    static let costPerRequest = 300e-6 + 100 * 3e-6

    static func scenario(budget: String, rate: String = "3k/day", users: String = "") throws -> Scenario {
        try ScenarioLoader.parse(text: """
            name: fixed-cost
            simulation: {duration: 1d}
            gateway: {instances: 1, concurrency: 1000}
            budget: \(budget)
            providers:
              - name: p
                classifications: [public]
                models: [{name: m, price: {input_per_mtok: $1, output_per_mtok: $3}, ttft: {dist: exponential, mean: 1s}}]
            tiers: [{name: t, models: [p/m]}]
            traffic:
              arrivals: {process: poisson, rate: \(rate)}
              \(users)
              classes: [{name: c, share: 100%, tier: t, input_tokens: 300, output_tokens: 100, max_output_tokens: 100}]
            """)
    }

    @Test func demandIsTheSameTrafficServedInFullAndTheSpendIsCapped() throws {
        let forecast = MonthForecast.run(scenario: try Self.scenario(budget: "{monthly: $30, daily: $2, alerts: [50%]}"),
                                         year: 2027, month: 2, seed: 7, replications: 3, demand: true)
        let demand = try #require(forecast.demand)
        for (capped, full) in zip(forecast.report.replications, demand.replications) {
            // Same seeds: the same arrivals in both passes; with the limits lifted every request is served.
            #expect(capped.requests == full.requests)
            #expect(full.rejected == 0 && full.succeeded == full.requests)
            #expect(abs(full.totalCost.dollars - Double(full.requests) * Self.costPerRequest) < 1e-6)
            #expect(capped.totalCost.dollars <= 30 + 1e-9)
            #expect(capped.rejected > 0 && capped.succeeded + capped.rejected + capped.failed == capped.requests)
        }
        // 3k/day × 28 days at $0.0006 ≈ $50.40: far above the $30 budget, which pays for about 60 % of it.
        let spend = try #require(forecast.demandSpend)
        #expect(spend.allSatisfy { abs($0 - 50.4) < 50.4 * 0.03 })
        let share = try #require(forecast.servedShareOfDemand)
        #expect(abs(share - 30 / (spend.reduce(0, +) / 3)) < 0.01)
        let json = forecast.json
        #expect(json["demand_usd"]?["method"]?.string == "same seeds with every budget limit lifted (action alert)")
        #expect(json["budget_needed_usd"]?["monthly_p90"]?.number == MonthForecast.percentile(spend, 90))
        #expect(json["succeeded"]?.number == forecast.report.estimate("succeeded")?.mean)
        #expect(forecast.text.contains("the budget paid for"))
    }

    @Test func limitsRunOutWithDateAndTimeAndTheReplicationsCounted() throws {
        let forecast = MonthForecast.run(scenario: try Self.scenario(budget: "{monthly: $30, daily: $2}"),
                                         year: 2027, month: 2, seed: 7, replications: 3)
        let limits = forecast.limitExhaustions
        #expect(limits.map(\.window) == [.month, .day])
        // 3k requests a day at $0.0006 is $1.80 a day, under the $2 daily cap, which therefore never binds;
        // the monthly $30 runs out on day 17 (16 × $1.80 = $28.80 by its start, $30.60 by its end).
        let month = limits[0]
        #expect(month.times.count == 3 && month.replications == 3)
        for t in month.times {
            let text = forecast.dateTime(t)
            #expect(text.hasPrefix("2027-02-17 ") && text.hasSuffix(" UTC"), "\(text)")
        }
        #expect(limits[1].times.isEmpty)
        #expect(forecast.text.contains("monthly $30.00"))
        #expect(forecast.text.contains("in 3 of 3: earliest 2027-02-17 "))
        #expect(forecast.text.contains("daily $2.00") && forecast.text.contains("never"))
    }

    @Test func usersAtTheirCapAreNamedMostActiveFirst() throws {
        let forecast = MonthForecast.run(
            scenario: try Self.scenario(budget: "{monthly: $1000, per_user_monthly: $5}", users: "users: {count: 20, zipf: 1.0}"),
            year: 2027, month: 2, seed: 3, replications: 2)
        // User i's share is (1/(i+1)) / H(20) of ~$50: users 0–2 spend over $5 (H(20) ≈ 3.6: $14, $7, $4.7 …).
        let users = forecast.usersAtCap
        #expect(users.first?.user == 0 && users.first?.replications == 2)
        #expect(users.map(\.user).contains(1))
        #expect(!users.map(\.user).contains(19))
        #expect(forecast.text.contains("users who hit their cap") && forecast.text.contains("user 0 (2/2)"))
    }

    @Test func affordableVolumeMatchesTheClosedFormWithinTheTolerance() throws {
        // At scale k the month costs 0.0006 × Poisson(1000 × 28 × k): $16.80 at k = 1. A $30 budget affords
        // k ≈ 30 / 16.8 = 1.786 (the P90 of 3 months is a fraction of a percent above the mean).
        let base = MonthForecast.scenario(try Self.scenario(budget: "{monthly: $30}", rate: "1000/day"), year: 2027, month: 2)
        let result = try #require(AffordableVolume.search(scenario: base, seed: 5, replications: 3, tolerance: 0.01))
        let ok = try #require(result.affordable), over = try #require(result.tooMuch)
        #expect(ok.p90SpendUSD <= 30 && over.p90SpendUSD > 30)
        #expect((over.scale - ok.scale) / ok.scale <= 0.01 + 1e-12)
        #expect(ok.scale > 1.75 && ok.scale < 1.79, "\(ok.scale)")
        #expect(abs(ok.requestsPerDay - 1000 * ok.scale) < 1000 * ok.scale * 0.01)
        // Common random numbers: the first probe (scale 1) is reproducible, and P90 rises with the scale.
        let sorted = result.probes.sorted { $0.scale < $1.scale }
        #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $0.p90SpendUSD <= $1.p90SpendUSD })
        #expect(result.probes.count <= 14)
    }

    @Test func theSearchNeedsAMonthlyBudget() throws {
        let base = MonthForecast.scenario(try Self.scenario(budget: "{daily: $30}", rate: "1000/day"), year: 2027, month: 2)
        #expect(AffordableVolume.search(scenario: base, seed: 5, replications: 2) == nil)
    }

    @Test func scalingTrafficMultipliesEveryRate() throws {
        let s = try Self.scenario(budget: "{monthly: $30}", rate: "1000/day").scalingTraffic(by: 2.5)
        #expect(abs(s.traffic.arrivals.meanRatePerSecond - 2500 / 86_400) < 1e-12)
    }

    @Test func percentileCaveatSaysWhatTheTailsAre() {
        #expect(MonthForecast.percentileCaveat(replications: 10)
            == "P90 and P99 of 10 replications are the 9th smallest and the largest value; use --replications 20 or more for the tails")
        #expect(MonthForecast.percentileCaveat(replications: 1)
            == "P90 and P99 of 1 replication are both the largest value; use --replications 20 or more for the tails")
        #expect(MonthForecast.percentileCaveat(replications: 12)?.hasPrefix("P90 and P99 of 12 replications are the 11th smallest") == true)
        #expect(MonthForecast.percentileCaveat(replications: 20) == nil)
        #expect(MonthForecast.rank(99, of: 10) == 10 && MonthForecast.rank(90, of: 20) == 18)
    }
}
