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
    /// The tags of up to 100 tables by ARN (GetResources); a table without tags maps to none.
    func tagsOfTables(_ arns: [String]) async throws(AWSError) -> [String: [TagShape]]
    /// Every table tagged `key`, with its tags, by ARN (GetResources with a tag filter, all pages).
    func tables(taggedWith key: String) async throws(AWSError) -> [String: [TagShape]]
    /// Application Auto Scaling: every DynamoDB scalable target of the region.
    func scalableTargets() async throws(AWSError) -> [ScalableTargetShape]
    /// Application Auto Scaling: every DynamoDB scaling policy of the region.
    func scalingPolicies() async throws(AWSError) -> [ScalingPolicyShape]
    /// RegisterScalableTarget.
    func registerScalableTarget(resourceId: String, dimension: String, min: Int64, max: Int64) async throws(AWSError)
    /// DeregisterScalableTarget.
    func deregisterScalableTarget(resourceId: String, dimension: String) async throws(AWSError)
    /// PutScalingPolicy (target tracking).
    func putScalingPolicy(
        name: String,
        resourceId: String,
        dimension: String,
        metric: String,
        targetValue: Double
    )
        async throws(AWSError)
}

extension TableControl {
    /// No auto scaling, for controls without Application Auto Scaling.
    public func scalableTargets() async throws(AWSError) -> [ScalableTargetShape] { [] }

    /// No auto scaling, for controls without Application Auto Scaling.
    public func scalingPolicies() async throws(AWSError) -> [ScalingPolicyShape] { [] }

    /// Refused, for controls without Application Auto Scaling.
    public func registerScalableTarget(
        resourceId: String,
        dimension: String,
        min: Int64,
        max: Int64
    )
        async throws(AWSError)
    {
        throw Self.noAutoScaling("RegisterScalableTarget")
    }

    /// Refused, for controls without Application Auto Scaling.
    public func deregisterScalableTarget(resourceId: String, dimension: String) async throws(AWSError) {
        throw Self.noAutoScaling("DeregisterScalableTarget")
    }

    /// Refused, for controls without Application Auto Scaling.
    public func putScalingPolicy(
        name: String,
        resourceId: String,
        dimension: String,
        metric: String,
        targetValue: Double
    ) async throws(AWSError) {
        throw Self.noAutoScaling("PutScalingPolicy")
    }

    static func noAutoScaling(_ operation: String) -> AWSError {
        AWSError(
            operation: operation,
            code: "Unsupported",
            message: "this control has no Application Auto Scaling client",
            kind: .other
        )
    }

    /// One ListTagsOfResource per table, for controls without the Tagging API.
    public func tagsOfTables(_ arns: [String]) async throws(AWSError) -> [String: [TagShape]] {
        var tags: [String: [TagShape]] = [:]
        for arn in arns { tags[arn] = try await listTags(arn) }
        return tags
    }

    /// ListTables and a tag read per table, for controls without the Tagging API.
    public func tables(taggedWith key: String) async throws(AWSError) -> [String: [TagShape]] {
        var found: [String: [TagShape]] = [:]
        for name in try await listTables() {
            guard let arn = try await describeTable(name)?.TableArn else { continue }
            let tags = try await listTags(arn)
            if tags.contains(where: { $0.Key == key }) { found[arn] = tags }
        }
        return found
    }
}

/// `TableControl` over real DynamoDB and KMS clients.
public struct AWSTableControl: TableControl {
    /// The DynamoDB client.
    public let dynamoDB: DynamoDBClient
    /// The KMS client.
    public let kms: KMSClient
    /// The Tagging API client.
    public let tagging: TaggingClient
    /// The Application Auto Scaling client.
    public let autoScaling: AutoScalingClient

    /// Creates a control over the clients of one region.
    public init(dynamoDB: DynamoDBClient, kms: KMSClient, tagging: TaggingClient, autoScaling: AutoScalingClient) {
        self.dynamoDB = dynamoDB
        self.kms = kms
        self.tagging = tagging
        self.autoScaling = autoScaling
    }

    public func scalableTargets() async throws(AWSError) -> [ScalableTargetShape] {
        try await autoScaling.scalableTargets()
    }

    public func scalingPolicies() async throws(AWSError) -> [ScalingPolicyShape] {
        try await autoScaling.scalingPolicies()
    }

    public func registerScalableTarget(
        resourceId: String,
        dimension: String,
        min: Int64,
        max: Int64
    )
        async throws(AWSError)
    {
        try await autoScaling.registerScalableTarget(resourceId: resourceId, dimension: dimension, min: min, max: max)
    }

    public func deregisterScalableTarget(resourceId: String, dimension: String) async throws(AWSError) {
        try await autoScaling.deregisterScalableTarget(resourceId: resourceId, dimension: dimension)
    }

    public func putScalingPolicy(
        name: String,
        resourceId: String,
        dimension: String,
        metric: String,
        targetValue: Double
    ) async throws(AWSError) {
        try await autoScaling.putScalingPolicy(
            name: name,
            resourceId: resourceId,
            dimension: dimension,
            metric: metric,
            targetValue: targetValue
        )
    }

    public func tagsOfTables(_ arns: [String]) async throws(AWSError) -> [String: [TagShape]] {
        try await tagging.tags(of: arns)
    }

    public func tables(taggedWith key: String) async throws(AWSError) -> [String: [TagShape]] {
        try await tagging.tables(taggedWith: key)
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
