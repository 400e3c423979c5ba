import NexusResults

/// How `nexus-sim load` drives a target: where, how fast, and which share of the arrivals.
public struct LoadConfiguration: Sendable {
    /// The target's base URL: `http://host:port` (requests go to `/v1/chat/completions`), a base ending in
    /// `/v1`, or the full `.../chat/completions` URL.
    public var target: String
    /// Speed factor K: scenario time runs K times faster than wall time (an hour of traffic in 60/K minutes).
    public var speed: Double
    /// The run seed (arrivals are those of `run --seed` with the same seed, replication 0).
    public var seed: UInt64
    /// `model` to send per request class (LiteLLM model groups, say); a class not named sends its tier.
    public var modelMap: [String: String]
    /// This generator's share of the arrivals: arrival k (0-based, in time order) is sent by shard
    /// `k mod N + 1`.
    public var shard: Shard
    /// Most connections to the target at once.
    public var connections: Int
    /// Event loops sending requests (each schedules its own share of the arrivals).
    public var eventLoops: Int
    /// `--start-at`: the wall instant of scenario time 0, shared with the provider emulator and the other
    /// shards; nil starts 50 ms after the generator is ready.
    public var startAt: StartTime?
    /// Sent as `authorization: Bearer KEY` with every request (a LiteLLM proxy's master or virtual key);
    /// `nil` sends no authorization.
    public var apiKey: String?

    /// Connection limits `--connections` accepts.
    public static let connectionRange = 1...100_000
    /// Speed factors `--speed` accepts.
    public static let speedRange = 1e-3...1e6

    public init(target: String, speed: Double = 1, seed: UInt64, modelMap: [String: String] = [:], shard: Shard = .whole,
                connections: Int = 1024, eventLoops: Int = 1, startAt: StartTime? = nil, apiKey: String? = nil) {
        self.startAt = startAt
        self.target = target
        self.apiKey = apiKey
        self.speed = speed
        self.seed = seed
        self.modelMap = modelMap
        self.shard = shard
        self.connections = connections
        self.eventLoops = eventLoops
    }

    /// The chat-completions URL requests are posted to.
    public var chatCompletionsURL: String {
        var base = target
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/chat/completions") { return base }
        if base.hasSuffix("/v1") { return base + "/chat/completions" }
        return base + "/v1/chat/completions"
    }
}

/// A `--model-map`, `--target` or `--speed` value that cannot be used.
public struct LoadConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension LoadConfiguration {
    /// Reads `CLASS=MODEL` pairs, checking each class against the scenario's `classes`.
    public static func modelMap(_ pairs: [String], classes: [String]) throws(LoadConfigurationError) -> [String: String] {
        var map: [String: String] = [:]
        for pair in pairs {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex, pair.index(after: eq) != pair.endIndex else {
                throw LoadConfigurationError("--model-map expects CLASS=MODEL, e.g. drafts=cheap-group; found '\(pair)'")
            }
            let name = String(pair[..<eq]), model = String(pair[pair.index(after: eq)...])
            guard classes.contains(name) else {
                throw LoadConfigurationError("--model-map \(pair): the scenario has no request class '\(name)'; classes: "
                    + classes.joined(separator: ", "))
            }
            guard map[name] == nil else { throw LoadConfigurationError("--model-map names class '\(name)' twice") }
            map[name] = model
        }
        return map
    }

    /// Checks the target URL (http or https with a host) and the numbers.
    public func check() throws(LoadConfigurationError) {
        let lower = target.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"),
              target.split(separator: "/", omittingEmptySubsequences: true).count >= 2 else {
            throw LoadConfigurationError("--target expects an http:// or https:// URL with a host, e.g. http://127.0.0.1:8080; found '\(target)'")
        }
        guard speed.isFinite, Self.speedRange.contains(speed) else {
            throw LoadConfigurationError("--speed expects a factor from \(Self.speedRange.lowerBound) to \(Int(Self.speedRange.upperBound)); found \(speed)")
        }
        guard Self.connectionRange.contains(connections) else {
            throw LoadConfigurationError("--connections expects \(Self.connectionRange.lowerBound)…\(Self.connectionRange.upperBound); found \(connections)")
        }
        guard (1...64).contains(eventLoops) else {
            throw LoadConfigurationError("--event-loops expects 1…64; found \(eventLoops)")
        }
        if let startAt, startAt.secondsFromNow < 0 {
            // Every arrival due before now would leave at once, late: the load would not be the scenario's.
            throw LoadConfigurationError(String(format: "--start-at %.3f has passed (%.3f s ago); give a time ahead, e.g. $(($(date +%%s) + 3))",
                                                startAt.unixSeconds, -startAt.secondsFromNow))
        }
    }
}
