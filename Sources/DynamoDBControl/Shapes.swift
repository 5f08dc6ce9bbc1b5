// Wire shapes of the DynamoDB control plane (AWS JSON 1.0), named as in the service model.
// Every response member is optional: the model keeps growing and unknown members are ignored.

/// `AttributeDefinition`.
public struct AttributeDefinition: Codable, Sendable, Equatable {
    public var AttributeName: String
    public var AttributeType: String
    public init(AttributeName: String, AttributeType: String) {
        self.AttributeName = AttributeName
        self.AttributeType = AttributeType
    }
}

/// `KeySchemaElement`; `KeyType` is `HASH` or `RANGE`.
public struct KeySchemaElement: Codable, Sendable, Equatable {
    public var AttributeName: String
    public var KeyType: String
    public init(AttributeName: String, KeyType: String) {
        self.AttributeName = AttributeName
        self.KeyType = KeyType
    }
}

/// `Projection`.
public struct ProjectionShape: Codable, Sendable, Equatable {
    public var ProjectionType: String?
    public var NonKeyAttributes: [String]?
    public init(ProjectionType: String?, NonKeyAttributes: [String]? = nil) {
        self.ProjectionType = ProjectionType
        self.NonKeyAttributes = NonKeyAttributes
    }
}

/// `ProvisionedThroughput` (request).
public struct ProvisionedThroughputShape: Codable, Sendable, Equatable {
    public var ReadCapacityUnits: Int64
    public var WriteCapacityUnits: Int64
    public init(ReadCapacityUnits: Int64, WriteCapacityUnits: Int64) {
        self.ReadCapacityUnits = ReadCapacityUnits
        self.WriteCapacityUnits = WriteCapacityUnits
    }
}

/// `ProvisionedThroughputDescription` (response).
public struct ProvisionedThroughputDescription: Codable, Sendable, Equatable {
    public var ReadCapacityUnits: Int64?
    public var WriteCapacityUnits: Int64?
    public var NumberOfDecreasesToday: Int64?
    /// Epoch seconds of the last decrease; with `NumberOfDecreasesToday` it tells when the next is allowed.
    public var LastDecreaseDateTime: Double?
    /// Epoch seconds of the last increase.
    public var LastIncreaseDateTime: Double?
}

/// `GlobalSecondaryIndex` (CreateTable and the `Create` action of UpdateTable).
/// `OnDemandThroughput`: the most request units per second of an on-demand table or index (`-1`: no limit).
public struct OnDemandThroughputShape: Codable, Sendable, Equatable {
    /// Read request units.
    public var MaxReadRequestUnits: Int64?
    /// Write request units.
    public var MaxWriteRequestUnits: Int64?
    /// Creates a limit.
    public init(MaxReadRequestUnits: Int64? = nil, MaxWriteRequestUnits: Int64? = nil) {
        self.MaxReadRequestUnits = MaxReadRequestUnits
        self.MaxWriteRequestUnits = MaxWriteRequestUnits
    }
}

/// `WarmThroughput`: in requests the floor asked for; in descriptions also its `Status`.
public struct WarmThroughputShape: Codable, Sendable, Equatable {
    /// Read units per second.
    public var ReadUnitsPerSecond: Int64?
    /// Write units per second.
    public var WriteUnitsPerSecond: Int64?
    /// In descriptions: `UPDATING` while DynamoDB prepares it, then `ACTIVE`.
    public var Status: String?
    /// Creates a request.
    public init(ReadUnitsPerSecond: Int64? = nil, WriteUnitsPerSecond: Int64? = nil) {
        self.ReadUnitsPerSecond = ReadUnitsPerSecond
        self.WriteUnitsPerSecond = WriteUnitsPerSecond
    }
}

