import NexusGateway

extension Simulation {
    /// Arrivals simulated so far (warm-up included), for progress reports.
    public var requestsSimulatedSoFar: Int { metrics.summary.requestsSimulated }

    /// Simulated time at which the run ends: the duration plus the drain period.
    public var endTime: Nanoseconds { runEndsAt }
}
