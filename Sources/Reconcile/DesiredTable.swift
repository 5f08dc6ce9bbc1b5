public import FoundationEssentials
public import Manifest

/// The key a table's encryption resolved to through KMS this cycle.
public enum ResolvedEncryption: Sendable, Equatable {
    /// The AWS owned key.
    case awsOwned
    /// The AWS managed key; its ARN, or nil when the account has not created it yet.
    case awsManaged(keyArn: String?)
    /// A customer managed key, resolved to its key ARN.
    case customerKey(keyArn: String)
    /// The key could not be resolved (missing, disabled, access denied): the table fails this cycle.
    case unresolvable(String)
}

/// A manifest with its encryption resolved.
public struct DesiredTable: Sendable, Equatable {
    /// The manifest path.
    public var manifest: String
    /// The desired table.
    public var spec: TableSpec
    /// The resolved encryption.
    public var encryption: ResolvedEncryption
    /// Whether the operator allows taking the table over without the `tablekeeper:managed` tag
    /// (`scope.adopt`, or `tablekeeper adopt`).
    public var adoptionAllowed = false
    /// Whether Tablekeeper created the table (its tags may not be readable yet).
    public var createdHere = false
    /// The `CreationDateTime` CreateTable answered for that table: a table of that name made at another time is
    /// someone else's.
    public var createdTable: Date?
    /// The TTL attribute named by the manifest that created the table, while it is not yet set: setting it
    /// is part of the creation, not a change that can delete existing items.
    public var creationTTL: String?
    /// The auto scaling fields (`autoScaling.read`, …) the manifest that created the table declared, while they
    /// are not yet registered: part of the creation, applied whatever `policy.updates` says.
    public var creationScaling: Set<String> = []
    /// Why the table is suspended (observed and reported, never changed), nil when it is not.
    public var suspension: String?
    /// Each replica's encryption, resolved in its own region, by region.
    public var replicaEncryption: [String: ResolvedEncryption] = [:]
    /// The replicas (`replicas[table@region]`) the manifest that created the table named, while they are not yet
    /// added: part of the creation, whatever `policy.updates` says.
    public var creationReplicas: Set<String> = []

    /// Creates a desired table.
    public init(
        manifest: String,
        spec: TableSpec,
        encryption: ResolvedEncryption,
        adoptionAllowed: Bool = false,
        createdHere: Bool = false,
        creationTTL: String? = nil
    ) {
        self.manifest = manifest
        self.spec = spec
        self.encryption = encryption
        self.adoptionAllowed = adoptionAllowed
        self.createdHere = createdHere
        self.creationTTL = creationTTL
    }
}

/// Facts about a region the planner needs beyond one table.
public struct RegionContext: Sendable, Equatable {
    /// The key ARN of `alias/aws/dynamodb`, when it exists.
    public var awsManagedKeyArn: String?

    /// Creates a context.
    public init(awsManagedKeyArn: String?) {
        self.awsManagedKeyArn = awsManagedKeyArn
    }
}
