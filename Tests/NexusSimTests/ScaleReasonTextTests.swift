import NexusGateway
import NexusSim
import Testing

/// The autoscaling reasons as the run's `scale_events` print them.
@Suite struct ScaleReasonTextTests {
    @Test func stepPolicyReasons() {
        var p = StepScalingPolicy()
        let d = p.decide(AutoscalerMetrics(currentInstances: 2, readyInstances: 2, cpuUtilization: 0.85, queueDepth: 150), now: 0)
        #expect(d.reason.text == "cpu 85% > 70%, queue_depth 150 > 100")
        #expect(ScaleReason.underThresholds(hysteresis: 0.2).text == "all metrics under thresholds by 20%")
        #expect(ScaleReason.underThresholds(hysteresis: 0.125).text == "all metrics under thresholds by 12.5%")
        #expect(ScaleReason.overThresholds([TriggerReading(.responseTime(statistic: "p95"), observed: 5200.4, threshold: 5000)]).text
            == "response_time_p95 5200 ms > 5000 ms")
        #expect(ScaleReason.scaleUpCooldown.text == "scale-up cooldown")
    }

    @Test func hpaReasons() {
        #expect(ScaleReason.metricProposal(metric: "in_flight", proposal: 8, condition: .desiredWithinRange).text
            == "in_flight proposes 8; DesiredWithinRange")
        #expect(ScaleReason.metricsUnavailable.text == "metrics unavailable")
    }
}
