/// The current state per table, as `tablekeeper status` shows it, rebuilt from the log's records.
public struct StatusSummary: Sendable {
    /// The last record of every current table, those needing a person first, then by region and name.
    public var tables: [StatusRecord]
    /// The last cycle record.
    public var lastCycle: StatusRecord?
    /// The last source record.
    public var lastSource: StatusRecord?
    /// The last leader record (with leader election): which daemon wrote this log, and whether it leads.
    public var lastLeader: StatusRecord?

    /// Outcomes that need a person.
    public static let attentionOutcomes: Set<String> = ["flagged", "invalid", "failed"]

    /// Summarises records (oldest first).
    ///
    /// A manifest's latest record supersedes its earlier ones under another table name (a rename, or an
    /// invalid manifest that was fixed), so only current tables are shown.
    public init(records: [StatusRecord]) {
        var byTable: [String: StatusRecord] = [:]
        var order: [String: Int] = [:]
        var latestByManifest: [String: (key: String, index: Int)] = [:]
        for (index, record) in records.enumerated() {
            switch record.kind {
            case .table:
                guard let key = record.tableKey else { continue }
                byTable[key] = record
                order[key] = index
                if let manifest = record.manifest { latestByManifest[manifest] = (key, index) }
            case .cycle:
                lastCycle = record
            case .source:
                lastSource = record
            case .leader:
                lastLeader = record
            }
        }
        let superseded = Set(
            byTable.compactMap { key, record -> String? in
                guard let manifest = record.manifest, let latest = latestByManifest[manifest], latest.key != key else {
                    return nil
                }
                return (order[key] ?? 0) < latest.index ? key : nil
            }
        )
        tables = byTable.filter { !superseded.contains($0.key) }.values.sorted { lhs, rhs in
            let leftAttention = Self.attentionOutcomes.contains(lhs.outcome ?? "")
            let rightAttention = Self.attentionOutcomes.contains(rhs.outcome ?? "")
            if leftAttention != rightAttention { return leftAttention }
            return (lhs.region ?? "", lhs.table ?? "") < (rhs.region ?? "", rhs.table ?? "")
        }
    }

    /// Whether any current table needs a person.
    public var needsAttention: Bool {
        tables.contains { Self.attentionOutcomes.contains($0.outcome ?? "") }
    }
}
