import DynamoDBControl
public import Manifest

/// A replica of a global table: what the table's DescribeTable lists, and what the replica table in its own
/// region reports (read with the table's TTL, PITR and tags; nil until read).
public struct ObservedReplica: Sendable, Equatable {
    /// The replica's region.
    public var region: String
    /// `ReplicaStatus`.
    public var status: String
    /// `KMSMasterKeyId`: the replica's customer key (absent for the AWS owned or managed key).
    public var kmsKeyArn: String?
    /// The replica's table class.
    public var tableClass: TableClass
    /// The replica table's encryption, from its own DescribeTable.
    public var encryption: ObservedEncryption?
    /// The replica table's point-in-time recovery.
    public var pointInTimeRecovery: Bool?
    /// The replica table's deletion protection.
    public var deletionProtection: Bool?

    /// Creates a replica.
    public init(
        region: String,
        status: String = "ACTIVE",
        kmsKeyArn: String? = nil,
        tableClass: TableClass = .standard,
        encryption: ObservedEncryption? = nil,
        pointInTimeRecovery: Bool? = nil,
        deletionProtection: Bool? = nil
    ) {
        self.region = region
        self.status = status
        self.kmsKeyArn = kmsKeyArn
        self.tableClass = tableClass
        self.encryption = encryption
        self.pointInTimeRecovery = pointInTimeRecovery
        self.deletionProtection = deletionProtection
    }

    /// From the table's DescribeTable `Replicas` entry.
    init?(_ description: ReplicaDescription, tableClass: TableClass) {
        guard let region = description.RegionName else { return nil }
        self.init(
            region: region,
            status: description.ReplicaStatus ?? "ACTIVE",
            kmsKeyArn: description.KMSMasterKeyId,
            tableClass: description.ReplicaTableClassSummary?.TableClass.flatMap(TableClass.init(rawValue:))
                ?? tableClass
        )
    }
}

/// The replica table in its own region, as read on the drift sweep.
struct ReplicaRead: Sendable {
    var description: TableDescription
    var backups: ContinuousBackupsDescription
}
