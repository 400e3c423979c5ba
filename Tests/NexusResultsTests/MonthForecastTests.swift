import Foundation
import NexusGateway
import NexusResults
import NexusScenario
import Testing

@Suite struct MonthForecastTests {
    static func scenario() throws -> Scenario {
        try ScenarioLoader.parse(text: """
            name: forecast-test
            simulation: {duration: 1d, warmup: 1h}
            gateway: {instances: 1, concurrency: 1000}
            budget: {monthly: $30, daily: $2, alerts: [50%]}
            providers:
              - name: p
                classifications: [public]
                models: [{name: m, price: {input_per_mtok: $1, output_per_mtok: $3}, ttft: {dist: exponential, mean: 1s}}]
            tiers: [{name: t, models: [p/m]}]
            traffic:
              arrivals: {process: poisson, rate: 3k/day}
              classes: [{name: c, share: 100%, tier: t, input_tokens: {dist: lognormal, median: 300, p95: 1200}, output_tokens: 100}]
            """)
    }

    @Test func forecastMeanIsTheMeanOfTheReplicationsTotals() throws {
        let forecast = MonthForecast.run(scenario: try Self.scenario(), year: 2027, month: 2, seed: 7, replications: 4)
        #expect(forecast.days == 28)
        let totals = forecast.report.replications.map(\.totalCost.dollars)
        let mean = try #require(forecast.json.objectValue("monthly_spend_usd")?.objectValue("mean")?.numberValue)
        #expect(abs(mean - totals.reduce(0, +) / 4) < 1e-9)
        // Every request counts (no warm-up) and the daily table adds up to each replication's month.
        for (summary, days) in zip(forecast.report.replications, forecast.dailySpendByReplication) {
            #expect(summary.unfinished == 0)
            #expect(abs(days.reduce(0, +) - summary.totalCost.dollars) < 1e-6)
            #expect(days.allSatisfy { $0 <= 2 + 1e-9 })
        }
        // $2/day for 28 days is $56 > $30: the monthly budget runs out mid-month in every replication.
        #expect(forecast.probabilityOfExhaustingMonthlyBudget == 1)
        #expect(forecast.monthlyExhaustionDates.allSatisfy { $0.hasPrefix("2027-02-1") })
        #expect(forecast.dailySpend.first?.date == "2027-02-01" && forecast.dailySpend.first?.weekday == 0)
        let csv = forecast.csv.split(separator: "\n")
        #expect(csv.count == 29)
        #expect(csv[1].hasPrefix("2027-02-01,Mon,"))
    }

    @Test func nearestRankPercentiles() {
        let values = (1...10).map(Double.init)
        #expect(MonthForecast.percentile(values, 50) == 5)
        #expect(MonthForecast.percentile(values, 90) == 9)
        #expect(MonthForecast.percentile(values, 99) == 10)
        #expect(MonthForecast.percentile(values, 10) == 1)
    }
}

extension JSONValue {
    func objectValue(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    var numberValue: Double? {
        guard case .number(let x) = self else { return nil }
        return x
    }
}
