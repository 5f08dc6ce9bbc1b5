/// One change of a table record: what differs and what Tablekeeper does about it.
public struct ChangeRecord: Sendable, Equatable, Hashable {
    /// The field, e.g. `encryption`, `globalSecondaryIndexes.gsi-status`.
    public var field: String
    /// What AWS has (human form).
    public var from: String
    /// What the manifest asks for.
    public var to: String
    /// `create`, `update` or `flag`.
    public var action: String
    /// For flags: `requires-replacement`, `encryption`, `destructive`, `orphaned`, `rate-limited`, `policy`.
    public var reason: String?

    /// Creates a change record.
    public init(field: String, from: String, to: String, action: String, reason: String? = nil) {
        self.field = field
        self.from = from
        self.to = to
        self.action = action
        self.reason = reason
    }
}

/// A status log record (`"v": 1`), one JSON object per line.
public struct StatusRecord: Sendable, Equatable {
    /// The record kind.
    public enum Kind: String, Sendable, Equatable {
        case table
        case cycle
        case source
        case leader
    }

    /// Format version, always 1.
    public var version = 1
    /// ISO 8601 UTC time with milliseconds.
    public var time: String
    /// The kind.
    public var kind: Kind
    /// The cycle number (table and cycle records).
    public var cycle: Int?
    /// The git revision the record was made from.
    public var revision: String?
    /// Table records: the manifest path.
    public var manifest: String?
    /// Table records: the table name.
    public var table: String?
    /// Table records: the region.
    public var region: String?
    /// Table and source records: the outcome.
    public var outcome: String?
    /// Table records: the changes.
    public var changes: [ChangeRecord]?
    /// A human message.
    public var message: String?
    /// Table records: the error, when the outcome is `failed` or `invalid`.
    public var error: String?
    /// `created` records: the table's `CreationDateTime` as CreateTable answered it, which tells the table
    /// Tablekeeper made from a later one of the same name.
    public var tableCreated: String?
    /// Cycle records: `start`, `poll`, `webhook`, `requeue`, `reload`, `once`.
    public var trigger: String?
    /// Cycle records: how long the cycle took.
    public var durationMs: Int?
    /// Cycle records: tables per outcome.
    public var counts: [String: Int]?
    /// Cycle records: AWS requests made, by operation (every attempt).
    public var requests: [String: Int]?
    /// Leader records: `acquired`, `renewed-after-gap`, `lost` or `standby`.
    public var event: String?
    /// Leader records: the identity of the daemon that wrote the record.
    public var identity: String?
    /// Leader records: the daemon holding the lease, as far as the writer knows.
    public var leader: String?
    /// The fence number of the lease the writer held (with leader election); any kind.
    public var fence: Int?

    /// Creates a record of a kind at a time; set the other fields as the kind needs.
    public init(time: String, kind: Kind) {
        self.time = time
        self.kind = kind
    }

    /// The key that identifies a table across records: `region/table`.
    public var tableKey: String? {
        guard kind == .table, let table else { return nil }
        return "\(region ?? "")/\(table)"
    }

    /// The outcomes in the order `counts` lists them.
    public static let outcomes = [
        "in_sync", "created", "updated", "pending", "flagged", "invalid", "failed", "suspended",
    ]
}
