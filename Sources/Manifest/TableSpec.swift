/// A DynamoDB attribute type usable in a key.
public enum AttributeType: String, Sendable, Equatable, CaseIterable, Codable {
    case string = "S"
    case number = "N"
    case binary = "B"
}

/// A key attribute: its name and type.
public struct KeyAttribute: Sendable, Equatable, Hashable {
    /// The attribute name.
    public var name: String
    /// The attribute type.
    public var type: AttributeType

    /// Creates a key attribute.
    public init(name: String, type: AttributeType) {
        self.name = name
        self.type = type
    }
}

/// How a table is billed.
public enum BillingMode: String, Sendable, Equatable, CaseIterable {
    case provisioned = "PROVISIONED"
    case payPerRequest = "PAY_PER_REQUEST"
}

/// Provisioned read and write capacity.
public struct Throughput: Sendable, Equatable, Hashable {
    /// Read capacity units.
    public var read: Int64
    /// Write capacity units.
    public var write: Int64

    /// Creates a throughput.
    public init(read: Int64, write: Int64) {
        self.read = read
        self.write = write
    }
}

/// Which attributes an index projects.
public enum Projection: Sendable, Equatable, Hashable {
    case all
    case keysOnly
    /// The key attributes and the named non-key attributes (sorted, so comparisons ignore order).
    case include([String])

    /// The DynamoDB name of the projection type.
    public var typeName: String {
        switch self {
        case .all: "ALL"
        case .keysOnly: "KEYS_ONLY"
        case .include: "INCLUDE"
        }
    }

    /// A short human form, e.g. `INCLUDE(a,b)`.
    public var summary: String {
        if case .include(let names) = self { return "INCLUDE(\(names.joined(separator: ",")))" }
        return typeName
    }
}

/// A global secondary index as the manifest describes it.
public struct GlobalSecondaryIndex: Sendable, Equatable {
    /// The index name.
    public var name: String
    /// The index partition key.
    public var partitionKey: KeyAttribute
    /// The index sort key, if any.
    public var sortKey: KeyAttribute?
    /// The projection.
    public var projection: Projection
    /// Throughput, present exactly when the table is `PROVISIONED`.
    public var throughput: Throughput?
    /// Auto scaling, on-demand maximums and warm throughput.
    public var capacity: CapacitySpec

    /// Creates an index.
    public init(
        name: String,
        partitionKey: KeyAttribute,
        sortKey: KeyAttribute? = nil,
        projection: Projection = .all,
        throughput: Throughput? = nil,
        capacity: CapacitySpec = CapacitySpec()
    ) {
        self.name = name
        self.partitionKey = partitionKey
        self.sortKey = sortKey
        self.projection = projection
        self.throughput = throughput
        self.capacity = capacity
    }
}

/// A local secondary index: the table's partition key with another sort key.
public struct LocalSecondaryIndex: Sendable, Equatable {
    /// The index name.
    public var name: String
    /// The index sort key.
    public var sortKey: KeyAttribute
    /// The projection.
    public var projection: Projection

    /// Creates an index.
    public init(name: String, sortKey: KeyAttribute, projection: Projection = .all) {
        self.name = name
        self.sortKey = sortKey
        self.projection = projection
    }
}

/// What a DynamoDB stream records.
public enum StreamView: String, Sendable, Equatable, CaseIterable {
    case newImage = "NEW_IMAGE"
    case oldImage = "OLD_IMAGE"
    case newAndOldImages = "NEW_AND_OLD_IMAGES"
    case keysOnly = "KEYS_ONLY"
}

/// The storage class of a table.
public enum TableClass: String, Sendable, Equatable, CaseIterable {
    case standard = "STANDARD"
    case standardInfrequentAccess = "STANDARD_INFREQUENT_ACCESS"
}

