public import DynamoDBControl
public import FoundationEssentials
public import Manifest

/// A global secondary index as DynamoDB reports it.
public struct ObservedGlobalIndex: Sendable, Equatable {
    /// The index name.
    public var name: String
    /// Its partition key (type from the table's attribute definitions; `S` if unknown).
    public var partitionKey: KeyAttribute?
    /// Its sort key.
    public var sortKey: KeyAttribute?
    /// Its projection.
    public var projection: Projection
    /// Its throughput when the table is provisioned.
    public var throughput: Throughput?
    /// `CREATING`, `UPDATING`, `DELETING` or `ACTIVE`.
    public var status: String
    /// On-demand maximums as reported (a member absent means no limit).
    public var onDemand: OnDemandLimits?
    /// Warm throughput as reported.
    public var warm: WarmThroughputSpec?
    /// The warm throughput's `Status` (`UPDATING` while DynamoDB prepares a raise).
    public var warmStatus: String?

    /// Creates an index.
    public init(
        name: String,
        partitionKey: KeyAttribute?,
        sortKey: KeyAttribute?,
        projection: Projection,
        throughput: Throughput?,
        status: String
    ) {
        self.name = name
        self.partitionKey = partitionKey
        self.sortKey = sortKey
        self.projection = projection
        self.throughput = throughput
        self.status = status
    }
}

/// Server-side encryption as DynamoDB reports it.
public enum ObservedEncryption: Sendable, Equatable {
    /// No `SSEDescription` (or a disabled one): the AWS owned key.
    case awsOwned
    /// KMS with this key ARN (the AWS managed key or a customer key).
    case kmsKey(String)
}

/// Everything the reconciler compares, as DynamoDB, its TTL, backup and tag APIs report it.
public struct ObservedTable: Sendable, Equatable {
    /// The table name.
    public var name: String
    /// The region.
    public var region: String
    /// The table ARN.
    public var arn: String
    /// `TableStatus`.
    public var status: String
    /// The partition key.
    public var partitionKey: KeyAttribute?
    /// The sort key.
    public var sortKey: KeyAttribute?
    /// Billing mode (absent summary means provisioned).
    public var billingMode: BillingMode
    /// Table throughput when provisioned.
    public var throughput: Throughput?
    /// Global secondary indexes.
    public var globalIndexes: [ObservedGlobalIndex]
    /// Local secondary indexes.
    public var localIndexes: [LocalSecondaryIndex]
    /// Stream view, nil when disabled.
    public var stream: StreamView?
    /// The current stream's ARN (`LatestStreamArn`), when reported.
    public var streamArn: String?
    /// When the table was made (`CreationDateTime`): tells a table apart from a later one of the same name.
    public var created: Date?
    /// Throughput decreases made today and the last one (`ProvisionedThroughput`), for when AWS allows the next.
    public var decreasesToday = 0
    /// When throughput was last decreased.
    public var lastDecrease: Date?
    /// When the table was last switched to on-demand (`BillingModeSummary.LastUpdateToPayPerRequestDateTime`).
    public var lastSwitchToOnDemand: Date?
    /// When DynamoDB found the table's KMS key inaccessible (`SSEDescription.InaccessibleEncryptionDateTime`).
    public var inaccessibleSince: Date?
    /// Encryption.
    public var encryption: ObservedEncryption
    /// `SSEDescription.Status` (`UPDATING` while a key switch runs).
    public var encryptionStatus: String?
    /// Table class.
    public var tableClass: TableClass
    /// Deletion protection.
    public var deletionProtection: Bool
    /// TTL attribute when TTL is enabled or enabling.
    public var ttlAttribute: String?
    /// `TimeToLiveStatus`.
    public var ttlStatus: String
    /// Point-in-time recovery.
    public var pointInTimeRecovery: Bool
    /// All tags, including `aws:` and `tablekeeper:` ones.
    public var tags: [String: String]
    /// On-demand maximums as reported (a member absent means no limit).
    public var onDemand: OnDemandLimits?
    /// Warm throughput as reported.
    public var warm: WarmThroughputSpec?
    /// The warm throughput's `Status` (`UPDATING` while DynamoDB prepares a raise).
    public var warmStatus: String?
    /// The table's and its indexes' auto scaling, from the region's Application Auto Scaling read.
    public var scaling = ObservedScaling()
    /// The replicas of a global table (other regions), from `Replicas`.
    public var replicas: [ObservedReplica] = []
    /// `GlobalTableVersion` (`2019.11.21`; `2017.11.29` is the legacy version).
    public var globalTableVersion: String?
    /// Set when the region's auto scaling could not be read: capacity is then not compared (it may belong to
    /// auto scaling).
    public var scalingUnknown: String?

