/// How a live gateway is run: where it listens and the files and upstreams it uses (the scenario gives the rest).
public struct GatewayOptions: Sendable {
    public var listen: ListenAddress
    /// `--upstreams BASE`: every provider at `BASE/<provider>/v1` (the provider emulator's layout).
    public var upstreamsBase: String?
    /// `--keys FILE`: client keys (SHA-256 digests, users, teams, scopes). Without keys only loopback clients are served.
    public var keysFile: String?
    /// `--state FILE`: SQLite file keeping each budget window's spend across restarts.
    public var statePath: String?
    /// `--audit-log FILE`: one JSON line per call.
    public var auditLogPath: String?
    /// Largest request body accepted, bytes (larger: 413).
    public var maximumBodyBytes: Int
    /// The environment the upstream keys are read from.
    public var environment: [String: String]
    /// `--speed K`: gateway time runs K times faster than wall time (see ``GatewayClock``), for a gateway in
    /// front of the provider emulator at the same speed. 1 in front of real providers.
    public var speed: Double

    public init(listen: ListenAddress, upstreamsBase: String? = nil, keysFile: String? = nil, statePath: String? = nil,
                auditLogPath: String? = nil, maximumBodyBytes: Int = 1 << 20, environment: [String: String] = [:],
                speed: Double = 1) {
        self.listen = listen
        self.upstreamsBase = upstreamsBase
        self.keysFile = keysFile
        self.statePath = statePath
        self.auditLogPath = auditLogPath
        self.maximumBodyBytes = maximumBodyBytes
        self.environment = environment
        self.speed = speed
    }
}
