import Foundation
import NexusGateway

/// Gateway capacity (CPU, memory, start-up, price), the autoscaler, and arrival spikes.
extension ScenarioDecoder {
    static let gatewayCapacityKeys = [
        "vcpus", "cpu_per_request", "memory_limit", "memory_base", "memory_per_request", "startup_time", "instance_price", "autoscaling",
        "load_balancing", "termination_grace",
    ]

    func gatewayCapacity(_ m: Field.Mapping, into spec: inout GatewaySpec) throws {
        if let v = m.optional("vcpus") {
            spec.vcpus = try v.double()
            guard spec.vcpus > 0 else { throw v.error("expected a positive number of vCPUs, found \(spec.vcpus)") }
            guard spec.vcpus <= 1024 else { throw v.error("expected at most 1024 vCPUs per instance, found \(Units.format(spec.vcpus))") }
        }
        if let v = m.optional("cpu_per_request") { spec.cpuPerRequestNanos = try v.durationNanos() }
        if let v = m.optional("memory_limit") {
            spec.memoryLimitMiB = try mebibytes(v)
            guard spec.memoryLimitMiB > 0 else { throw v.error("expected a positive memory limit") }
        }
        if let v = m.optional("memory_base") { spec.memoryBaseMiB = try mebibytes(v) }
        if let v = m.optional("memory_per_request") { spec.memoryPerRequestMiB = try mebibytes(v) }
        if let v = m.optional("startup_time") { spec.startupNanos = try v.durationNanos() }
        if let v = m.optional("instance_price") { spec.instancePricePerHour = try v.dollars() }
        if let a = m.optional("autoscaling") { spec.autoscaling = try autoscaling(a) }
        if let v = m.optional("load_balancing") { spec.loadBalancing = try v.choice(LoadBalancing.self) }
        if let v = m.optional("termination_grace") {
            spec.terminationGraceNanos = try v.durationNanos()
            // Kubernetes takes any whole number of seconds; a day is far beyond any real gateway's drain.
            guard spec.terminationGraceNanos <= 86_400_000_000_000 else {
                throw v.error("expected a termination grace period of at most 24h, found \(Units.formatNanos(spec.terminationGraceNanos))")
            }
        }
    }

