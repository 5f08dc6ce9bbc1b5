public import DynamoDBControl
public import Manifest

/// A table's (index nil) or an index's read or write capacity, as Application Auto Scaling names it.
public struct ScalingUnit: Sendable, Hashable {
    /// The index, nil for the table.
    public var index: String?
    /// Read or write.
    public var dimension: CapacityDimension

    /// Creates a unit.
    public init(index: String?, dimension: CapacityDimension) {
        self.index = index
        self.dimension = dimension
    }

    /// `table/<t>` or `table/<t>/index/<i>`.
    public func resourceId(table: String) -> String {
        index.map { "table/\(table)/index/\($0)" } ?? "table/\(table)"
    }

    /// `dynamodb:table:ReadCapacityUnits` and so on.
    public var scalableDimension: String {
        "dynamodb:\(index == nil ? "table" : "index"):\(dimension == .read ? "Read" : "Write")CapacityUnits"
    }

    /// The target-tracking metric for the dimension.
    public var metric: String {
        dimension == .read ? "DynamoDBReadCapacityUtilization" : "DynamoDBWriteCapacityUtilization"
    }

    /// The name of the policy Tablekeeper puts on the unit; a policy of another name is not Tablekeeper's.
    public var policyName: String { "tablekeeper-\(dimension.rawValue)-capacity-utilization" }

    /// The manifest field: `autoScaling.read` or `globalSecondaryIndexes[gsi].autoScaling.write`.
    public var field: String {
        (index.map { "globalSecondaryIndexes[\($0)]." } ?? "") + "autoScaling.\(dimension.rawValue)"
    }

    /// `table` or `index gsi-status`, for messages.
    public var owner: String { index.map { "index \($0)" } ?? "table" }
}

/// A scalable target and its policies.
public struct ObservedScalableTarget: Sendable, Equatable {
    /// A scaling policy on the target.
    public struct Policy: Sendable, Equatable {
        /// Its name.
        public var name: String
        /// `TargetTrackingScaling` or another type.
        public var type: String?
        /// The predefined metric, if any.
        public var metric: String?
        /// The utilization aimed for.
        public var targetValue: Double?

        /// Creates a policy.
        public init(name: String, type: String? = "TargetTrackingScaling", metric: String? = nil, targetValue: Double?)
        {
            self.name = name
            self.type = type
            self.metric = metric
            self.targetValue = targetValue
        }
    }

    /// The least capacity.
    public var min: Int64
    /// The most capacity.
    public var max: Int64
    /// Its policies.
    public var policies: [Policy]

    /// Creates a target.
    public init(min: Int64, max: Int64, policies: [Policy] = []) {
        self.min = min
        self.max = max
        self.policies = policies
    }
}

/// The auto scaling of one table and its indexes.
public struct ObservedScaling: Sendable, Equatable {
    /// The scalable targets by unit.
    public var targets: [ScalingUnit: ObservedScalableTarget]

    /// Creates the scaling of a table.
    public init(targets: [ScalingUnit: ObservedScalableTarget] = [:]) {
        self.targets = targets
    }

    /// The region's targets and policies, by table name.
    public static func byTable(
        targets: [ScalableTargetShape],
        policies: [ScalingPolicyShape]
    ) -> [String:
        ObservedScaling]
    {
        var result: [String: ObservedScaling] = [:]
        for target in targets {
            guard let (table, unit) = parse(target.ResourceId, target.ScalableDimension) else { continue }
            let own = policies.filter {
                $0.ResourceId == target.ResourceId && $0.ScalableDimension == target.ScalableDimension
            }
            result[table, default: ObservedScaling()].targets[unit] = ObservedScalableTarget(
                min: target.MinCapacity ?? 0,
                max: target.MaxCapacity ?? 0,
                policies: own.map { policy in
                    let tracking = policy.TargetTrackingScalingPolicyConfiguration
                    return .init(
                        name: policy.PolicyName,
                        type: policy.PolicyType,
                        metric: tracking?.PredefinedMetricSpecification?.PredefinedMetricType,
                        targetValue: tracking?.TargetValue
                    )
                }
            )
        }
        return result
    }

    /// `table/orders/index/gsi` and `dynamodb:index:ReadCapacityUnits` → (`orders`, index `gsi` read).
    static func parse(_ resource: String, _ dimension: String) -> (String, ScalingUnit)? {
        let parts = resource.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let direction: CapacityDimension
        if dimension.hasSuffix(":ReadCapacityUnits") {
            direction = .read
        } else if dimension.hasSuffix(":WriteCapacityUnits") {
            direction = .write
        } else {
            return nil
        }
        switch (parts.count, dimension.hasPrefix("dynamodb:index:")) {
        case (2, false) where parts[0] == "table":
            return (parts[1], ScalingUnit(index: nil, dimension: direction))
        case (4, true) where parts[0] == "table" && parts[2] == "index":
            return (parts[1], ScalingUnit(index: parts[3], dimension: direction))
        default:
            return nil
        }
    }
}
