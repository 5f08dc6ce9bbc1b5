public import FoundationEssentials
import UTCTime

/// The last record of every table and the last cycle number, rebuilt from the log at start, so a restart
/// repeats nothing.
public struct StatusLogState: Sendable {
    /// The last table record per `region/table`.
    public private(set) var lastTableRecords: [String: StatusRecord] = [:]
    /// The highest cycle number seen.
    public private(set) var lastCycle = 0
    /// The revision of the last cycle or source record that named one.
    public private(set) var lastRevision: String?
    /// The last source record.
    public private(set) var lastSource: StatusRecord?
    /// What a table's creation still has to set (its `create` changes other than the table itself), kept across a
    /// `failed` record without changes (a read that failed says nothing of the creation).
    private var creation: [String: [ChangeRecord]] = [:]
    /// The tables whose CreateTable Tablekeeper made (a `created` record) and whose creation is not finished: the
    /// time of that record and the table's `CreationDateTime` CreateTable answered (`tableCreated`), which tells
    /// the table apart from a later one of the same name. A record without it falls back on time: a later record
    /// that creates the table again within `describeLag` (DescribeTable lags behind CreateTable, so the next cycle
    /// may find the table missing, send CreateTable again and be told it is in use) keeps it; later than that, the
    /// table was gone.
    private var madeHere: [String: (at: Date, table: Date?)] = [:]
    /// How long DescribeTable may answer "not found" after CreateTable (AWS documents seconds).
    static let describeLag: TimeInterval = 60

    /// An empty state.
    public init() {}

    /// The state implied by `records` (oldest first).
    public init(records: [StatusRecord]) {
        for record in records {
            observe(record)
        }
    }

    /// Takes a record into account.
    public mutating func observe(_ record: StatusRecord) {
        if let cycle = record.cycle { lastCycle = max(lastCycle, cycle) }
        if record.kind != .table, let revision = record.revision { lastRevision = revision }
        if record.kind == .source { lastSource = record }
        if let key = record.tableKey {
            lastTableRecords[key] = record
            let changes = record.changes ?? []
            let creates = changes.filter { $0.action == "create" && $0.field != "table" }
            let readFailed = record.outcome == "failed" && changes.isEmpty
            if !creates.isEmpty {
                creation[key] = creates
            } else if !readFailed {
                creation[key] = nil
            }
            let createsTable = changes.contains { $0.field == "table" && $0.action == "create" }
            if record.outcome == "created" {
                madeHere[key] = (record.date ?? .distantPast, record.tableCreated.flatMap(UTCTime.parse))
            } else if let made = madeHere[key], createsTable {
                // Found missing again. With the creation time CreateTable answered, the table tells itself apart
                // (see isBeingCreated); without it, within DescribeTable's lag it is the same table, later it
                // was deleted.
                let time = record.date ?? .distantFuture
                if made.table == nil, time.timeIntervalSince(made.at) > Self.describeLag { madeHere[key] = nil }
            } else if creation[key] == nil, !readFailed {
                madeHere[key] = nil
            }
        }
    }

    /// Whether Tablekeeper created the table (its `created` record) and has not finished its creation. A
    /// CreateTable that failed, or one answered "in use" without an earlier `created` record, never makes a table
    /// Tablekeeper's: the table of that name is someone else's until its tags say otherwise.
    ///
    /// - Parameter tableCreated: the `CreationDateTime` DescribeTable reports for the table of that name now: a
    ///   table made at another time is not the one Tablekeeper made (it was deleted and made again by someone).
    public func isBeingCreated(_ key: String, tableCreated: Date? = nil) -> Bool {
        guard let made = madeHere[key] else { return false }
        return Self.sameTable(made.table, tableCreated)
    }

    /// The `CreationDateTime` of the table whose creation Tablekeeper has not finished, when CreateTable said it.
    public func createdTable(_ key: String) -> Date? {
        madeHere[key]?.table
    }

    /// Whether two creation times name the same table (either unknown: nothing tells them apart).
    public static func sameTable(_ made: Date?, _ seen: Date?) -> Bool {
        guard let made, let seen else { return true }
        return abs(made.timeIntervalSince(seen)) < 1
    }

    /// The TTL attribute that a table's creation still has to set, from its last record (a `ttlAttribute`
    /// change whose action is `create`).
    public func creationTTL(_ key: String) -> String? {
        creation[key]?.first { $0.field == "ttlAttribute" }?.to
    }

    /// The fields a table's creation still has to set besides TTL (auto scaling), from its last record: its
    /// changes whose action is `create`, other than the table itself.
    public func creationFields(_ key: String) -> Set<String> {
        Set((creation[key] ?? []).map(\.field))
    }

    /// Whether a source record says something new: a failure that repeats every poll is written once.
    public func shouldWrite(source record: StatusRecord) -> Bool {
        guard let last = lastSource else { return true }
        return last.outcome != record.outcome || last.message != record.message || last.revision != record.revision
    }

    /// Whether a table record must be written: its outcome or changes differ from the last one, or an
    /// action was taken.
    public func shouldWrite(_ record: StatusRecord, actionTaken: Bool) -> Bool {
        if actionTaken { return true }
        guard let key = record.tableKey, let last = lastTableRecords[key] else { return true }
        return last.outcome != record.outcome || (last.changes ?? []) != (record.changes ?? [])
            || last.error != record.error || last.manifest != record.manifest
    }
}
