import Foundation

/// A comparison as a plain value: what `compare --json` prints, in a form that can be stored and read back
/// (`Codable`, with the JSON's keys) without the runs it came from. Every number is in its metric's unit;
/// every difference is `B − A`; an undefined value is `null`.
public struct ComparisonResult: Sendable, Hashable, Codable {
    /// One metric: both means with their intervals, the paired difference `B − A` and its interval, the
    /// independent (Welch) interval for reference, significance and the relative change `(B − A) / |A|`.
    public struct Row: Sendable, Hashable, Codable {
        public var metric: String
        public var section: String
        public var unit: MetricUnit
        public var a: Double?
        public var aCI95: [Double]?
        public var b: Double?
        public var bCI95: [Double]?
        public var difference: Double?
        public var differenceCI95: [Double]?
        public var independentCI95: [Double]?
        public var significant: Bool
        public var relativeChange: Double?

        enum CodingKeys: String, CodingKey {
            case metric, section, unit, a, b, difference, significant
            case aCI95 = "a_ci95", bCI95 = "b_ci95", differenceCI95 = "difference_ci95"
            case independentCI95 = "independent_ci95", relativeChange = "relative_change"
        }
    }

    public var a: String
    public var b: String
    public var scenarioA: String
    public var scenarioB: String
    public var seed: UInt64
    public var replications: Int
    /// `B − A`: how every difference is taken.
    public var difference: String
    public var metrics: [Row]

    enum CodingKeys: String, CodingKey {
        case a, b, seed, replications, difference, metrics
        case scenarioA = "scenario_a", scenarioB = "scenario_b"
    }

    /// The value as compact JSON with sorted keys (the same comparison always gives the same bytes).
    public func storedJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Reads a value written by ``storedJSON()`` (or the output of `compare --json`).
    public init(storedJSON text: String) throws {
        self = try JSONDecoder().decode(ComparisonResult.self, from: Data(text.utf8))
    }

    public init(a: String, b: String, scenarioA: String, scenarioB: String, seed: UInt64, replications: Int, metrics: [Row]) {
        self.a = a
        self.b = b
        self.scenarioA = scenarioA
        self.scenarioB = scenarioB
        self.seed = seed
        self.replications = replications
        self.difference = "B − A"
        self.metrics = metrics
    }
}

extension Comparison {
    /// The comparison as a plain, storable value: every informative row (see ``Row/isInformative``).
    public var result: ComparisonResult {
        func value(_ x: Double) -> Double? { x.isFinite ? x : nil }
        func interval(_ e: Estimate) -> [Double]? { e.ci95.map { [$0.lowerBound, $0.upperBound] } }
        return ComparisonResult(
            a: labelA, b: labelB, scenarioA: a.scenario.name, scenarioB: b.scenario.name, seed: a.seed,
            replications: a.replications.count,
            metrics: rows.filter(\.isInformative).map { row in
                ComparisonResult.Row(
                    metric: row.metric, section: row.section, unit: row.unit,
                    a: value(row.a.mean), aCI95: interval(row.a), b: value(row.b.mean), bCI95: interval(row.b),
                    difference: value(row.difference.mean), differenceCI95: interval(row.difference),
                    independentCI95: interval(row.independentDifference), significant: row.isSignificant,
                    relativeChange: row.relativeChange)
            })
    }
}
