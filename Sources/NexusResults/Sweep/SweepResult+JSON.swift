extension SweepResult {
    /// `{"grid": [{"name", "values"}], "targets": [text], "points": [{"index", "assignment", "meets_targets",
    /// "verdicts": [verdict], "missed": [text], "pareto", "summary": <the run's JSON>}], "pareto": [index, cheapest
    /// first], "pareto_objectives", "identical_points": [[index]]}`. A verdict is as in `run --json`'s `targets`.
    public var json: JSONValue {
        .object([
            ("grid", .array(grid.map { .object([("name", .string($0.name)), ("values", .array($0.values.map(JSONValue.string)))]) })),
            ("targets", .array(targets.map { .string($0.spec.text) })),
            ("points", .array(points.enumerated().map { index, p in
                .object([
                    ("index", .int(index)),
                    ("assignment", .object(p.assignment.map { ($0.name, .string($0.value)) })),
                    ("meets_targets", p.meetsTargets.map(JSONValue.bool) ?? .null),
                    ("verdicts", .array(p.verdicts.map(\.json))),
                    ("missed", .array(p.missed.map { .string($0.target.spec.text) })),
                    ("pareto", .bool(p.onParetoFront)),
                    ("summary", p.report.json(targets: p.verdicts)),
                ])
            })),
            ("pareto", .array(paretoIndices.map(JSONValue.int))),
            ("pareto_objectives", .array([.string(Self.costMetric), .string(Self.latencyMetric)])),
            ("identical_points", .array(identicalPoints.map { .array($0.map(JSONValue.int)) })),
        ])
    }
}
