extension SweepResult {
    /// `{"points": [{"assignment": {name: value}, "meets_targets", "pareto", "summary": <the run's JSON>}]}`.
    public var json: JSONValue {
        .object([("points", .array(points.map { p in
            .object([
                ("assignment", .object(p.assignment.map { ($0.name, .string($0.value)) })),
                ("meets_targets", p.meetsTargets.map(JSONValue.bool) ?? .null),
                ("pareto", .bool(p.onParetoFront)),
                ("summary", p.report.json),
            ])
        }))])
    }
}
