/// One direction of auto scaling: the range Application Auto Scaling keeps the capacity in, and the utilization
/// its target-tracking policy aims for.
public struct ScalingRange: Sendable, Equatable, Hashable {
    /// The least capacity units.
    public var min: Int64
    /// The most capacity units.
    public var max: Int64
    /// The consumed-to-provisioned ratio aimed for, in percent (20 to 90).
    public var targetUtilization: Int64

    /// Creates a range.
    public init(min: Int64, max: Int64, targetUtilization: Int64) {
        self.min = min
        self.max = max
        self.targetUtilization = targetUtilization
    }

    /// `5-500 @70%`.
    public var summary: String { "\(min)-\(max) @\(targetUtilization)%" }
}

/// Read or write capacity.
public enum CapacityDimension: String, Sendable, Equatable, Hashable, CaseIterable {
    case read
    case write
}

/// Auto scaling of a provisioned table or index: each direction declared is managed by Application Auto Scaling.
public struct AutoScalingSpec: Sendable, Equatable, Hashable {
    /// Read capacity, when auto scaled.
    public var read: ScalingRange?
    /// Write capacity, when auto scaled.
    public var write: ScalingRange?

    /// Creates a spec.
    public init(read: ScalingRange? = nil, write: ScalingRange? = nil) {
        self.read = read
        self.write = write
    }

    /// The range of one direction.
    public subscript(dimension: CapacityDimension) -> ScalingRange? {
        dimension == .read ? read : write
    }
}

/// The most an on-demand table or index may consume (`-1`: no limit); nil members are not set.
public struct OnDemandLimits: Sendable, Equatable, Hashable {
    /// Read request units per second.
    public var maxReadRequestUnits: Int64?
    /// Write request units per second.
    public var maxWriteRequestUnits: Int64?

    /// Creates limits.
    public init(maxReadRequestUnits: Int64? = nil, maxWriteRequestUnits: Int64? = nil) {
        self.maxReadRequestUnits = maxReadRequestUnits
        self.maxWriteRequestUnits = maxWriteRequestUnits
    }

    /// `1000/500`, with `-` for a member not set and `unlimited` for -1.
    public var summary: String {
        func unit(_ value: Int64?) -> String {
            guard let value else { return "-" }
            return value == -1 ? "unlimited" : String(value)
        }
        return "\(unit(maxReadRequestUnits))/\(unit(maxWriteRequestUnits))"
    }
}

/// The throughput a table or index is ready for at once: a floor that DynamoDB raises by itself and never lowers.
public struct WarmThroughputSpec: Sendable, Equatable, Hashable {
    /// Read units per second, when given.
    public var readUnitsPerSecond: Int64?
    /// Write units per second, when given.
    public var writeUnitsPerSecond: Int64?

    /// Creates a floor.
    public init(readUnitsPerSecond: Int64? = nil, writeUnitsPerSecond: Int64? = nil) {
        self.readUnitsPerSecond = readUnitsPerSecond
        self.writeUnitsPerSecond = writeUnitsPerSecond
    }

    /// `12000/4000`, with `-` for a member not set.
    public var summary: String {
        "\(readUnitsPerSecond.map(String.init) ?? "-")/\(writeUnitsPerSecond.map(String.init) ?? "-")"
    }
}

/// How a table or index's capacity is managed beyond its billing mode and provisioned throughput.
public struct CapacitySpec: Sendable, Equatable, Hashable {
    /// Auto scaling (provisioned only).
    public var autoScaling: AutoScalingSpec?
    /// On-demand maximums (on-demand only).
    public var onDemand: OnDemandLimits?
    /// The warm-throughput floor.
    public var warm: WarmThroughputSpec?

    /// Creates a capacity spec.
    public init(autoScaling: AutoScalingSpec? = nil, onDemand: OnDemandLimits? = nil, warm: WarmThroughputSpec? = nil) {
        self.autoScaling = autoScaling
        self.onDemand = onDemand
        self.warm = warm
    }
}

/// A replica of a global table (version 2019.11.21) in another region; what it does not name is the table's.
public struct ReplicaSpec: Sendable, Equatable, Hashable {
    /// The replica's region.
    public var region: String
    /// With `CUSTOMER_KEY`: the replica's own key, in its region (key or alias ARN).
    public var kmsKeyArn: String?
    /// The replica's table class, nil for the table's.
    public var tableClass: TableClass?
    /// Point-in-time recovery of the replica table, nil for the table's.
    public var pointInTimeRecovery: Bool?
    /// Deletion protection of the replica table, nil for the table's.
    public var deletionProtection: Bool?

    /// Creates a replica.
    public init(
        region: String,
        kmsKeyArn: String? = nil,
        tableClass: TableClass? = nil,
        pointInTimeRecovery: Bool? = nil,
        deletionProtection: Bool? = nil
    ) {
        self.region = region
        self.kmsKeyArn = kmsKeyArn
        self.tableClass = tableClass
        self.pointInTimeRecovery = pointInTimeRecovery
        self.deletionProtection = deletionProtection
    }
}
