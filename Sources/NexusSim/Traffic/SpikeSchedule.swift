import NexusGateway
import NexusScenario

/// Windows of multiplied arrival rate (`traffic.arrivals.spikes`), for generating arrivals by thinning:
/// candidates come at the peak rate and each is kept with probability rate(t) / peak.
///
/// Kept apart from the arrival process on purpose: a general time-varying rate profile can replace it
/// by offering the same two questions (`peakMultiplier`, `multiplier(at:)`).
struct SpikeSchedule: Sendable {
    let spikes: [ArrivalSpike]
    /// The largest multiplier in force at any time (at least 1).
    let peakMultiplier: Double

    init(_ spikes: [ArrivalSpike]) {
        self.spikes = spikes
        peakMultiplier = max(1, spikes.map(\.multiplier).max() ?? 1)
    }

    var isEmpty: Bool { spikes.isEmpty }

    /// The rate multiplier at `t`: the largest of the spikes in force, or 1.
    func multiplier(at t: Nanoseconds) -> Double {
        var m = 1.0
        var inSpike = false
        for s in spikes where t >= s.startNanos && t < s.startNanos + s.durationNanos {
            m = inSpike ? max(m, s.multiplier) : s.multiplier
            inSpike = true
        }
        return m
    }
}
