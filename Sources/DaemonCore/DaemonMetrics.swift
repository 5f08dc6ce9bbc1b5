public import AWSCore
import FoundationEssentials
import Metrics
public import Prometheus
public import Reconcile
import StatusLog
import Synchronization

/// The daemon's metrics, recorded through swift-metrics and served by swift-prometheus.
public struct DaemonMetrics: Sendable {
    /// Histogram buckets, in seconds, for cycles and git fetches.
    static let durationBuckets: [Duration] = [
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120),
    ]

    /// A Prometheus factory over `registry`, with this daemon's histogram buckets.
    public static func factory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = durationBuckets
        return factory
    }

    let registry: PrometheusCollectorRegistry
    let cycles: Prometheus.Counter
    let cycleDuration: DurationHistogram
    let tables: [String: Prometheus.Gauge]
    let gitFetchDuration: DurationHistogram
    let gitFetchFailures: Prometheus.Counter
    let lastSuccess: Prometheus.Gauge
    let statusLogWritable: Prometheus.Gauge
    let notifyDropped: Prometheus.Counter
    let leaderChanges: Prometheus.Counter
    let sourceInterval: Prometheus.Gauge
    /// Each table's latest outcome (`region/table`), for the tables-per-outcome gauges.
    let latest = LatestOutcomes()
    let notificationsDropped: Prometheus.Counter

    /// `name` split for the registry (`tablekeeper_cycles` + `total`), with its HELP text.
    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        let unit = name.split(separator: "_").last.map(String.init) ?? ""
        return MetricNameDescriptor(metricName: String(name.dropLast(unit.count + 1)), unitName: unit, helpText: help)
    }

    /// Every metric the daemon exports, with its HELP text (what the alert rules and the dashboard may name).
    public static let help: [String: String] = [
        "tablekeeper_cycles_total": "Reconcile cycles finished.",
        "tablekeeper_cycle_duration_seconds": "How long each reconcile cycle took.",
        "tablekeeper_tables": "Tables by the outcome of the last cycle.",
        "tablekeeper_git_fetch_duration_seconds": "How long each git fetch took.",
        "tablekeeper_git_fetch_failures_total": "Git fetches that failed.",
        "tablekeeper_last_successful_cycle_timestamp_seconds":
            "Unix time of the last cycle that read the source and had no failed table.",
        "tablekeeper_status_log_writable": "1 while the status log can be written, 0 when it cannot.",
        "tablekeeper_notify_dropped_total": "systemd notifications dropped because the notify socket was full.",
        "tablekeeper_leader": "1 while this daemon holds the leader lease, 0 while it stands by.",
        "tablekeeper_leader_changes_total": "Times this daemon became leader or stopped being leader.",
        "tablekeeper_aws_requests_total": "AWS requests by service, operation and error code (ok on success).",
        "tablekeeper_aws_throttled_total": "AWS answers that throttled a request.",
        "tablekeeper_source_interval_seconds": "The configured source.interval: how often a cycle is due.",
        "tablekeeper_notifications_dropped_total":
            "Notifications dropped: the oldest of a full queue, or one that failed every attempt.",
    ]

    static func describe(_ name: String) -> MetricNameDescriptor {
        descriptor(name, help[name] ?? "")
    }

    /// Creates the metrics in `registry`, each with its HELP text.
    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        cycles = registry.makeCounter(descriptor: Self.describe("tablekeeper_cycles_total"))
        cycleDuration = registry.makeDurationHistogram(
            descriptor: Self.describe("tablekeeper_cycle_duration_seconds"),
            labels: [],
            buckets: Self.durationBuckets
        )
        tables = Dictionary(
            uniqueKeysWithValues: StatusRecord.outcomes.map {
                ($0, registry.makeGauge(descriptor: Self.describe("tablekeeper_tables"), labels: [("outcome", $0)]))
            }
        )
        gitFetchDuration = registry.makeDurationHistogram(
            descriptor: Self.describe("tablekeeper_git_fetch_duration_seconds"),
            labels: [],
            buckets: Self.durationBuckets
        )
        gitFetchFailures = registry.makeCounter(descriptor: Self.describe("tablekeeper_git_fetch_failures_total"))
        lastSuccess = registry.makeGauge(
            descriptor: Self.describe("tablekeeper_last_successful_cycle_timestamp_seconds")
        )
        statusLogWritable = registry.makeGauge(descriptor: Self.describe("tablekeeper_status_log_writable"))
        notifyDropped = registry.makeCounter(descriptor: Self.describe("tablekeeper_notify_dropped_total"))
        leaderChanges = registry.makeCounter(descriptor: Self.describe("tablekeeper_leader_changes_total"))
        sourceInterval = registry.makeGauge(descriptor: Self.describe("tablekeeper_source_interval_seconds"))
        notificationsDropped = registry.makeCounter(
            descriptor: Self.describe("tablekeeper_notifications_dropped_total")
        )
        statusLogWritable.set(to: 1.0)
    }

    /// The election's state: `tablekeeper_leader{identity}` 1 while this daemon leads; a change of role counted.
    public func leadership(identity: String, isLeader: Bool, changed: Bool) {
        registry.makeGauge(descriptor: Self.describe("tablekeeper_leader"), labels: [("identity", identity)])
            .set(to: isLeader ? 1.0 : 0.0)
        if changed { leaderChanges.increment() }
    }

    /// The configured interval (at start and after a reload), for alerts on late cycles.
    public func configured(interval: Duration) {
        sourceInterval.set(to: Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18)
    }

    /// A notification to a receiver was dropped.
    public func notificationLost() {
        notificationsDropped.increment()
    }

    /// A systemd notification was dropped (the receiver's queue was full).
    public func notificationDropped() {
        notifyDropped.increment()
    }

    /// A git poll finished.
    public func gitPolled(duration: Duration, failed: Bool) {
        gitFetchDuration.record(duration)
        if failed { gitFetchFailures.increment() }
    }

    /// A cycle finished. A cycle succeeds when the source was read, its head commit accepted, and no table failed.
    /// Tables per outcome: each table's latest outcome, a full cycle's replacing them all and a requeue's (which
    /// looks only at the tables with work left) updating those it looked at.
    public func cycleFinished(
        _ report: CycleReport,
        statusLogWritable writable: Bool,
        duration: Duration,
        full: Bool = true
    ) {
        cycles.increment()
        cycleDuration.record(duration)
        let counts = latest.outcomes.withLock { latest -> [String: Int] in
            if full { latest = [:] }
            for result in report.results { latest["\(result.region)/\(result.table)"] = result.outcome.rawValue }
            var counts: [String: Int] = [:]
            for outcome in latest.values { counts[outcome, default: 0] += 1 }
            return counts
        }
        for (outcome, gauge) in tables {
            gauge.set(to: Double(counts[outcome] ?? 0))
        }
        statusLogWritable.set(to: writable ? 1.0 : 0.0)
        if report.sourceError == nil, report.sourceRejection == nil, (report.counts["failed"] ?? 0) == 0 {
            lastSuccess.set(to: Date().timeIntervalSince1970)
        }
    }
}