public struct GlobalSecondaryIndexShape: Codable, Sendable, Equatable {
    public var IndexName: String
    public var KeySchema: [KeySchemaElement]
    public var Projection: ProjectionShape
    public var ProvisionedThroughput: ProvisionedThroughputShape?
    public var OnDemandThroughput: OnDemandThroughputShape?
    public var WarmThroughput: WarmThroughputShape?
    public init(
        IndexName: String,
        KeySchema: [KeySchemaElement],
        Projection: ProjectionShape,
        ProvisionedThroughput: ProvisionedThroughputShape?
    ) {
        self.IndexName = IndexName
        self.KeySchema = KeySchema
        self.Projection = Projection
        self.ProvisionedThroughput = ProvisionedThroughput
    }
}

/// `LocalSecondaryIndex` (CreateTable).
public struct LocalSecondaryIndexShape: Codable, Sendable, Equatable {
    public var IndexName: String
    public var KeySchema: [KeySchemaElement]
    public var Projection: ProjectionShape
    public init(IndexName: String, KeySchema: [KeySchemaElement], Projection: ProjectionShape) {
        self.IndexName = IndexName
        self.KeySchema = KeySchema
        self.Projection = Projection
    }
}

/// `StreamSpecification`.
public struct StreamSpecificationShape: Codable, Sendable, Equatable {
    public var StreamEnabled: Bool
    public var StreamViewType: String?
    public init(StreamEnabled: Bool, StreamViewType: String? = nil) {
        self.StreamEnabled = StreamEnabled
        self.StreamViewType = StreamViewType
    }
}

/// `SSESpecification` (request).
public struct SSESpecificationShape: Codable, Sendable, Equatable {
    public var Enabled: Bool
    public var SSEType: String?
    public var KMSMasterKeyId: String?
    public init(Enabled: Bool, SSEType: String? = nil, KMSMasterKeyId: String? = nil) {
        self.Enabled = Enabled
        self.SSEType = SSEType
        self.KMSMasterKeyId = KMSMasterKeyId
    }
}

/// `Tag`.
public struct TagShape: Codable, Sendable, Equatable {
    public var Key: String
    public var Value: String
    public init(Key: String, Value: String) {
        self.Key = Key
        self.Value = Value
    }
}

/// `TableDescription`: what CreateTable, UpdateTable and DescribeTable return.
public struct TableDescription: Codable, Sendable, Equatable {
    public struct BillingModeSummary: Codable, Sendable, Equatable {
        public var BillingMode: String?
        /// Epoch seconds of the last switch to on-demand (switches to on-demand are limited per day).
        public var LastUpdateToPayPerRequestDateTime: Double?
    }
    public struct GlobalSecondaryIndexDescription: Codable, Sendable, Equatable {
        public var IndexName: String?
        public var KeySchema: [KeySchemaElement]?
        public var Projection: ProjectionShape?
        public var IndexStatus: String?
        public var Backfilling: Bool?
        public var ProvisionedThroughput: ProvisionedThroughputDescription?
        public var OnDemandThroughput: OnDemandThroughputShape?
        public var WarmThroughput: WarmThroughputShape?
    }
    public struct LocalSecondaryIndexDescription: Codable, Sendable, Equatable {
        public var IndexName: String?
        public var KeySchema: [KeySchemaElement]?
        public var Projection: ProjectionShape?
    }
    public struct SSEDescriptionShape: Codable, Sendable, Equatable {
        public var Status: String?
        public var SSEType: String?
        public var KMSMasterKeyArn: String?
        public var InaccessibleEncryptionDateTime: Double?
        public init(Status: String?, SSEType: String?, KMSMasterKeyArn: String?) {
            self.Status = Status
            self.SSEType = SSEType
            self.KMSMasterKeyArn = KMSMasterKeyArn
        }
    }
    public struct TableClassSummary: Codable, Sendable, Equatable {
        public var TableClass: String?
    }

