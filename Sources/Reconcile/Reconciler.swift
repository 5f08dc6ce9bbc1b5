public import AWSCore
public import DynamoDBControl
import FoundationEssentials
import GitSource
public import Logging
public import Manifest
public import StatusLog
public import TablekeeperConfig

/// Runs reconcile cycles: manifests from a snapshot, observe, plan, execute one safe step per table,
/// and write the status log.
public actor Reconciler {
    /// What a cycle needs besides the snapshot.
    public struct Settings: Sendable {
        /// What may be applied.
        public var policy: ReconcilePolicy
        /// Manifest defaults (region, encryption).
        public var defaults: ManifestDefaults
        /// Most AWS requests in flight.
        public var maxConcurrency: Int
        /// How often managed tables without a manifest are looked for; nil means every cycle.
        public var orphanSweepInterval: Duration?
        /// Regions swept for orphans besides those manifests name.
        public var extraRegions: [String]
        /// What a push may reach.
        public var scope: ReconcileScope
        /// How long TTL, PITR and tags may go unread for a table nothing points at (the rolling drift sweep).
        public var driftSweepInterval: Duration = .seconds(600)
        /// How long a KMS DescribeKey answer is reused.
        public var keyCacheTtl: Duration = .seconds(600)
        /// Read TTL, PITR and tags of every table every cycle (`plan`, `adopt`: one-off commands).
        public var observeEverything = false
        /// Suspensions from the command line, by table name (`*`: every table).
        public var suspensions: [String: Suspension] = [:]

        /// Creates settings.
        public init(
            policy: ReconcilePolicy,
            defaults: ManifestDefaults,
            maxConcurrency: Int = 16,
            orphanSweepInterval: Duration? = nil,
            extraRegions: [String] = [],
            scope: ReconcileScope = ReconcileScope()
        ) {
            self.policy = policy
            self.defaults = defaults
            self.maxConcurrency = maxConcurrency
            self.orphanSweepInterval = orphanSweepInterval
            self.extraRegions = extraRegions
            self.scope = scope
        }
    }

    var settings: Settings
    let controls: @Sendable (String) -> any TableControl
    let statusLog: StatusLogWriter?
    let logger: Logger
    var manifestCache = ManifestCache()
    var memory: [String: Executor.Memory] = [:]
    /// What was observed, kept between cycles (the observation budget).
    var cache = ObservationCache()
    /// Counts the requests of each cycle, when the controls report to it.
    let tally: RequestTally?
    var logState: StatusLogState
    var lastOrphanSweep: ContinuousClock.Instant?
    var lastOrphans: [TableResult] = []
    /// The manifest files of the last snapshot reconciled.
    var lastManifestPaths: Set<String> = []
    /// The suspensions in force, read before each table's step.
    var suspensionSource: (@Sendable () -> [String: Suspension])?

    /// Creates a reconciler; `statusLog` nil means a dry run that records nothing.
    ///
    /// - Parameter history: the status log's records, oldest first, so a restart repeats nothing.
    public init(
        settings: Settings,
        controls: @escaping @Sendable (String) -> any TableControl,
        statusLog: StatusLogWriter?,
        history: [StatusRecord] = [],
        tally: RequestTally? = nil,
        logger: Logger
    ) {
        self.settings = settings
        self.controls = controls
        self.statusLog = statusLog
        self.logState = StatusLogState(records: history)
        self.tally = tally
        self.logger = logger
    }

    /// Replaces the settings (after a configuration reload); suspensions from the command line are kept.
    public func update(settings: Settings) {
        let suspensions = self.settings.suspensions
        self.settings = settings
        self.settings.suspensions = suspensions
    }

    /// Suspensions from the command line, by table name (`*`: every table).
    public func setSuspensions(_ suspensions: [String: Suspension]) {
        settings.suspensions = suspensions
    }

    /// Where the suspensions in force are read right before each table's step (one made during a cycle holds
    /// the steps not yet made).
    public func setSuspensionSource(_ source: @escaping @Sendable () -> [String: Suspension]) {
        suspensionSource = source
    }

    /// The number of the last cycle written.
    public var lastCycle: Int { logState.lastCycle }
}

/// A table suspended from the command line: observed and reported, never changed.
public struct Suspension: Sendable, Equatable, Codable {
    /// Why, as the operator said.
    public var reason: String
    /// Who (the user that ran `tablekeeper suspend`).
    public var by: String
    /// When, as an RFC 3339 time.
    public var since: String

    /// Creates a suspension.
    public init(reason: String, by: String, since: String) {
        self.reason = reason
        self.by = by
        self.since = since
    }
}
