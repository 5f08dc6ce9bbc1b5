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
        if let key = record.tableKey { lastTableRecords[key] = record }
    }

    /// Whether the last record of a table says Tablekeeper created it (`created`), or is completing the creation
    /// of a table that exists (a TTL `create` change, never the `table` create of a CreateTable that failed).
    public func isBeingCreated(_ key: String) -> Bool {
        guard let last = lastTableRecords[key] else { return false }
        if last.outcome == "created" { return true }
        let changes = last.changes ?? []
        return !changes.contains { $0.field == "table" } && changes.contains { $0.action == "create" }
    }

    /// The TTL attribute that a table's creation still has to set, from its last record (a `ttlAttribute`
    /// change whose action is `create`).
    public func creationTTL(_ key: String) -> String? {
        lastTableRecords[key]?.changes?.first { $0.field == "ttlAttribute" && $0.action == "create" }?.to
    }

    /// The fields a table's creation still has to set besides TTL (auto scaling), from its last record: its
    /// changes whose action is `create`, other than the table itself.
    public func creationFields(_ key: String) -> Set<String> {
        Set((lastTableRecords[key]?.changes ?? []).filter { $0.action == "create" && $0.field != "table" }.map(\.field))
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
