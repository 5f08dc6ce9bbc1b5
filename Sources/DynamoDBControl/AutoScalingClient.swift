public import AWSCore

/// A scalable target of DynamoDB capacity, as Application Auto Scaling reports it.
public struct ScalableTargetShape: Codable, Sendable, Equatable {
    /// `table/<t>` or `table/<t>/index/<i>`.
    public var ResourceId: String
    /// `dynamodb:table:ReadCapacityUnits` and so on.
    public var ScalableDimension: String
    /// The least capacity.
    public var MinCapacity: Int64?
    /// The most capacity.
    public var MaxCapacity: Int64?

    /// Creates a target.
    public init(ResourceId: String, ScalableDimension: String, MinCapacity: Int64?, MaxCapacity: Int64?) {
        self.ResourceId = ResourceId
        self.ScalableDimension = ScalableDimension
        self.MinCapacity = MinCapacity
        self.MaxCapacity = MaxCapacity
    }
}

/// A scaling policy of DynamoDB capacity.
public struct ScalingPolicyShape: Codable, Sendable, Equatable {
    /// `TargetTrackingScalingPolicyConfiguration`.
    public struct TargetTracking: Codable, Sendable, Equatable {
        /// `PredefinedMetricSpecification`.
        public struct Metric: Codable, Sendable, Equatable {
            /// `DynamoDBReadCapacityUtilization` or `DynamoDBWriteCapacityUtilization`.
            public var PredefinedMetricType: String?
            /// Creates a metric.
            public init(PredefinedMetricType: String?) { self.PredefinedMetricType = PredefinedMetricType }
        }
        /// The utilization aimed for, in percent.
        public var TargetValue: Double?
        /// The metric.
        public var PredefinedMetricSpecification: Metric?
        /// Creates a configuration.
        public init(TargetValue: Double?, PredefinedMetricSpecification: Metric?) {
            self.TargetValue = TargetValue
            self.PredefinedMetricSpecification = PredefinedMetricSpecification
        }
    }

    /// The policy name (unique per target).
    public var PolicyName: String
    /// The resource.
    public var ResourceId: String
    /// The dimension.
    public var ScalableDimension: String
    /// `TargetTrackingScaling` (the only type DynamoDB supports) or `StepScaling`.
    public var PolicyType: String?
    /// The target tracking configuration.
    public var TargetTrackingScalingPolicyConfiguration: TargetTracking?

    /// Creates a policy.
    public init(
        PolicyName: String,
        ResourceId: String,
        ScalableDimension: String,
        PolicyType: String?,
        TargetTrackingScalingPolicyConfiguration: TargetTracking?
    ) {
        self.PolicyName = PolicyName
        self.ResourceId = ResourceId
        self.ScalableDimension = ScalableDimension
        self.PolicyType = PolicyType
        self.TargetTrackingScalingPolicyConfiguration = TargetTrackingScalingPolicyConfiguration
    }
}

/// Application Auto Scaling for DynamoDB (`ServiceNamespace` `dynamodb`): the targets and policies of one region.
public struct AutoScalingClient: Sendable {
    /// The underlying JSON client, for `AWSService.autoScaling`.
    public let client: AWSJSONClient

    /// Creates a typed client.
    public init(client: AWSJSONClient) {
        self.client = client
    }

    struct Target: Encodable {
        var ServiceNamespace = "dynamodb"
        var ResourceId: String
        var ScalableDimension: String
    }

    struct Page: Encodable {
        var ServiceNamespace = "dynamodb"
        var MaxResults: Int
        var NextToken: String?
    }

    /// Every DynamoDB scalable target of the region, 50 a page. A token seen before ends the listing (moto
    /// repeats its token forever).
    public func scalableTargets() async throws(AWSError) -> [ScalableTargetShape] {
        struct Output: Decodable {
            var ScalableTargets: [ScalableTargetShape]?
            var NextToken: String?
        }
        var targets: [ScalableTargetShape] = []
        var token: String?
        var seen: Set<String> = []
        repeat {
            let page = try await client.call(
                "DescribeScalableTargets",
                Page(MaxResults: 50, NextToken: token),
                as: Output.self
            )
            targets += page.ScalableTargets ?? []
            token = page.NextToken.flatMap { $0.isEmpty || !seen.insert($0).inserted ? nil : $0 }
        } while token != nil
        return targets
    }

    /// Every DynamoDB scaling policy of the region, 10 a page (the API's most).
    public func scalingPolicies() async throws(AWSError) -> [ScalingPolicyShape] {
        struct Output: Decodable {
            var ScalingPolicies: [ScalingPolicyShape]?
            var NextToken: String?
        }
        var policies: [ScalingPolicyShape] = []
        var token: String?
        var seen: Set<String> = []
        repeat {
            let page = try await client.call(
                "DescribeScalingPolicies",
                Page(MaxResults: 10, NextToken: token),
                as: Output.self
            )
            policies += page.ScalingPolicies ?? []
            token = page.NextToken.flatMap { $0.isEmpty || !seen.insert($0).inserted ? nil : $0 }
        } while token != nil
        return policies
    }

    struct Ignored: Decodable {}

    /// RegisterScalableTarget: creates the target, or sets its range (the capacity is brought into it).
    public func registerScalableTarget(
        resourceId: String,
        dimension: String,
        min: Int64,
        max: Int64
    )
        async throws(AWSError)
    {
        struct Input: Encodable {
            var ServiceNamespace = "dynamodb"
            var ResourceId: String
            var ScalableDimension: String
            var MinCapacity: Int64
            var MaxCapacity: Int64
        }
        _ = try await client.call(
            "RegisterScalableTarget",
            Input(ResourceId: resourceId, ScalableDimension: dimension, MinCapacity: min, MaxCapacity: max),
            as: Ignored.self
        )
    }

    /// DeregisterScalableTarget (its policies go with it).
    public func deregisterScalableTarget(resourceId: String, dimension: String) async throws(AWSError) {
        _ = try await client.call(
            "DeregisterScalableTarget",
            Target(ResourceId: resourceId, ScalableDimension: dimension),
            as: Ignored.self
        )
    }

    /// PutScalingPolicy: a target-tracking policy on a predefined DynamoDB utilization metric.
    public func putScalingPolicy(
        name: String,
        resourceId: String,
        dimension: String,
        metric: String,
        targetValue: Double
    ) async throws(AWSError) {
        struct Input: Encodable {
            var PolicyName: String
            var ServiceNamespace = "dynamodb"
            var ResourceId: String
            var ScalableDimension: String
            var PolicyType = "TargetTrackingScaling"
            var TargetTrackingScalingPolicyConfiguration: ScalingPolicyShape.TargetTracking
        }
        _ = try await client.call(
            "PutScalingPolicy",
            Input(
                PolicyName: name,
                ResourceId: resourceId,
                ScalableDimension: dimension,
                TargetTrackingScalingPolicyConfiguration: .init(
                    TargetValue: targetValue,
                    PredefinedMetricSpecification: .init(PredefinedMetricType: metric)
                )
            ),
            as: Ignored.self
        )
    }
}
