import Foundation

/// Lifecycle state of a stored run.
///
/// A run starts as ``running``; it becomes ``finished`` when its results are
/// written by ``ResultsStore/finishRun(id:metrics:series:replications:warmupNanos:summaryJSON:at:)``,
/// ``incomplete`` when interrupted, or ``failed`` when the simulation errored.
public enum RunStatus: String, Sendable, Hashable, CaseIterable {
    case running
    case finished
    case incomplete
    case failed
}

/// Everything known about a run when it starts, before any result exists.
public struct RunRecord: Sendable {
    /// The CLI command that produced the run, e.g. `run` or `gate`.
    public var command: String
    /// The scenario's `name`.
    public var scenarioName: String
    /// Where the scenario was loaded from, if it came from a file.
    public var scenarioPath: String?
    /// The full scenario text, kept so a run can be reproduced exactly.
    public var scenarioText: String
    /// Resolved parameters, stored as a JSON object in this order.
    public var parameters: [(String, String)]
    /// Command-line overrides, stored as a JSON object in this order.
    public var overrides: [(String, String)]
    /// Master random seed of the run.
    public var seed: UInt64
    /// Number of independent replications (of the whole run, when this is one shard of it).
    public var replications: Int
    /// Version of the tool that ran the simulation.
    public var toolVersion: String
    /// Which share of the replications this run computes; ``Shard/whole`` for an ordinary run.
    public var shard: Shard
    /// `YYYY-MM` for a `forecast` run (the scenario is adapted to that month), otherwise `nil`.
    public var forecastMonth: String?

    /// Creates a record of a run about to start.
    public init(
        command: String,
        scenarioName: String,
        scenarioPath: String? = nil,
        scenarioText: String,
        parameters: [(String, String)] = [],
        overrides: [(String, String)] = [],
        seed: UInt64,
        replications: Int,
        toolVersion: String,
        shard: Shard = .whole,
        forecastMonth: String? = nil
    ) {
        self.shard = shard
        self.forecastMonth = forecastMonth
        self.command = command
        self.scenarioName = scenarioName
        self.scenarioPath = scenarioPath
        self.scenarioText = scenarioText
        self.parameters = parameters
        self.overrides = overrides
        self.seed = seed
        self.replications = replications
        self.toolVersion = toolVersion
    }
}

/// One scalar result of a run, for one replication or aggregated over all of them.
///
/// Values must not be NaN: SQLite stores NaN as NULL, which the schema rejects.
public struct MetricRow: Sendable, Hashable {
    /// Metric name, e.g. `latency_p99_s`.
    public var name: String
    /// Replication index, or `nil` for the aggregate over all replications.
    public var replication: Int?
    /// The point estimate.
    public var value: Double
    /// Lower bound of the confidence interval, if one was computed.
    public var ciLow: Double?
    /// Upper bound of the confidence interval, if one was computed.
    public var ciHigh: Double?

    /// Creates a metric row.
    public init(name: String, replication: Int?, value: Double, ciLow: Double? = nil, ciHigh: Double? = nil) {
        self.name = name
        self.replication = replication
        self.value = value
        self.ciLow = ciLow
        self.ciHigh = ciHigh
    }
}

/// One point of a time series: the value of a named metric over one time window
/// of one replication.
public struct SeriesRow: Sendable, Hashable {
    /// Replication index.
    public var replication: Int
    /// Simulated time at which the window starts, in seconds.
    public var windowStartSeconds: Double
    /// Series name, e.g. `throughput_rps`.
    public var name: String
    /// Value over the window.
    public var value: Double

    /// Creates a series point.
    public init(replication: Int, windowStartSeconds: Double, name: String, value: Double) {
        self.replication = replication
        self.windowStartSeconds = windowStartSeconds
        self.name = name
        self.value = value
    }
}

/// A run as read back from the store.
public struct StoredRun: Sendable, Hashable {
    /// Row id, increasing with creation order.
    public var id: Int64
    /// When the run began (stored as ISO-8601 UTC with milliseconds).
    public var createdAt: Date
    /// When the run left the `running` state, if it has.
    public var finishedAt: Date?
    /// The CLI command that produced the run.
    public var command: String
    /// The scenario's `name`.
    public var scenarioName: String
    /// Where the scenario was loaded from, if known.
    public var scenarioPath: String?
    /// The full scenario text.
    public var scenarioText: String
    /// Lowercase hex SHA-256 of the UTF-8 scenario text.
    public var scenarioSHA256: String
    /// Parameters as a JSON object, keys in the order they were given.
    public var parametersJSON: String
    /// Overrides as a JSON object, keys in the order they were given.
    public var overridesJSON: String
    /// Master random seed.
    public var seed: UInt64
    /// Number of replications.
    public var replications: Int
    /// Current lifecycle state.
    public var status: RunStatus
    /// Caller-provided JSON summary, present once the run finished.
    public var summaryJSON: String?
    /// Version of the tool that ran the simulation.
    public var toolVersion: String
    /// Which shard of how many the run is (1/1 for an ordinary run); `nil` for runs stored before schema
    /// version 3, which have no per-replication data.
    public var shard: Shard?
    /// The warm-up its replications used, in nanoseconds (decided at run time under MSER-5), once finished;
    /// `nil` before schema version 3.
    public var warmupNanos: Int64?
    /// `YYYY-MM` of a `forecast` run.
    public var forecastMonth: String?

    /// Creates a stored run value; normally produced by ``ResultsStore``.
    public init(
        id: Int64,
        createdAt: Date,
        finishedAt: Date?,
        command: String,
        scenarioName: String,
        scenarioPath: String?,
        scenarioText: String,
        scenarioSHA256: String,
        parametersJSON: String,
        overridesJSON: String,
        seed: UInt64,
        replications: Int,
        status: RunStatus,
        summaryJSON: String?,
        toolVersion: String,
        shard: Shard? = nil,
        warmupNanos: Int64? = nil,
        forecastMonth: String? = nil
    ) {
        self.shard = shard
        self.warmupNanos = warmupNanos
        self.forecastMonth = forecastMonth
        self.id = id
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.command = command
        self.scenarioName = scenarioName
        self.scenarioPath = scenarioPath
        self.scenarioText = scenarioText
        self.scenarioSHA256 = scenarioSHA256
        self.parametersJSON = parametersJSON
        self.overridesJSON = overridesJSON
        self.seed = seed
        self.replications = replications
        self.status = status
        self.summaryJSON = summaryJSON
        self.toolVersion = toolVersion
    }
}

/// One replication's complete results, as stored for merging shards and re-reporting: its index, its derived
/// seed and its ``RunSummary`` serialised as JSON (see ``RunSummary/storedJSON()``).
public struct ReplicationRow: Sendable, Hashable {
    /// Replication index within the whole run (not within a shard).
    public var replication: Int
    /// The replication's own seed, derived from the run seed and the index.
    public var seed: UInt64
    /// The serialised summary.
    public var summaryJSON: String

    public init(replication: Int, seed: UInt64, summaryJSON: String) {
        self.replication = replication
        self.seed = seed
        self.summaryJSON = summaryJSON
    }
}