    /// Creates an observed table from its parts.
    public init(
        name: String,
        region: String,
        arn: String,
        status: String,
        partitionKey: KeyAttribute?,
        sortKey: KeyAttribute?,
        billingMode: BillingMode,
        throughput: Throughput?,
        globalIndexes: [ObservedGlobalIndex],
        localIndexes: [LocalSecondaryIndex],
        stream: StreamView?,
        encryption: ObservedEncryption,
        encryptionStatus: String?,
        tableClass: TableClass,
        deletionProtection: Bool,
        ttlAttribute: String?,
        ttlStatus: String,
        pointInTimeRecovery: Bool,
        tags: [String: String]
    ) {
        self.name = name
        self.region = region
        self.arn = arn
        self.status = status
        self.partitionKey = partitionKey
        self.sortKey = sortKey
        self.billingMode = billingMode
        self.throughput = throughput
        self.globalIndexes = globalIndexes
        self.localIndexes = localIndexes
        self.stream = stream
        self.encryption = encryption
        self.encryptionStatus = encryptionStatus
        self.tableClass = tableClass
        self.deletionProtection = deletionProtection
        self.ttlAttribute = ttlAttribute
        self.ttlStatus = ttlStatus
        self.pointInTimeRecovery = pointInTimeRecovery
        self.tags = tags
    }

    /// A transition that holds every step: the table itself, or its encryption, is changing.
    public var tableTransition: String? {
        if status != "ACTIVE" { return "table is \(status)" }
        if encryptionStatus == "UPDATING" || encryptionStatus == "ENABLING" || encryptionStatus == "DISABLING" {
            return "encryption is \(encryptionStatus ?? "")"
        }
        return nil
    }

    /// Transitions that hold only the steps they concern (field prefix → why): an index being built or deleted
    /// holds index creates and deletes (DynamoDB allows one at a time), TTL ENABLING/DISABLING holds TTL changes.
    public var partialTransitions: [(field: String, reason: String)] {
        var waits: [(field: String, reason: String)] = []
        if let index = globalIndexes.first(where: { $0.status != "ACTIVE" }) {
            waits.append(("globalSecondaryIndexes[", "index \(index.name) is \(index.status)"))
        }
        if ttlStatus == "ENABLING" || ttlStatus == "DISABLING" { waits.append(("ttlAttribute", "TTL is \(ttlStatus)")) }
        return waits
    }

    /// Whether Tablekeeper manages this table (tag `tablekeeper:managed`).
    public var isManaged: Bool {
        tags[ReconcileTags.managed] == "true"
    }
}

/// The tags Tablekeeper puts on tables it creates.
public enum ReconcileTags {
    /// `tablekeeper:managed = "true"`.
    public static let managed = "tablekeeper:managed"
    /// `tablekeeper:manifest = <path in repo>`.
    public static let manifest = "tablekeeper:manifest"

    /// The `tablekeeper:manifest` value for a manifest path: the path itself when DynamoDB allows its characters
    /// (`tables/orders.json`), else `base64:` and its UTF-8 in base64, whose alphabet tags allow
    /// (`tables/orders (v2).json`, `team#1/x.json`), cut at DynamoDB's 256 characters.
    public static func manifestValue(_ path: String) -> String {
        if path.count <= 256, ManifestRules.isTagText(path) { return path }
        return String(("base64:" + Data(path.utf8).base64EncodedString()).prefix(256))
    }

