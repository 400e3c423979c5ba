import NexusScenario

extension Scenario {
    /// The scenario with `factor`× its traffic: every synthetic arrival rate (a Poisson rate, a profile's mean
    /// rate, both rates of an on/off process) multiplied, or a trace's `rate_scale`; profiles, spikes, request
    /// classes and the user population unchanged (so each user sends `factor`× as much).
    public func scalingTraffic(by factor: Double) -> Scenario {
        precondition(factor > 0 && factor.isFinite, "a traffic scale is a positive finite number")
        var s = self
        switch s.traffic.arrivals {
        case .poisson(let rate): s.traffic.arrivals = .poisson(ratePerSecond: rate * factor)
        case .profiled(let rate, let profile): s.traffic.arrivals = .profiled(ratePerSecond: rate * factor, profile: profile)
        case .mmpp(var m, let profile):
            m.onRatePerSecond *= factor
            m.offRatePerSecond *= factor
            s.traffic.arrivals = .mmpp(m, profile: profile)
        }
        s.traffic.trace?.rateScale *= factor
        return s
    }
}
