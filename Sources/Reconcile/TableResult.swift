public import FoundationEssentials
public import StatusLog
import UTCTime

/// How a table ends a cycle.
public enum Outcome: String, Sendable, Equatable, CaseIterable {
    case inSync = "in_sync"
    case created
    case updated
    case pending
    case flagged
    case invalid
    case failed
    /// Observed and reported, never changed (`"suspended": true`, or `tablekeeper suspend`).
    case suspended

    /// Whether a person must act (flagged, invalid, failed).
    public var needsAttention: Bool {
        self == .flagged || self == .invalid || self == .failed
    }
}

/// What happened to one table in one cycle.
public struct TableResult: Sendable, Equatable {
    /// The manifest path (nil for orphans).
    public var manifest: String?
    /// The table name (the file name for a manifest too broken to name its table).
    public var table: String
    /// The region.
    public var region: String
    /// The outcome.
    public var outcome: Outcome
    /// The changes found.
    public var changes: [Change]
    /// A human summary.
    public var message: String
    /// The error, for failed and invalid tables.
    public var error: String?
    /// Whether a call that changes AWS was made.
    public var actionTaken: Bool
    /// `created`: the table's `CreationDateTime` from CreateTable's answer.
    public var tableCreated: Date?

    /// Creates a result.
    public init(
        manifest: String?,
        table: String,
        region: String,
        outcome: Outcome,
        changes: [Change] = [],
        message: String,
        error: String? = nil,
        actionTaken: Bool = false
    ) {
        self.manifest = manifest
        self.table = table
        self.region = region
        self.outcome = outcome
        self.changes = changes
        self.message = message
        self.error = error
        self.actionTaken = actionTaken
    }

    /// The status-log record of this result.
    public func record(time: String, cycle: Int, revision: String?) -> StatusRecord {
        var record = StatusRecord(time: time, kind: .table)
        record.cycle = cycle
        record.revision = revision
        record.manifest = manifest
        record.table = table
        record.region = region
        record.outcome = outcome.rawValue
        record.changes = changes.map(\.record)
        record.message = message
        record.error = error
        record.tableCreated = tableCreated.map { UTCTime.format($0) }
        return record
    }
}