    public var TableName: String?
    public var TableArn: String?
    public var TableStatus: String?
    public var CreationDateTime: Double?
    public var AttributeDefinitions: [AttributeDefinition]?
    public var KeySchema: [KeySchemaElement]?
    public var BillingModeSummary: BillingModeSummary?
    public var ProvisionedThroughput: ProvisionedThroughputDescription?
    public var GlobalSecondaryIndexes: [GlobalSecondaryIndexDescription]?
    public var LocalSecondaryIndexes: [LocalSecondaryIndexDescription]?
    public var StreamSpecification: StreamSpecificationShape?
    public var LatestStreamArn: String?
    public var SSEDescription: SSEDescriptionShape?
    public var TableClassSummary: TableClassSummary?
    public var DeletionProtectionEnabled: Bool?
    public var OnDemandThroughput: OnDemandThroughputShape?
    public var WarmThroughput: WarmThroughputShape?
    public var Replicas: [ReplicaDescription]?
    public var GlobalTableVersion: String?
    public init() {}
}

/// CreateTable input.
/// A replica as the table's DescribeTable lists it.
public struct ReplicaDescription: Codable, Sendable, Equatable {
    /// `ReplicaTableClassSummary`.
    public struct TableClassSummary: Codable, Sendable, Equatable {
        public var TableClass: String?
    }
    public var RegionName: String?
    /// `CREATING`, `UPDATING`, `ACTIVE`, `DELETING`, `CREATION_FAILED`, `REGION_DISABLED`, …
    public var ReplicaStatus: String?
    public var KMSMasterKeyId: String?
    public var ReplicaTableClassSummary: TableClassSummary?
    public init(RegionName: String?, ReplicaStatus: String?, KMSMasterKeyId: String? = nil, TableClass: String? = nil) {
        self.RegionName = RegionName
        self.ReplicaStatus = ReplicaStatus
        self.KMSMasterKeyId = KMSMasterKeyId
        self.ReplicaTableClassSummary = TableClass.map { TableClassSummary(TableClass: $0) }
    }
}

/// One `ReplicaUpdates` action (DynamoDB takes one per call).
public struct ReplicationGroupUpdate: Codable, Sendable, Equatable {
    /// `Create` and `Update` members.
    public struct Member: Codable, Sendable, Equatable {
        public var RegionName: String
        public var KMSMasterKeyId: String?
        public var TableClassOverride: String?
        public init(RegionName: String, KMSMasterKeyId: String? = nil, TableClassOverride: String? = nil) {
            self.RegionName = RegionName
            self.KMSMasterKeyId = KMSMasterKeyId
            self.TableClassOverride = TableClassOverride
        }
    }
    public var Create: Member?
    public var Update: Member?
    public init(Create: Member? = nil, Update: Member? = nil) {
        self.Create = Create
        self.Update = Update
    }
}

public struct CreateTableInput: Codable, Sendable, Equatable {
    public var TableName: String
    public var AttributeDefinitions: [AttributeDefinition]
    public var KeySchema: [KeySchemaElement]
    public var BillingMode: String
    public var ProvisionedThroughput: ProvisionedThroughputShape?
    public var GlobalSecondaryIndexes: [GlobalSecondaryIndexShape]?
    public var LocalSecondaryIndexes: [LocalSecondaryIndexShape]?
    public var StreamSpecification: StreamSpecificationShape?
    public var SSESpecification: SSESpecificationShape?
    public var Tags: [TagShape]?
    public var TableClass: String?
    public var DeletionProtectionEnabled: Bool?
    public var OnDemandThroughput: OnDemandThroughputShape?
    public var WarmThroughput: WarmThroughputShape?
    public init(
        TableName: String,
        AttributeDefinitions: [AttributeDefinition],
        KeySchema: [KeySchemaElement],
        BillingMode: String
    ) {
        self.TableName = TableName
        self.AttributeDefinitions = AttributeDefinitions
        self.KeySchema = KeySchema
        self.BillingMode = BillingMode
    }
}

