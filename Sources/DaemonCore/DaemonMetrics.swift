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

    let cycles = Counter(label: "tablekeeper_cycles_total")
    let cycleDuration = Metrics.Timer(label: "tablekeeper_cycle_duration_seconds")
    let tables = Dictionary(
        uniqueKeysWithValues: StatusRecord.outcomes.map {
            ($0, Gauge(label: "tablekeeper_tables", dimensions: [("outcome", $0)]))
        }
    )
    let gitFetchDuration = Metrics.Timer(label: "tablekeeper_git_fetch_duration_seconds")
    let gitFetchFailures = Counter(label: "tablekeeper_git_fetch_failures_total")
    let lastSuccess = Gauge(label: "tablekeeper_last_successful_cycle_timestamp_seconds")
    let statusLogWritable = Gauge(label: "tablekeeper_status_log_writable")
    let notifyDropped = Counter(label: "tablekeeper_notify_dropped_total")
    let leaderChanges = Counter(label: "tablekeeper_leader_changes_total")

    /// Creates the metrics; `MetricsSystem` must be bootstrapped first.
    public init() {
        statusLogWritable.record(1)
    }

    /// A systemd notification was dropped (the receiver's queue was full).
    /// The election's state: `tablekeeper_leader{identity}` 1 while this daemon leads; a change of role counted.
    public func leadership(identity: String, isLeader: Bool, changed: Bool) {
        Gauge(label: "tablekeeper_leader", dimensions: [("identity", identity)]).record(isLeader ? 1 : 0)
        if changed { leaderChanges.increment() }
    }

    public func notificationDropped() {
        notifyDropped.increment()
    }

    /// A git poll finished.
    public func gitPolled(duration: Duration, failed: Bool) {
        gitFetchDuration.record(duration: duration)
        if failed { gitFetchFailures.increment() }
    }

    /// A cycle finished. A cycle succeeds when the source was read, its head commit accepted, and no table failed.
    public func cycleFinished(_ report: CycleReport, statusLogWritable writable: Bool, duration: Duration) {
        cycles.increment()
        cycleDuration.record(duration: duration)
        for (outcome, gauge) in tables {
            gauge.record(report.counts[outcome] ?? 0)
        }
        statusLogWritable.record(writable ? 1 : 0)
        if report.sourceError == nil, report.sourceRejection == nil, (report.counts["failed"] ?? 0) == 0 {
            lastSuccess.record(Date().timeIntervalSince1970)
        }
    }
}

/// Counts AWS requests by service, operation and error code (`ok` on success).
public final class AWSRequestMetrics: AWSRequestObserver {
    // One counter per label set, made once: this runs for every AWS request.
    private let counters = Mutex<[String: Metrics.Counter]>([:])
    /// Throttling answers (ThrottlingException and the like): with the client's pacing, this stays at zero
    /// unless something else spends the account's budget.
    private let throttled = Metrics.Counter(label: "tablekeeper_aws_throttled_total")

    /// Creates the observer; `MetricsSystem` must be bootstrapped first.
    public init() {}

    public func requestFinished(service: String, operation: String, errorCode: String?) {
        if let errorCode, AWSError.isThrottlingCode(errorCode) { throttled.increment() }
        let code = errorCode.map(AWSError.metricLabel) ?? "ok"
        let counter = counters.withLock { counters in
            let key = "\(service) \(operation) \(code)"
            if let counter = counters[key] { return counter }
            let counter = Metrics.Counter(
                label: "tablekeeper_aws_requests_total",
                dimensions: [("service", service), ("operation", operation), ("code", code)]
            )
            counters[key] = counter
            return counter
        }
        counter.increment()
    }
}
