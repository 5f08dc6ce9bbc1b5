public import DynamoDBControl
public import FoundationEssentials
import Manifest
public import StatusLog

/// One difference between a manifest and the table, and what Tablekeeper does about it.
public struct Change: Sendable, Equatable {
    /// What happens.
    public enum Action: String, Sendable, Equatable {
        case create
        case update
        case flag
    }

    /// Why a change is flagged.
    public enum Reason: String, Sendable, Equatable {
        case requiresReplacement = "requires-replacement"
        case encryption
        case destructive
        case orphaned
        case unmanaged
        case rateLimited = "rate-limited"
        case policy
        case unsupported
        /// Auto scaling Tablekeeper does not manage: a scalable target the manifest does not declare, or a
        /// policy Tablekeeper did not create.
        case autoscalingUnmanaged = "autoscaling-unmanaged"
    }

    /// The field, e.g. `encryption` or `globalSecondaryIndexes[gsi-status]`.
    public var field: String
    /// What the table has.
    public var from: String
    /// What the manifest asks for.
    public var to: String
    /// What happens.
    public var action: Action
    /// Why it is flagged.
    public var reason: Reason?
    /// For flags: what an operator should do.
    public var advice: String?

    /// Creates a change.
    public init(field: String, from: String, to: String, action: Action, reason: Reason? = nil, advice: String? = nil) {
        self.field = field
        self.from = from
        self.to = to
        self.action = action
        self.reason = reason
        self.advice = advice
    }

    /// The status-log form.
    public var record: ChangeRecord {
        ChangeRecord(field: field, from: from, to: to, action: action.rawValue, reason: reason?.rawValue)
    }
}

/// One call (or small group of calls) that moves a table a step closer to its manifest.
public enum Step: Sendable, Equatable {
    /// CreateTable.
    case create(CreateTableInput)
    /// One UpdateTable call; `what` describes it for messages; `field` names the change it makes.
    case updateTable(UpdateTableInput, what: String, field: String)
    /// UpdateTimeToLive.
    case timeToLive(attribute: String, enabled: Bool)
    /// UpdateContinuousBackups.
    case pointInTimeRecovery(Bool)
    /// TagResource.
    case tag([TagShape])
    /// UntagResource.
    case untag([String])
    /// An Application Auto Scaling call; `field` names the change it makes.
    case autoScaling(ScalingCall, field: String)
    /// A setting of a replica table, made in the replica's own region.
    case replicaSetting(region: String, ReplicaSetting, field: String)

    /// Whether the step is an UpdateTable or CreateTable call (which puts the table in transition).
    public var changesTableStatus: Bool {
        switch self {
        case .create, .updateTable: true
        default: false
        }
    }

    /// A short description for messages.
    public var summary: String {
        switch self {
        case .create: "create table"
        case .updateTable(_, let what, _): what
        case .timeToLive(let attribute, let enabled):
            enabled ? "enable TTL on \(attribute)" : "disable TTL on \(attribute)"
        case .pointInTimeRecovery(let on): on ? "enable point-in-time recovery" : "disable point-in-time recovery"
        case .tag(let tags): "tag \(tags.map(\.Key).joined(separator: ", "))"
        case .untag(let keys): "untag \(keys.joined(separator: ", "))"
        case .autoScaling(let call, _): call.summary
        case .replicaSetting(let region, let setting, _): "\(setting.summary) of the replica in \(region)"
        }
    }
}

/// A replica table's own setting.
public enum ReplicaSetting: Sendable, Equatable {
    /// UpdateContinuousBackups.
    case pointInTimeRecovery(Bool)
    /// UpdateTable `DeletionProtectionEnabled`.
    case deletionProtection(Bool)

    /// A short description for messages.
    public var summary: String {
        switch self {
        case .pointInTimeRecovery(let on): on ? "enable point-in-time recovery" : "disable point-in-time recovery"
        case .deletionProtection(let on): on ? "turn deletion protection on" : "turn deletion protection off"
        }
    }
}

/// One Application Auto Scaling call on a table's or index's capacity.
public enum ScalingCall: Sendable, Equatable {
    /// RegisterScalableTarget with this range.
    case register(ScalingUnit, min: Int64, max: Int64)
    /// PutScalingPolicy: Tablekeeper's target-tracking policy at this utilization.
    case putPolicy(ScalingUnit, targetUtilization: Int64)
    /// DeregisterScalableTarget (its policies go with it).
    case deregister(ScalingUnit)

    /// A short description for messages.
    public var summary: String {
        switch self {
        case .register(let unit, let min, let max):
            "register \(unit.dimension.rawValue) auto scaling of the \(unit.owner) at \(min)-\(max)"
        case .putPolicy(let unit, let target):
            "put \(unit.dimension.rawValue) scaling policy of the \(unit.owner) at \(target)%"
        case .deregister(let unit): "deregister \(unit.dimension.rawValue) auto scaling of the \(unit.owner)"
        }
    }
}

/// What to do with one table this cycle.
public struct TablePlan: Sendable, Equatable {
    /// The manifest path, nil for orphans.
    public var manifest: String?
    /// The table name.
    public var table: String
    /// The region.
    public var region: String
    /// Every difference found, with its action.
    public var changes: [Change] = []
    /// The steps that apply the `update` and `create` changes, in the order they must run.
    public var steps: [Step] = []
    /// Set when the table or its encryption is in transition: every step waits.
    public var pendingReason: String?
    /// Transitions that hold only some steps (field prefix and why); the table's other steps go on.
    public var partialWaits: [PartialWait] = []
    /// When AWS allows a refused change again, by step field, from what DescribeTable reports
    /// (`LastDecreaseDateTime` and `NumberOfDecreasesToday`, `LastUpdateToPayPerRequestDateTime`).
    public var retryAfter: [String: Date] = [:]
    /// Set when the table cannot be planned (KMS key not resolvable, invalid manifest).
    public var failure: String?
    /// The table's ARN, when it exists.
    public var tableArn: String?
    /// Facts the in-sync message adds (a warm-throughput floor below what DynamoDB holds).
    public var notes: [String] = []

    /// Creates an empty plan for a table.
    public init(manifest: String?, table: String, region: String) {
        self.manifest = manifest
        self.table = table
        self.region = region
    }

    /// Whether the table matches its manifest (a step may still add Tablekeeper's own tags to an adopted table).
    public var isInSync: Bool {
        changes.isEmpty && pendingReason == nil && failure == nil && partialWaits.isEmpty
    }

    /// What a plan with nothing else to do waits for, if anything.
    public var waitingReason: String? {
        pendingReason ?? (partialWaits.isEmpty ? nil : partialWaits.map(\.reason).joined(separator: ", "))
    }

    /// The flags (changes that need a person).
    public var flags: [Change] {
        changes.filter { $0.action == .flag }
    }

    /// The steps allowed this cycle: one UpdateTable (or CreateTable), or else all the light calls
    /// (TTL, PITR, tags), which do not put the table in transition.
    public var stepsForThisCycle: [Step] {
        Self.forThisCycle(steps)
    }

    /// Of `steps`, those one cycle makes: the first UpdateTable or CreateTable, or else all the light calls.
    public static func forThisCycle(_ steps: [Step]) -> [Step] {
        if let first = steps.first(where: \.changesTableStatus) { return [first] }
        return steps
    }
}

/// A transition that holds the steps whose field starts with `field`, e.g. an index being built.
public struct PartialWait: Sendable, Equatable {
    /// The field prefix of the steps held.
    public var field: String
    /// Why, e.g. `index gsi-status is CREATING`.
    public var reason: String

    /// Creates a wait.
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }
}
