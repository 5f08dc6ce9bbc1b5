public import AWSCore

/// The DynamoDB and KMS operations the reconciler uses, for one region.
///
/// The reconciler depends on this protocol so the executor can be tested without I/O; `AWSTableControl`
/// is the real implementation, tested against a moto server.
public protocol TableControl: Sendable {
    /// DescribeTable; nil when absent.
    func describeTable(_ name: String) async throws(AWSError) -> TableDescription?
    /// DescribeTimeToLive.
    func describeTimeToLive(_ name: String) async throws(AWSError) -> TimeToLiveDescription
    /// DescribeContinuousBackups.
    func describeContinuousBackups(_ name: String) async throws(AWSError) -> ContinuousBackupsDescription
    /// ListTagsOfResource, all pages.
    func listTags(_ arn: String) async throws(AWSError) -> [TagShape]
    /// ListTables, all pages.
    func listTables() async throws(AWSError) -> [String]
    /// CreateTable.
    func createTable(_ input: CreateTableInput) async throws(AWSError) -> TableDescription
    /// UpdateTable.
    func updateTable(_ input: UpdateTableInput) async throws(AWSError) -> TableDescription
    /// UpdateTimeToLive.
    func updateTimeToLive(_ name: String, attribute: String, enabled: Bool) async throws(AWSError)
    /// UpdateContinuousBackups.
    func updateContinuousBackups(_ name: String, pointInTimeRecovery: Bool) async throws(AWSError)
    /// TagResource.
    func tagResource(_ arn: String, tags: [TagShape]) async throws(AWSError)
    /// UntagResource.
    func untagResource(_ arn: String, keys: [String]) async throws(AWSError)
    /// KMS DescribeKey.
    func describeKey(_ keyID: String) async throws(AWSError) -> KeyMetadata
}

/// `TableControl` over real DynamoDB and KMS clients.
public struct AWSTableControl: TableControl {
    /// The DynamoDB client.
    public let dynamoDB: DynamoDBClient
    /// The KMS client.
    public let kms: KMSClient

    /// Creates a control over two clients of the same region.
    public init(dynamoDB: DynamoDBClient, kms: KMSClient) {
        self.dynamoDB = dynamoDB
        self.kms = kms
    }

    public func describeTable(_ name: String) async throws(AWSError) -> TableDescription? {
        try await dynamoDB.describeTable(name)
    }

    public func describeTimeToLive(_ name: String) async throws(AWSError) -> TimeToLiveDescription {
        try await dynamoDB.describeTimeToLive(name)
    }

    public func describeContinuousBackups(_ name: String) async throws(AWSError) -> ContinuousBackupsDescription {
        try await dynamoDB.describeContinuousBackups(name)
    }

    public func listTags(_ arn: String) async throws(AWSError) -> [TagShape] {
        try await dynamoDB.listTags(arn)
    }

    public func listTables() async throws(AWSError) -> [String] {
        try await dynamoDB.listTables()
    }

    public func createTable(_ input: CreateTableInput) async throws(AWSError) -> TableDescription {
        try await dynamoDB.createTable(input)
    }

    public func updateTable(_ input: UpdateTableInput) async throws(AWSError) -> TableDescription {
        try await dynamoDB.updateTable(input)
    }

    public func updateTimeToLive(_ name: String, attribute: String, enabled: Bool) async throws(AWSError) {
        try await dynamoDB.updateTimeToLive(name, attribute: attribute, enabled: enabled)
    }

    public func updateContinuousBackups(_ name: String, pointInTimeRecovery: Bool) async throws(AWSError) {
        try await dynamoDB.updateContinuousBackups(name, pointInTimeRecovery: pointInTimeRecovery)
    }

    public func tagResource(_ arn: String, tags: [TagShape]) async throws(AWSError) {
        try await dynamoDB.tagResource(arn, tags: tags)
    }

    public func untagResource(_ arn: String, keys: [String]) async throws(AWSError) {
        try await dynamoDB.untagResource(arn, keys: keys)
    }

    public func describeKey(_ keyID: String) async throws(AWSError) -> KeyMetadata {
        try await kms.describeKey(keyID)
    }
}