    /// `512MiB`, `2GiB`, `1.5GB`, `300MB`, `64KiB`, or a plain number of MiB.
    func mebibytes(_ f: Field) throws -> Double {
        let s = try f.text().trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("KiB", 1.0 / 1024), ("MiB", 1), ("GiB", 1024), ("KB", 1e3 / 1_048_576), ("MB", 1e6 / 1_048_576), ("GB", 1e9 / 1_048_576)]
        // At most 1 TiB: memory is reported in whole KiB (64-bit), and no instance has more.
        let largest = 1_048_576.0
        func inRange(_ v: Double) throws -> Double {
            guard v <= largest else { throw f.error("expected an amount of memory of at most 1TiB (1048576MiB), found '\(s)'") }
            return v
        }
        for (suffix, scale) in units where s.hasSuffix(suffix) {
            if let v = Double(s.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), v >= 0, v.isFinite { return try inRange(v * scale) }
        }
        if let v = Double(s), v >= 0, v.isFinite { return try inRange(v) }
        throw f.error("expected an amount of memory such as 512MiB, 2GiB or 300MB, found '\(s)'")
    }

    func autoscaling(_ f: Field) throws -> AutoscalingSpec {
        let m = try f.mapping(allowed: ["policy", "interval", "min_instances", "max_instances", "step", "hpa"])
        let policyField = try m.required("policy")
        let kind = try policyField.text()
        guard ["step", "hpa"].contains(kind) else {
            throw policyField.error("expected the autoscaling policy 'step' or 'hpa', found '\(kind)'", suggestion: nearest(to: kind, in: ["step", "hpa"]))
        }
        let minField = m.optional("min_instances")
        let maxField = m.optional("max_instances")
        let minInstances = try minField?.int(in: 1...100_000) ?? (kind == "step" ? 2 : 1)
        let maxInstances = try maxField?.int(in: 1...100_000) ?? 50
        guard minInstances <= maxInstances else {
            throw (maxField ?? minField ?? f).error("min_instances (\(minInstances)) must not exceed max_instances (\(maxInstances))")
        }
        let interval = try m.optional("interval")?.durationNanos(positive: true) ?? (kind == "step" ? 60_000_000_000 : 15_000_000_000)
        // Both blocks are checked even when the other policy is chosen, so that a typo is found before it is used.
        let step = try stepPolicy(m.optional("step"), min: minInstances, max: maxInstances)
        let hpa = try hpaPolicy(m.optional("hpa"), min: minInstances, max: maxInstances)
        let metricsServer = try hpaMetricsServer(m.optional("hpa"))
        return AutoscalingSpec(intervalNanos: interval, policy: kind == "step" ? .step(StepScalingPolicy(config: step)) : .hpa(HorizontalPodAutoscaler(config: hpa)),
                               metricsServer: kind == "hpa" ? metricsServer : nil)
    }

    /// `hpa.metrics_server: {resolution: 15s, lag: 5s}`, or `none`; absent: the HPA sees exact interval averages.
    private func hpaMetricsServer(_ hpa: Field?) throws -> MetricsServerSpec? {
        // `hpa` has been read by hpaPolicy already, so it is a mapping of known keys.
        guard let hpa, let f = try hpa.mapping(allowed: HPAKeys.all).optional("metrics_server"), try !noneValue(f) else { return nil }
        let m = try f.mapping(allowed: ["resolution", "lag"])
        var spec = MetricsServerSpec()
        if let v = m.optional("resolution") {
            spec.resolutionNanos = try v.durationNanos(positive: true)
            // metrics-server refuses a resolution under 10 s (its options' validate()); an hour is beyond any use.
            guard spec.resolutionNanos >= 10_000_000_000, spec.resolutionNanos <= 3_600_000_000_000 else {
                throw v.error("expected a metric resolution from 10s (metrics-server's least) to 1h, found \(Units.formatNanos(spec.resolutionNanos))")
            }
        }
        if let v = m.optional("lag") {
            spec.lagNanos = try v.durationNanos()
            guard spec.lagNanos <= 600_000_000_000 else {
                throw v.error("expected a metrics lag of at most 10m, found \(Units.formatNanos(spec.lagNanos))")
            }
        }
        return spec
    }

    private func stepPolicy(_ f: Field?, min: Int, max: Int) throws -> StepScalingPolicy.Config {
        var c = StepScalingPolicy.Config(minInstances: min, maxInstances: max)
        guard let f else { return c }
        let m = try f.mapping(allowed: ["cpu", "memory", "queue_depth", "response_time", "response_time_statistic", "scale_up_by", "scale_down_by",
                                        "scale_up_cooldown", "scale_down_cooldown", "hysteresis"])
        if let v = m.optional("cpu") { c.cpuThreshold = try noneValue(v) ? nil : try percentage(v) }
        if let v = m.optional("memory") { c.memoryThreshold = try noneValue(v) ? nil : try v.fraction() }
        if let v = m.optional("queue_depth") { c.queueDepthThreshold = try noneValue(v) ? nil : try v.int(in: 0...Int(Int32.max)) }
        if let v = m.optional("response_time") { c.responseTimeThresholdMillis = try noneValue(v) ? nil : try v.durationSeconds(positive: true) * 1000 }
        if let v = m.optional("response_time_statistic") { c.responseTimeStatistic = try v.choice(StepScalingPolicy.ResponseTimeStatistic.self) }
        if let v = m.optional("scale_up_by") { c.scaleUpStep = try v.int(in: 1...100_000) }
        if let v = m.optional("scale_down_by") { c.scaleDownStep = try v.int(in: 1...100_000) }
        if let v = m.optional("scale_up_cooldown") { c.scaleUpCooldownNanos = try v.durationNanos() }
        if let v = m.optional("scale_down_cooldown") { c.scaleDownCooldownNanos = try v.durationNanos() }
        if let v = m.optional("hysteresis") {
            c.hysteresis = try v.fraction()
            guard c.hysteresis < 1 else { throw v.error("a hysteresis of 100% would never scale down; expected below 100%") }
        }
        return c
    }

    private func hpaPolicy(_ f: Field?, min: Int, max: Int) throws -> HorizontalPodAutoscaler.Config {
        var c = HorizontalPodAutoscaler.Config(minReplicas: min, maxReplicas: max)
        guard let f else { return c }
        let m = try f.mapping(allowed: HPAKeys.all)
        if let v = m.optional("tolerance") { c.tolerance = try v.fraction() }
        if let v = m.optional("downscale_stabilization") { c.downscaleStabilizationNanos = try v.durationNanos() }
        if let v = m.optional("metrics") {
            let items = try v.list()
            guard !items.isEmpty else { throw v.error("an HPA needs at least one metric") }
            c.metrics = try items.map(hpaMetric)
        }
        if let v = m.optional("behavior") {
            let b = try v.mapping(allowed: ["scale_up", "scale_down"])
            c.behavior = HorizontalPodAutoscaler.Behavior(scaleUp: try b.optional("scale_up").map(scalingRules),
                                                          scaleDown: try b.optional("scale_down").map(scalingRules))
        }
        return c
    }

    /// `{type: cpu, target: 60%}`, `{type: memory, target: 80%}`, `{type: in_flight, target: 150}` (average per
    /// instance), `{type: queue_depth, target: 10}` (average per instance).
    private func hpaMetric(_ f: Field) throws -> HorizontalPodAutoscaler.Metric {
        let m = try f.mapping(allowed: ["type", "target"])
        let typeField = try m.required("type")
        let type = try typeField.text()
        let target = try m.required("target")
        switch type {
        case "cpu": return .cpuUtilization(percent: try wholePercent(target))
        case "memory": return .memoryUtilization(percent: try wholePercent(target))
        case "in_flight", "queue_depth":
            // Kubernetes keeps averages in thousandths: 0.001 is the least that is not zero.
            let v = try target.double(in: 0.001...1_000_000, what: "an average per instance")
            let millis = Int64((v * 1000).rounded())
            return type == "in_flight" ? .inFlightAverage(millis: millis) : .queueDepthAverage(millis: millis)
        default:
            let names = ["cpu", "memory", "in_flight", "queue_depth"]
            throw typeField.error("expected one of \(names.joined(separator: ", ")), found '\(type)'", suggestion: nearest(to: type, in: names))
        }
    }

    /// `{stabilization_window: 300s, select_policy: Max, policies: [{type: Pods, value: 4, period: 15s}]}`.
    private func scalingRules(_ f: Field) throws -> HorizontalPodAutoscaler.ScalingRules {
        let m = try f.mapping(allowed: ["stabilization_window", "select_policy", "policies", "tolerance"])
        var r = HorizontalPodAutoscaler.ScalingRules()
        if let v = m.optional("tolerance") { r.tolerance = try toleranceFraction(v) }
        if let v = m.optional("stabilization_window") {
            r.stabilizationWindowNanos = try v.durationNanos()
            guard r.stabilizationWindowNanos! <= 3_600_000_000_000 else { throw v.error("Kubernetes allows a stabilization window of at most 1h") }
        }
        if let v = m.optional("select_policy") { r.selectPolicy = try v.choice(HorizontalPodAutoscaler.SelectPolicy.self) }
        if let v = m.optional("policies") {
            r.policies = try v.list().map { item in
                let p = try item.mapping(allowed: ["type", "value", "period"])
                let kind = try p.required("type").choice(HorizontalPodAutoscaler.ScalingPolicy.Kind.self)
                let value = try p.required("value").int(in: 1...Int(Int32.max))
                let periodField = try p.required("period")
                let period = try periodField.durationSeconds(positive: true)
                guard period <= 1800, period == period.rounded() else {
                    throw periodField.error("expected a whole number of seconds from 1s to 1800s (Kubernetes' periodSeconds), found \(period)s")
                }
                return HorizontalPodAutoscaler.ScalingPolicy(kind, value, periodSeconds: Int(period))
            }
        }
        return r
    }

    /// A tolerance: a non-negative fraction; a scale-up tolerance may exceed 100 % (upstream allows any
    /// non-negative quantity), capped at 1000 % where no ratio could leave the band anyway.
    private func toleranceFraction(_ f: Field) throws -> Double {
        let s = try f.text()
        guard let v = Units.fraction(s), v >= 0, v <= 10 else {
            throw f.error("expected a tolerance from 0% to 1000%, e.g. 10%, found '\(s)'")
        }
        return v
    }

    /// A percentage that may exceed 100 % (CPU is measured against the request), e.g. `150%`.
    private func percentage(_ f: Field) throws -> Double {
        let s = try f.text()
        guard let v = Units.fraction(s), v > 0 else { throw f.error("expected a positive percentage such as 70%, found '\(s)'") }
        return v
    }

    private func wholePercent(_ f: Field) throws -> Int {
        let v = try percentage(f) * 100
        guard v == v.rounded(), v <= 100_000 else { throw f.error("expected a whole percentage such as 60%, found '\(try f.text())'") }
        return Int(v)
    }

    /// `spikes: [{start: 14h, duration: 30m, multiplier: 10}]`.
    func arrivalSpikes(_ f: Field) throws -> [ArrivalSpike] {
        try f.list().map { item in
            let m = try item.mapping(allowed: ["start", "duration", "multiplier"])
            let multiplierField = try m.required("multiplier")
            let multiplier = try multiplierField.double()
            guard multiplier > 0, multiplier <= 1e6 else { throw multiplierField.error("expected a multiplier above 0, found \(multiplier)") }
            return ArrivalSpike(startNanos: try m.required("start").durationNanos(),
                                durationNanos: try m.required("duration").durationNanos(positive: true), multiplier: multiplier)
        }
    }
}

/// The keys of `autoscaling.hpa`.
private enum HPAKeys {
    static let all = ["metrics", "behavior", "tolerance", "downscale_stabilization", "metrics_server"]
}

extension ScenarioDecoder {
    /// `none` or `off`: a trigger switched off.
    func noneValue(_ f: Field) throws -> Bool {
        guard case .scalar = f.node else { return false }
        return ["none", "off"].contains(try f.text().lowercased())
    }
}