/// One entry of UpdateTable's `GlobalSecondaryIndexUpdates`.
public struct GlobalSecondaryIndexUpdate: Codable, Sendable, Equatable {
    public struct UpdateAction: Codable, Sendable, Equatable {
        public var IndexName: String
        public var ProvisionedThroughput: ProvisionedThroughputShape?
        public var OnDemandThroughput: OnDemandThroughputShape?
        public var WarmThroughput: WarmThroughputShape?
        public init(
            IndexName: String,
            ProvisionedThroughput: ProvisionedThroughputShape? = nil,
            OnDemandThroughput: OnDemandThroughputShape? = nil,
            WarmThroughput: WarmThroughputShape? = nil
        ) {
            self.IndexName = IndexName
            self.ProvisionedThroughput = ProvisionedThroughput
            self.OnDemandThroughput = OnDemandThroughput
            self.WarmThroughput = WarmThroughput
        }
    }
    public struct DeleteAction: Codable, Sendable, Equatable {
        public var IndexName: String
        public init(IndexName: String) { self.IndexName = IndexName }
    }
    public var Create: GlobalSecondaryIndexShape?
    public var Update: UpdateAction?
    public var Delete: DeleteAction?
    public init(Create: GlobalSecondaryIndexShape? = nil, Update: UpdateAction? = nil, Delete: DeleteAction? = nil) {
        self.Create = Create
        self.Update = Update
        self.Delete = Delete
    }
}

/// UpdateTable input.
public struct UpdateTableInput: Codable, Sendable, Equatable {
    public var TableName: String
    public var AttributeDefinitions: [AttributeDefinition]?
    public var BillingMode: String?
    public var ProvisionedThroughput: ProvisionedThroughputShape?
    public var GlobalSecondaryIndexUpdates: [GlobalSecondaryIndexUpdate]?
    public var StreamSpecification: StreamSpecificationShape?
    public var SSESpecification: SSESpecificationShape?
    public var TableClass: String?
    public var DeletionProtectionEnabled: Bool?
    public var OnDemandThroughput: OnDemandThroughputShape?
    public var WarmThroughput: WarmThroughputShape?
    public var ReplicaUpdates: [ReplicationGroupUpdate]?
    public init(TableName: String) { self.TableName = TableName }
}

/// `TimeToLiveDescription`.
public struct TimeToLiveDescription: Codable, Sendable, Equatable {
    public var TimeToLiveStatus: String?
    public var AttributeName: String?
    public init(TimeToLiveStatus: String?, AttributeName: String?) {
        self.TimeToLiveStatus = TimeToLiveStatus
        self.AttributeName = AttributeName
    }
}

/// `ContinuousBackupsDescription`.
public struct ContinuousBackupsDescription: Codable, Sendable, Equatable {
    public struct PointInTimeRecoveryDescription: Codable, Sendable, Equatable {
        public var PointInTimeRecoveryStatus: String?
        public init(PointInTimeRecoveryStatus: String?) { self.PointInTimeRecoveryStatus = PointInTimeRecoveryStatus }
    }
    public var ContinuousBackupsStatus: String?
    public var PointInTimeRecoveryDescription: PointInTimeRecoveryDescription?
    public init(ContinuousBackupsStatus: String? = nil, PointInTimeRecoveryStatus: String? = nil) {
        self.ContinuousBackupsStatus = ContinuousBackupsStatus
        self.PointInTimeRecoveryDescription = PointInTimeRecoveryStatus.map {
            ContinuousBackupsDescription.PointInTimeRecoveryDescription(PointInTimeRecoveryStatus: $0)
        }
    }
}

/// KMS `KeyMetadata`.
public struct KeyMetadata: Codable, Sendable, Equatable {
    public var KeyId: String?
    public var Arn: String?
    public var KeyManager: String?
    public var KeyState: String?
    public var Enabled: Bool?
    public init(KeyId: String? = nil, Arn: String? = nil, KeyManager: String? = nil, KeyState: String? = nil) {
        self.KeyId = KeyId
        self.Arn = Arn
        self.KeyManager = KeyManager
        self.KeyState = KeyState
    }
}