/// Counts AWS requests by service, operation and error code (`ok` on success).
public final class AWSRequestMetrics: AWSRequestObserver {
    // One counter per label set, made once: this runs for every AWS request.
    private let counters = Mutex<[String: Prometheus.Counter]>([:])
    /// Throttling answers (ThrottlingException and the like): with the client's pacing, this stays at zero
    /// unless something else spends the account's budget.
    private let throttled: Prometheus.Counter
    private let registry: PrometheusCollectorRegistry

    /// Creates the observer's counters in `registry`.
    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        throttled = registry.makeCounter(descriptor: DaemonMetrics.describe("tablekeeper_aws_throttled_total"))
    }

    public func requestFinished(service: String, operation: String, errorCode: String?) {
        if let errorCode, AWSError.isThrottlingCode(errorCode) { throttled.increment() }
        let code = errorCode.map(AWSError.metricLabel) ?? "ok"
        let counter = counters.withLock { counters in
            let key = "\(service) \(operation) \(code)"
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(
                descriptor: DaemonMetrics.describe("tablekeeper_aws_requests_total"),
                labels: [("service", service), ("operation", operation), ("code", code)]
            )
            counters[key] = counter
            return counter
        }
        counter.increment()
    }
}

/// Each table's latest outcome, shared by the copies of `DaemonMetrics`.
final class LatestOutcomes: Sendable {
    let outcomes = Mutex<[String: String]>([:])
}
