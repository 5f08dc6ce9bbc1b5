import DynamoDBControl
import FoundationEssentials

/// What the reads beyond DescribeTable said of a table, kept between cycles: TTL, point-in-time recovery and
/// tags change rarely, so they are read on the drift sweep and when something points at the table.
struct TableExtras: Sendable {
    var timeToLive: TimeToLiveDescription
    var backups: ContinuousBackupsDescription
    var tags: [TagShape]
    var readAt: ContinuousClock.Instant
    /// The replica tables in their regions, by region (a global table's).
    var replicas: [String: ReplicaRead] = [:]

    /// Tags alone (the orphan sweep reads nothing else): TTL and backups as a table without them.
    static func tagsOnly(_ tags: [TagShape]) -> TableExtras {
        TableExtras(
            timeToLive: TimeToLiveDescription(TimeToLiveStatus: "DISABLED", AttributeName: nil),
            backups: ContinuousBackupsDescription(),
            tags: tags,
            readAt: .now
        )
    }
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
    /// Regions where GetResources was denied (logged once; ListTagsOfResource is used there).
    var taggingDenied: Set<String> = []
    /// Each region's auto scaling (targets and policies by table), and when it was read.
    var scaling: [String: (tables: [String: ObservedScaling], readAt: ContinuousClock.Instant)] = [:]
    /// Regions whose auto scaling Tablekeeper changed (or whose tables' billing it switched): read next cycle.
    var scalingDirty: Set<String> = []
    /// Regions where reading auto scaling failed last time (logged once until it works again).
    var scalingFailing: Set<String> = []
    /// The replica tables of global tables, read in their regions, by table, and when.
    var replicaReads: [String: (reads: [String: ReplicaRead], readAt: ContinuousClock.Instant)] = [:]
    /// Global tables whose replicas Tablekeeper changed: their replica tables are read next cycle.
    var replicaAttention: Set<String> = []
    /// Tables whose capacity differs from the manifest where no target owns it, as a read of auto scaling found
    /// them (the observed and wanted capacities): the same difference does not make the region be read again.
    var capacityChecked: [String: String] = [:]

    /// Where the rolling sweep was at the last observation, in sweep intervals since the first one.
    var sweepLaps: Double?
    var sweepEpoch: ContinuousClock.Instant?

    /// The tables to read fully on the rolling drift sweep. Each table has a fixed place in the interval (from a
    /// hash of its name), and a cycle reads the tables whose place the sweep passed since the last cycle: every
    /// table once per interval, the reads spread evenly over the cycles whatever their length, never in waves.
    /// A table read in the last half interval is skipped (its next turn comes); one not read for one and a half
    /// intervals is read whatever its place.
    mutating func sweep(candidates: [String], interval: Duration, now: ContinuousClock.Instant) -> Set<String> {
        let epoch = sweepEpoch ?? now
        sweepEpoch = epoch
        let laps = (now - epoch) / interval
        defer { sweepLaps = laps }
        var chosen: Set<String> = []
        for key in candidates {
            guard let extras = extras[key] else { continue }
            let age = now - extras.readAt
            if age >= interval * 1.5 {
                chosen.insert(key)
                continue
            }
            // Read in the last half interval (something pointed at it, or a long cycle read everything): not again.
            guard let previous = sweepLaps, age >= interval * 0.5 else { continue }
            if laps - previous >= 1 {
                chosen.insert(key)
                continue
            }
            // The place is passed when some whole number k puts k + place in (previous, laps].
            let place = Self.place(of: key)
            if (laps - place).rounded(.down) > (previous - place).rounded(.down) { chosen.insert(key) }
        }
        return chosen
    }

    /// A table's place in the sweep, in [0, 1): FNV-1a of its `region/name` with splitmix64's finalizer (names
    /// that differ only at the end still land far apart), stable across restarts.
    static func place(of key: String) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        hash ^= hash >> 31
        return Double(hash >> 11) / Double(1 << 53)
    }
}