    /// The manifest path a `tablekeeper:manifest` value names, for messages.
    public static func manifestPath(_ value: String) -> String {
        guard value.hasPrefix("base64:"), let data = Data(base64Encoded: String(value.dropFirst(7))) else {
            return value
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Whether a tag key is never compared with manifests.
    public static func isReserved(_ key: String) -> Bool {
        key.hasPrefix("aws:") || key.hasPrefix("tablekeeper:")
    }
}

extension ObservedTable {
    /// Builds the observed state from the four describe calls.
    public init(
        region: String,
        description: TableDescription,
        timeToLive: TimeToLiveDescription,
        backups: ContinuousBackupsDescription,
        tags: [TagShape]
    ) {
        var types: [String: AttributeType] = [:]
        for definition in description.AttributeDefinitions ?? [] {
            types[definition.AttributeName] = AttributeType(rawValue: definition.AttributeType)
        }
        func key(_ schema: [KeySchemaElement]?, _ type: String) -> KeyAttribute? {
            guard let element = schema?.first(where: { $0.KeyType == type }) else { return nil }
            // moto replaces AttributeDefinitions wholesale on UpdateTable; an unknown type is reported as S.
            return KeyAttribute(name: element.AttributeName, type: types[element.AttributeName] ?? .string)
        }
        let billing =
            BillingMode(rawValue: description.BillingModeSummary?.BillingMode ?? "PROVISIONED") ?? .provisioned
        func throughput(_ value: ProvisionedThroughputDescription?) -> Throughput? {
            guard billing == .provisioned, let value else { return nil }
            return Throughput(read: value.ReadCapacityUnits ?? 0, write: value.WriteCapacityUnits ?? 0)
        }
        let sse = description.SSEDescription
        // A legacy `SSEType: AES256` description is the AWS owned key, not a KMS key.
        let isKMS =
            sse.map { ["ENABLED", "ENABLING", "UPDATING"].contains($0.Status ?? "ENABLED") && $0.SSEType != "AES256" }
            ?? false
        let ttlEnabled = ["ENABLED", "ENABLING"].contains(timeToLive.TimeToLiveStatus ?? "DISABLED")
        self.init(
            name: description.TableName ?? "",
            region: region,
            arn: description.TableArn ?? "",
            status: description.TableStatus ?? "ACTIVE",
            partitionKey: key(description.KeySchema, "HASH"),
            sortKey: key(description.KeySchema, "RANGE"),
            billingMode: billing,
            throughput: throughput(description.ProvisionedThroughput),
            globalIndexes: (description.GlobalSecondaryIndexes ?? []).map { index in
                var observed = ObservedGlobalIndex(
                    name: index.IndexName ?? "",
                    partitionKey: key(index.KeySchema, "HASH"),
                    sortKey: key(index.KeySchema, "RANGE"),
                    projection: Projection(index.Projection),
                    throughput: throughput(index.ProvisionedThroughput),
                    status: index.IndexStatus ?? "ACTIVE"
                )
                observed.onDemand = index.OnDemandThroughput.map(OnDemandLimits.init)
                observed.warm = index.WarmThroughput.map(WarmThroughputSpec.init)
                observed.warmStatus = index.WarmThroughput?.Status
                return observed
            },
            localIndexes: (description.LocalSecondaryIndexes ?? []).compactMap { index in
                guard let name = index.IndexName, let sortKey = key(index.KeySchema, "RANGE") else { return nil }
                return LocalSecondaryIndex(name: name, sortKey: sortKey, projection: Projection(index.Projection))
            },
            stream: description.StreamSpecification?.StreamEnabled == true
                ? StreamView(rawValue: description.StreamSpecification?.StreamViewType ?? "") : nil,
            encryption: isKMS ? .kmsKey(sse?.KMSMasterKeyArn ?? "") : .awsOwned,
            encryptionStatus: sse?.Status,
            tableClass: TableClass(rawValue: description.TableClassSummary?.TableClass ?? "STANDARD") ?? .standard,
            deletionProtection: description.DeletionProtectionEnabled ?? false,
            ttlAttribute: ttlEnabled ? timeToLive.AttributeName : nil,
            ttlStatus: timeToLive.TimeToLiveStatus ?? "DISABLED",
            pointInTimeRecovery: backups.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus == "ENABLED",
            // moto appends on re-tagging; the last value of a key is the current one.
            tags: Dictionary(tags.map { ($0.Key, $0.Value) }) { _, last in last }
        )
        self.streamArn = description.LatestStreamArn
        created = description.CreationDateTime.map(Date.init(timeIntervalSince1970:))
        onDemand = description.OnDemandThroughput.map(OnDemandLimits.init)
        warm = description.WarmThroughput.map(WarmThroughputSpec.init)
        warmStatus = description.WarmThroughput?.Status
        // `Replicas` sometimes lists the table's own region too: that one is the table itself.
        replicas = (description.Replicas ?? []).filter { $0.RegionName != region }.compactMap {
            ObservedReplica($0, tableClass: tableClass)
        }
        globalTableVersion = description.GlobalTableVersion
        inaccessibleSince = sse?.InaccessibleEncryptionDateTime.map(Date.init(timeIntervalSince1970:))
        decreasesToday = Int(description.ProvisionedThroughput?.NumberOfDecreasesToday ?? 0)
        lastDecrease = description.ProvisionedThroughput?.LastDecreaseDateTime.map(Date.init(timeIntervalSince1970:))
        lastSwitchToOnDemand = description.BillingModeSummary?.LastUpdateToPayPerRequestDateTime.map(
            Date.init(timeIntervalSince1970:)
        )
    }
}

extension OnDemandLimits {
    init(_ shape: OnDemandThroughputShape) {
        self.init(maxReadRequestUnits: shape.MaxReadRequestUnits, maxWriteRequestUnits: shape.MaxWriteRequestUnits)
    }
}

extension WarmThroughputSpec {
    init(_ shape: WarmThroughputShape) {
        self.init(readUnitsPerSecond: shape.ReadUnitsPerSecond, writeUnitsPerSecond: shape.WriteUnitsPerSecond)
    }
}

extension Projection {
    init(_ shape: ProjectionShape?) {
        switch shape?.ProjectionType {
        case "KEYS_ONLY": self = .keysOnly
        case "INCLUDE": self = .include((shape?.NonKeyAttributes ?? []).sorted())
        default: self = .all
        }
    }
}