/// The desired state of one table, decoded and validated from a manifest with defaults applied.
public struct TableSpec: Sendable, Equatable {
    /// The table name.
    public var tableName: String
    /// The AWS region of the table.
    public var region: String
    /// The partition (hash) key.
    public var partitionKey: KeyAttribute
    /// The sort (range) key, if any.
    public var sortKey: KeyAttribute?
    /// The billing mode.
    public var billingMode: BillingMode
    /// Table throughput, present exactly when `billingMode` is `.provisioned`.
    public var throughput: Throughput?
    /// Global secondary indexes in manifest order.
    public var globalSecondaryIndexes: [GlobalSecondaryIndex]
    /// Local secondary indexes in manifest order.
    public var localSecondaryIndexes: [LocalSecondaryIndex]
    /// The TTL attribute, or nil for no TTL.
    public var ttlAttribute: String?
    /// The stream view, or nil when streams are disabled.
    public var stream: StreamView?
    /// Whether point-in-time recovery is on.
    public var pointInTimeRecovery: Bool
    /// Whether deletion protection is on.
    public var deletionProtection: Bool
    /// The table class.
    public var tableClass: TableClass
    /// User tags (never `aws:` or `tablekeeper:` keys).
    public var tags: [String: String]
    /// Server-side encryption.
    public var encryption: EncryptionSpec
    /// Auto scaling, on-demand maximums and warm throughput of the table itself.
    public var capacity: CapacitySpec
    /// Replicas in other regions (a global table), in manifest order.
    public var replicas: [ReplicaSpec]
    /// Observed and reported, never changed.
    public var suspended = false

    /// Creates a spec with the manifest defaults for everything not given.
    public init(
        tableName: String,
        region: String,
        partitionKey: KeyAttribute,
        sortKey: KeyAttribute? = nil,
        billingMode: BillingMode = .payPerRequest,
        throughput: Throughput? = nil,
        globalSecondaryIndexes: [GlobalSecondaryIndex] = [],
        localSecondaryIndexes: [LocalSecondaryIndex] = [],
        ttlAttribute: String? = nil,
        stream: StreamView? = nil,
        pointInTimeRecovery: Bool = false,
        deletionProtection: Bool = false,
        tableClass: TableClass = .standard,
        tags: [String: String] = [:],
        encryption: EncryptionSpec = .kms,
        capacity: CapacitySpec = CapacitySpec(),
        replicas: [ReplicaSpec] = []
    ) {
        self.tableName = tableName
        self.region = region
        self.partitionKey = partitionKey
        self.sortKey = sortKey
        self.billingMode = billingMode
        self.throughput = throughput
        self.globalSecondaryIndexes = globalSecondaryIndexes
        self.localSecondaryIndexes = localSecondaryIndexes
        self.ttlAttribute = ttlAttribute
        self.stream = stream
        self.pointInTimeRecovery = pointInTimeRecovery
        self.deletionProtection = deletionProtection
        self.tableClass = tableClass
        self.tags = tags
        self.encryption = encryption
        self.capacity = capacity
        self.replicas = replicas
    }

    /// A replica's encryption: the table's type, with the replica's own key for `CUSTOMER_KEY`.
    public func encryption(of replica: ReplicaSpec) -> EncryptionSpec {
        encryption.type == .customerKey ? .customerKey(replica.kmsKeyArn ?? "") : encryption
    }

    /// A replica's table class (its own, else the table's).
    public func tableClass(of replica: ReplicaSpec) -> TableClass { replica.tableClass ?? tableClass }

    /// A replica's point-in-time recovery (its own, else the table's).
    public func pointInTimeRecovery(of replica: ReplicaSpec) -> Bool {
        replica.pointInTimeRecovery ?? pointInTimeRecovery
    }

    /// A replica's deletion protection (its own, else the table's).
    public func deletionProtection(of replica: ReplicaSpec) -> Bool { replica.deletionProtection ?? deletionProtection }

    /// Every attribute used by the table's and its indexes' keys, once each, sorted by name.
    public var keyAttributes: [KeyAttribute] {
        var byName: [String: AttributeType] = [partitionKey.name: partitionKey.type]
        if let sortKey { byName[sortKey.name] = sortKey.type }
        for index in globalSecondaryIndexes {
            byName[index.partitionKey.name] = index.partitionKey.type
            if let sortKey = index.sortKey { byName[sortKey.name] = sortKey.type }
        }
        for index in localSecondaryIndexes { byName[index.sortKey.name] = index.sortKey.type }
        return byName.map { KeyAttribute(name: $0.key, type: $0.value) }.sorted { $0.name < $1.name }
    }
}
