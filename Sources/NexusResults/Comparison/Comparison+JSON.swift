extension Comparison {
    /// `{"a": label, "b": label, "scenario_a", "scenario_b", "seed", "replications", "difference": "B − A",
    /// "metrics": [{"metric", "section", "unit", "a", "a_ci95", "b", "b_ci95", "difference", "difference_ci95",
    /// "independent_ci95", "significant", "relative_change"}]}`: ``result`` with its `Codable` keys, every
    /// difference `B − A`.
    public var json: JSONValue { result.json }
}

extension ComparisonResult {
    /// The value as a JSON object with the same keys as its `Codable` form, in a readable order.
    public var json: JSONValue {
        func number(_ x: Double?) -> JSONValue { .num(x) }
        func interval(_ x: [Double]?) -> JSONValue { x.map { .array($0.map(JSONValue.num)) } ?? .null }
        return .object([
            ("a", .string(a)),
            ("b", .string(b)),
            ("scenario_a", .string(scenarioA)),
            ("scenario_b", .string(scenarioB)),
            ("seed", seed > 1 << 53 ? .string(String(seed)) : .number(Double(seed))),
            ("replications", .int(replications)),
            ("difference", .string(difference)),
            ("metrics", .array(metrics.map { row in
                .object([
                    ("metric", .string(row.metric)), ("section", .string(row.section)), ("unit", .string(row.unit.rawValue)),
                    ("a", number(row.a)), ("a_ci95", interval(row.aCI95)),
                    ("b", number(row.b)), ("b_ci95", interval(row.bCI95)),
                    ("difference", number(row.difference)), ("difference_ci95", interval(row.differenceCI95)),
                    ("independent_ci95", interval(row.independentCI95)),
                    ("significant", .bool(row.significant)),
                    ("relative_change", number(row.relativeChange)),
                ])
            })),
        ])
    }
}
