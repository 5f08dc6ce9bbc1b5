/// A JSON-protocol AWS service: how requests to it are addressed and signed.
public struct AWSService: Sendable, Equatable {
    /// The SigV4 signing name and endpoint prefix, e.g. `dynamodb`.
    public var signingName: String
    /// The `X-Amz-Target` prefix, e.g. `DynamoDB_20120810`.
    public var targetPrefix: String
    /// The request content type (`application/x-amz-json-1.0` or `-1.1`).
    public var contentType: String

    /// Creates a service description.
    public init(signingName: String, targetPrefix: String, contentType: String) {
        self.signingName = signingName
        self.targetPrefix = targetPrefix
        self.contentType = contentType
    }

    /// Amazon DynamoDB (AWS JSON 1.0).
    public static let dynamoDB = AWSService(
        signingName: "dynamodb",
        targetPrefix: "DynamoDB_20120810",
        contentType: "application/x-amz-json-1.0"
    )

    /// AWS KMS (AWS JSON 1.1).
    public static let kms = AWSService(
        signingName: "kms",
        targetPrefix: "TrentService",
        contentType: "application/x-amz-json-1.1"
    )

    /// The Resource Groups Tagging API (AWS JSON 1.1): tags of many tables in one call.
    public static let tagging = AWSService(
        signingName: "tagging",
        targetPrefix: "ResourceGroupsTaggingAPI_20170126",
        contentType: "application/x-amz-json-1.1"
    )

    /// Application Auto Scaling (AWS JSON 1.1): scalable targets and target-tracking policies of provisioned
    /// capacity.
    public static let autoScaling = AWSService(
        signingName: "application-autoscaling",
        targetPrefix: "AnyScaleFrontendService",
        contentType: "application/x-amz-json-1.1"
    )

    /// The public regional endpoint, e.g. `https://dynamodb.us-east-1.amazonaws.com`.
    public func defaultEndpoint(region: String) -> String {
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return "https://\(signingName).\(region).\(suffix)"
    }
}
