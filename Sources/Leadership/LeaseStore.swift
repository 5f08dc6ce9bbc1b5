public import AWSCore
public import DynamoDBControl

/// Where the lease lives. Every write is conditional: it fails with `LeaseStoreError.conditionFailed` when the
/// record is not what the caller last saw.
public protocol LeaseStore: Sendable {
    /// The record, read strongly consistently; nil when there is none.
    func read() async throws(LeaseStoreError) -> LeaseRecord?
    /// Writes the first record of the lease; fails when one exists.
    func create(_ record: LeaseRecord) async throws(LeaseStoreError)
    /// Replaces the record whose version is `expected` (a released one, or one unchanged for a lease).
    func replace(expected: String, with record: LeaseRecord) async throws(LeaseStoreError)
    /// The holder's renewal: a new version, if `owner` still holds the record at `version`.
    func renew(owner: String, version: String, newVersion: String) async throws(LeaseStoreError)
    /// The holder lets the lease go: marked released (the fence number stays for the next holder).
    func release(owner: String, version: String, newVersion: String) async throws(LeaseStoreError)
}

/// Why a lease read or write failed.
public enum LeaseStoreError: Error, Sendable, Equatable {
    /// The record was not what the write expected: someone else wrote it.
    case conditionFailed
    /// The call failed (throttled, unreachable, denied, a timeout): the outcome of a write is unknown.
    case failed(AWSError)
}

/// The lease in a DynamoDB table (partition key `name`, S).
public struct DynamoDBLeaseStore: LeaseStore {
    let client: DynamoDBClient
    /// The lease table.
    public let table: String
    /// The lease item's name.
    public let name: String

    /// A store for the lease `name` in `table`.
    public init(client: DynamoDBClient, table: String, name: String) {
        self.client = client
        self.table = table
        self.name = name
    }

    typealias Attribute = LeaseRecord.Attribute

    var key: Item { [Attribute.name: .string(name)] }

    public func read() async throws(LeaseStoreError) -> LeaseRecord? {
        let item = try await run { () async throws(AWSError) in try await client.getItem(table: table, key: key) }
        return item.flatMap(LeaseRecord.init(item:)) ?? item.map { _ in Self.unreadable(name) }
    }

    /// A record Tablekeeper cannot read (written by something else): held by an unknown owner at a version no
    /// renewal will change, so it is replaced only after a whole lease, like a dead holder's.
    static func unreadable(_ name: String) -> LeaseRecord {
        LeaseRecord(name: name, owner: "(unreadable record)", version: "", fence: 0, leaseDurationMs: 0, since: "")
    }

    public func create(_ record: LeaseRecord) async throws(LeaseStoreError) {
        var record = record
        record.name = name
        try await run { () async throws(AWSError) in
            try await client.putItem(
                table: table,
                item: record.item,
                condition: Condition("attribute_not_exists(#n)", names: ["#n": Attribute.name])
            )
        }
    }

    public func replace(expected: String, with record: LeaseRecord) async throws(LeaseStoreError) {
        var record = record
        record.name = name
        try await run { () async throws(AWSError) in
            try await client.putItem(
                table: table,
                item: record.item,
                condition: Condition(
                    "attribute_exists(#n) AND #v = :expected",
                    names: ["#n": Attribute.name, "#v": Attribute.version],
                    values: [":expected": .string(expected)]
                )
            )
        }
    }

    public func renew(owner: String, version: String, newVersion: String) async throws(LeaseStoreError) {
        try await updateOwned(owner: owner, version: version, newVersion: newVersion, released: false)
    }

    public func release(owner: String, version: String, newVersion: String) async throws(LeaseStoreError) {
        try await updateOwned(owner: owner, version: version, newVersion: newVersion, released: true)
    }

    /// A new version (and the released mark) on the record `owner` holds at `version`; a renewal also requires that
    /// the record was not let go.
    private func updateOwned(
        owner: String,
        version: String,
        newVersion: String,
        released: Bool
    ) async throws(LeaseStoreError) {
        try await run { () async throws(AWSError) in
            try await client.updateItem(
                table: table,
                key: key,
                update: "SET #v = :new, #r = :released",
                condition: Condition(
                    "#o = :owner AND #v = :version" + (released ? "" : " AND #r = :released"),
                    names: ["#o": Attribute.owner, "#v": Attribute.version, "#r": Attribute.released],
                    values: [
                        ":owner": .string(owner), ":version": .string(version), ":new": .string(newVersion),
                        ":released": .bool(released),
                    ]
                )
            )
        }
    }

    private func run<T>(_ body: () async throws(AWSError) -> T) async throws(LeaseStoreError) -> T {
        do throws(AWSError) {
            return try await body()
        } catch  where error.code == "ConditionalCheckFailedException" {
            throw .conditionFailed
        } catch {
            throw .failed(error)
        }
    }
}
