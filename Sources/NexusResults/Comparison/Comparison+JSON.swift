extension Comparison {
    /// `{"a": label, "b": label, "seed", "replications", "metrics": [{"metric", "a", "a_ci95", "b", "b_ci95",
    /// "difference", "difference_ci95", "independent_ci95", "significant"}]}`; differences are `B − A`.
    public var json: JSONValue {
        func interval(_ e: Estimate) -> JSONValue {
            e.ci95.map { .array([.num($0.lowerBound), .num($0.upperBound)]) } ?? .null
        }
        return .object([
            ("a", .string(labelA)),
            ("b", .string(labelB)),
            ("seed", .number(Double(a.seed))),
            ("replications", .int(a.replications.count)),
            ("metrics", .array(rows.map { row in
                .object([
                    ("metric", .string(row.metric)),
                    ("a", .num(row.a.mean)), ("a_ci95", interval(row.a)),
                    ("b", .num(row.b.mean)), ("b_ci95", interval(row.b)),
                    ("difference", .num(row.difference.mean)), ("difference_ci95", interval(row.difference)),
                    ("independent_ci95", interval(row.independentDifference)),
                    ("significant", .bool(row.isSignificant)),
                ])
            })),
        ])
    }
}
