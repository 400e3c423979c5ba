import NexusScenario

extension SweepGrid {
    /// Groups of points (indices into ``points``, ascending, two or more each) whose effective scenarios are
    /// identical (``Scenario/simulatesSame(as:)``): such points would cost a run each and show the same numbers.
    /// - Parameter scenarios: the scenario of every point, in ``points`` order.
    public static func identicalPoints(_ scenarios: [Scenario]) -> [[Int]] {
        var groups: [[Int]] = []
        var grouped = Set<Int>()
        for i in scenarios.indices where !grouped.contains(i) {
            let same = scenarios.indices.filter { $0 > i && !grouped.contains($0) && scenarios[$0].simulatesSame(as: scenarios[i]) }
            guard !same.isEmpty else { continue }
            groups.append([i] + same)
            grouped.formUnion(same)
        }
        return groups
    }

    /// The axes (by name) whose values change nothing: wherever the other axes are held fixed, every value of
    /// the axis gives the same effective scenario. An axis with one value is never reported.
    /// - Parameter scenarios: the scenario of every point, in ``points`` order.
    public func inertAxes(_ scenarios: [Scenario]) -> [String] {
        let points = self.points
        precondition(scenarios.count == points.count, "one scenario per grid point")
        return axes.indices.compactMap { a in
            guard axes[a].values.count > 1 else { return nil }
            var byRest: [[String]: Int] = [:]
            for (i, point) in points.enumerated() {
                var rest = point.map(\.value)
                rest.remove(at: a)
                if let first = byRest[rest] {
                    if !scenarios[i].simulatesSame(as: scenarios[first]) { return nil }
                } else {
                    byRest[rest] = i
                }
            }
            return axes[a].name
        }
    }
}
