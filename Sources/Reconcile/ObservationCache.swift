import DynamoDBControl
import FoundationEssentials

/// What the reads beyond DescribeTable said of a table, kept between cycles: TTL, point-in-time recovery and
/// tags change rarely, so they are read on the drift sweep and when something points at the table.
struct TableExtras: Sendable {
    var timeToLive: TimeToLiveDescription
    var backups: ContinuousBackupsDescription
    var tags: [TagShape]
    var readAt: ContinuousClock.Instant
}

/// The reconciler's memory of what it observed: the extras, the last DescribeTable answers, the manifests'
/// blobs, the tables that need a full read next time, and KMS keys.
struct ObservationCache: Sendable {
    var extras: [String: TableExtras] = [:]
    var descriptions: [String: TableDescription] = [:]
    var blobs: [String: String] = [:]
    /// Tables acted on, pending or failed in the last cycle: read fully next time.
    var attention: Set<String> = []
    /// Tables whose tags were changed: confirmed with ListTagsOfResource (GetResources lags).
    var tagsChanged: Set<String> = []
    var keys: [RegionKey: (metadata: KeyMetadata, readAt: ContinuousClock.Instant)] = [:]
    var lastObservation: ContinuousClock.Instant?
    /// Regions where GetResources was denied (logged once; ListTagsOfResource is used there).
    var taggingDenied: Set<String> = []

    /// The tables to read fully on the rolling drift sweep: those not read for `interval`, and at least the share
    /// of the others that keeps every table within `interval` (oldest first), so the sweep's reads spread
    /// evenly over the cycles instead of arriving all at once.
    func sweep(candidates: [String], interval: Duration, now: ContinuousClock.Instant) -> Set<String> {
        let known = candidates.compactMap { key in extras[key].map { (key, $0.readAt) } }
        guard !known.isEmpty else { return [] }
        let elapsed = lastObservation.map { min(now - $0, interval) } ?? interval
        let share = Int((Double(known.count) * (elapsed / interval)).rounded(.up))
        let overdue = known.filter { now - $0.1 >= interval }.count
        let count = min(known.count, max(share, overdue))
        return Set(known.sorted { $0.1 < $1.1 }.prefix(count).map(\.0))
    }
}
