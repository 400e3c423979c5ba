import Foundation
import NexusGateway

/// The live gateway's clock: nanoseconds of gateway time since the gateway started, running `speed` times faster
/// than wall time.
///
/// At speed 1 (a gateway in front of real providers) gateway time is wall time. At speed K (a gateway in front
/// of the provider emulator replaying a scenario K times faster, `nexus-sim gateway --speed K`) every time the
/// lifecycle reads and every timer it asks for is scenario time: a 250 ms retry backoff, a 60 s attempt timeout,
/// a circuit breaker's 60 s window and 30 s cooldown, the queue timeout, a cache entry's TTL and the autoscaler's
/// interval all pass K times faster, as they do for the emulator's providers and in a simulation of the same
/// scenario. Waits an upstream asks for (`Retry-After`, in wall time) are read back into gateway time.
public struct GatewayClock: Sendable {
    /// Gateway seconds per wall second.
    public let speed: Double
    /// `DispatchTime` uptime nanoseconds at gateway time 0.
    let originUptimeNanos: UInt64

    public init(speed: Double = 1, originUptimeNanos: UInt64 = DispatchTime.now().uptimeNanoseconds) {
        self.speed = speed
        self.originUptimeNanos = originUptimeNanos
    }

    /// Gateway time now (monotonic).
    public func now() -> Nanoseconds {
        let wall = Nanoseconds(DispatchTime.now().uptimeNanoseconds &- originUptimeNanos)
        return speed == 1 ? wall : Nanoseconds(clampingScenarioNanos: Double(wall) * speed)
    }

    /// Wall nanoseconds to sleep for `gatewayNanos` of gateway time (0 for a negative duration).
    public func wallNanos(_ gatewayNanos: Nanoseconds) -> UInt64 {
        guard gatewayNanos > 0 else { return 0 }
        return speed == 1 ? UInt64(gatewayNanos) : UInt64(Int64(clampingScenarioNanos: Double(gatewayNanos) / speed))
    }

    /// Gateway time of a wall duration an upstream stated (a `Retry-After`).
    public func gatewayNanos(ofWallNanos wallNanos: Nanoseconds) -> Nanoseconds {
        guard wallNanos > 0 else { return 0 }
        return speed == 1 ? wallNanos : Nanoseconds(clampingScenarioNanos: Double(wallNanos) * speed)
    }

    /// Sleeps for `gatewayNanos` of gateway time; throws when the task is cancelled.
    public func sleep(_ gatewayNanos: Nanoseconds) async throws {
        let wall = wallNanos(gatewayNanos)
        if wall > 0 { try await Task.sleep(nanoseconds: wall) }
    }
}
