import NexusSim

extension RunReport {
    /// Whether this run was a live load (`nexus-sim load`) rather than a simulation.
    public var isLive: Bool { replications.contains { $0.live != nil } }

    /// The live replications' load-generator figures combined (a live run has one replication, possibly
    /// merged from shards).
    public var live: LiveStats? {
        let parts = replications.compactMap(\.live)
        guard var first = parts.first else { return nil }
        for other in parts.dropFirst() { first.merge(other) }
        return first
    }

    /// The `live` object of a live run's JSON: target, speed, send lag (wall milliseconds), connections and
    /// client-side errors; `nil` for a simulation.
    var liveSection: JSONValue? {
        guard let live else { return nil }
        func millis(_ value: Double?) -> JSONValue { value.map { .num($0) } ?? .null }
        return .object([
            ("target", .string(live.target)),
            ("speed", .num(live.speed)),
            ("send_lag_ms", .object([
                ("p50", millis(live.sendLag.percentileMillis(50))),
                ("p99", millis(live.sendLag.percentileMillis(99))),
                ("max", millis(live.sendLag.maxMillis)),
            ])),
            ("connections", .int(live.connections)),
            ("peak_in_flight", .int(live.peakInFlight)),
            ("client_errors", .int(live.clientErrors)),
            ("unpriced_responses", .int(live.unpricedResponses)),
            ("scheduled", .int(live.scheduled)),
            ("sent", .int(live.sent)),
            ("wall_s", .num(Double(live.wallNanos) / 1e9)),
        ])
    }

    /// One line for the text summary of a live run: where the load went and how punctually it left.
    var liveLine: String? {
        guard let live else { return nil }
        func ms(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "–" }
        return "Live load of \(live.target) at speed \(live.speed)× (latencies in scenario time = wall × K): "
            + "\(live.sent) sent, send lag p50 \(ms(live.sendLag.percentileMillis(50))) / p99 "
            + "\(ms(live.sendLag.percentileMillis(99))) / max \(ms(live.sendLag.maxMillis)) ms (wall), "
            + "\(live.clientErrors) client error\(live.clientErrors == 1 ? "" : "s")"
    }
}
