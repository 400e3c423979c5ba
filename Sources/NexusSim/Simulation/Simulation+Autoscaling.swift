import NexusGateway

/// The autoscaler in the run loop: every interval, measure, ask the policy, and launch or drain instances.
extension Simulation {
    /// The autoscaler's evaluation: metrics over the interval just ended, the policy's decision, its effect.
    mutating func autoscale() {
        guard var policy = autoscaler, let spec = gatewaySpec.autoscaling else { return }
        let metrics = autoscalerMetrics()
        let decision = policy.decide(metrics, now: now)
        autoscaler = policy
        scale(to: decision.desiredInstances, reason: decision.reason)
        // The next interval starts now.
        for id in fleet.live { fleet.cpuNanos[Int(id)] = 0 }
        intervalStartedAt = now
        intervalStartReadyNanos = fleet.readyInstanceNanos
        intervalStartCPUNanos = fleet.cpuNanosTotal
        intervalLatency.reset()
        // Keep evaluating while there is traffic to come or in flight.
        if now < arrivalsEndAt || requests.inUse > 0 { events.schedule(.autoscale, at: now + spec.intervalNanos) }
    }

    /// What the policy sees now (see ``AutoscalerMetrics``).
    mutating func autoscalerMetrics() -> AutoscalerMetrics {
        fleet.advance(to: now)
        let vcpuMillis = gatewaySpec.vcpus * 1000
        let memoryLimitKiB = Int64(gatewaySpec.memoryLimitMiB * 1024)
        var samples: [InstanceSample] = []
        samples.reserveCapacity(fleet.live.count)
        var memorySum = 0.0
        for id in fleet.live {
            let i = Int(id)
            let memoryMiB = gatewaySpec.memoryBaseMiB + gatewaySpec.memoryPerRequestMiB * Double(fleet.inFlight[i])
            switch fleet.state[i] {
            case .starting:
                samples.append(InstanceSample(status: .pending, cpuRequestMillis: Int64(vcpuMillis), memoryRequest: memoryLimitKiB))
            case .draining, .gone:
                samples.append(InstanceSample(status: .deleting, cpuRequestMillis: Int64(vcpuMillis), memoryRequest: memoryLimitKiB))
            case .ready:
                // CPU averaged over the part of the interval the instance was ready. One that became ready
                // during the interval has a sample that does not cover a full window since its readiness:
                // Kubernetes ignores such CPU samples, so it is reported unready (its other metrics still count).
                let since = max(intervalStartedAt, fleet.readyAt[i])
                let span = Double(max(now - since, 1))
                let cpuMillis = Int64((Double(fleet.cpuNanos[i]) / span * 1000).rounded())
                memorySum += memoryMiB / gatewaySpec.memoryLimitMiB
                samples.append(InstanceSample(
                    status: fleet.readyAt[i] > intervalStartedAt ? .unready : .ready,
                    cpuMillis: cpuMillis, cpuRequestMillis: Int64(vcpuMillis),
                    memory: Int64(memoryMiB * 1024), memoryRequest: memoryLimitKiB,
                    inFlightMillis: Int64(fleet.inFlight[i]) * 1000))
            }
        }
        let readyNanos = fleet.readyInstanceNanos - intervalStartReadyNanos
        let cpu = readyNanos > 0 ? Double(fleet.cpuNanosTotal - intervalStartCPUNanos) / (readyNanos * gatewaySpec.vcpus) : 0
        return AutoscalerMetrics(
            currentInstances: fleet.current, readyInstances: fleet.ready, instances: samples,
            cpuUtilization: cpu, memoryUtilization: fleet.ready > 0 ? memorySum / Double(fleet.ready) : 0,
            queueDepth: queueDepth,
            responseTimeMeanMillis: intervalLatency.meanMillis, responseTimeP95Millis: intervalLatency.percentileMillis(95))
    }

    /// Launches or drains instances until the autoscaler owns `desired`, and records the scale event.
    mutating func scale(to desired: Int, reason: String) {
        let current = fleet.current
        guard desired != current else { return }
        fleet.advance(to: now)
        if desired > current {
            for _ in current..<desired {
                let id = fleet.launch(at: now)
                if gatewaySpec.startupNanos == 0 {
                    instanceReady(id)
                } else {
                    events.schedule(.instanceReady, at: now + gatewaySpec.startupNanos, slot: id)
                }
            }
        } else {
            var drained = false
            for id in fleet.victims(current - desired) {
                if fleet.state[Int(id)] == .starting {
                    fleet.cancel(id)
                } else {
                    fleet.startDraining(id)
                    drained = true
                }
            }
            // A draining instance takes no new request: drop its free slots from the stack.
            if drained { freeInstanceSlots.removeAll { fleet.state[Int($0)] != .ready } }
        }
        summary.scaleEvents.append(ScaleEvent(atNanos: now, from: current, to: desired, reason: reason))
        summary.minInstances = min(summary.minInstances, desired)
        summary.maxInstances = max(summary.maxInstances, desired)
    }

    /// A starting instance has booted: its slots take queued requests first, then join the free stack.
    mutating func instanceReady(_ id: Int32) {
        guard fleet.state[Int(id)] == .starting else { return }  // cancelled while starting
        fleet.advance(to: now)
        fleet.markReady(id, at: now)
        for _ in 0..<gatewaySpec.concurrencyPerInstance { offerSlot(id) }
    }
}
