import DynamoDBControl
import Manifest
import Reconcile
import TablekeeperConfig
import Testing

private typealias F = Fixtures

/// Global tables (DESIGN "Global tables").
@Suite("Replica planning")
struct ReplicaPlanTests {
    static let euKey = "arn:aws:kms:eu-west-1:123456789012:key/eeeeeeee-0000-0000-0000-000000000001"
    static let euOtherKey = "arn:aws:kms:eu-west-1:123456789012:key/eeeeeeee-0000-0000-0000-000000000002"
    static let euManaged = "arn:aws:kms:eu-west-1:123456789012:key/eeeeeeee-0000-0000-0000-00000000000a"
    static let field = "replicas[sentinel-requests@eu-west-1]"

    static func global(_ type: EncryptionType) -> (TableSpec, DesiredTable, ObservedTable) {
        var spec = F.spec
        spec.stream = .newAndOldImages
        switch type {
        case .awsOwned: spec.encryption = .awsOwned
        case .kms: spec.encryption = .kms
        case .customerKey: spec.encryption = .customerKey(F.customerArn)
        }
        spec.replicas = [ReplicaSpec(region: "eu-west-1", kmsKeyArn: type == .customerKey ? Self.euKey : nil)]
        var desired = F.desired(spec)
        desired.replicaEncryption = [
            "eu-west-1": type == .awsOwned
                ? .awsOwned : type == .kms ? .awsManaged(keyArn: Self.euManaged) : .customerKey(keyArn: Self.euKey)
        ]
        var observed = F.observed
        observed.stream = .newAndOldImages
        observed.encryption = type == .awsOwned ? .awsOwned : .kmsKey(type == .kms ? F.awsManagedArn : F.customerArn)
        return (spec, desired, observed)
    }

    static func plan(
        _ desired: DesiredTable,
        _ observed: ObservedTable,
        policy: ReconcilePolicy = ReconcilePolicy()
    )
        -> TablePlan
    {
        Planner.plan(desired: desired, observed: observed, policy: policy, context: F.context)
    }

    /// What DynamoDB and the replica table report for a replica of each encryption type.
    static func replica(_ type: EncryptionType, key: String = euKey) -> ObservedReplica {
        switch type {
        case .awsOwned: ObservedReplica(region: "eu-west-1", encryption: .awsOwned)
        case .kms: ObservedReplica(region: "eu-west-1", encryption: .kmsKey(euManaged))
        case .customerKey: ObservedReplica(region: "eu-west-1", kmsKeyArn: key, encryption: .kmsKey(key))
        }
    }

    @Test(
        "a replica's encryption, all 9 combinations of wanted and found",
        arguments: EncryptionType.allCases,
        EncryptionType.allCases
    )
    func encryptionCombinations(wanted: EncryptionType, found: EncryptionType) {
        var (_, desired, observed) = Self.global(wanted)
        observed.replicas = [Self.replica(found)]
        let plan = Self.plan(desired, observed, policy: ReconcilePolicy(encryption: .apply))
        let change = plan.changes.first { $0.field == Self.field + ".encryption" }
        if wanted == found {
            #expect(change == nil, "\(plan.changes)")
            #expect(plan.isInSync, "\(plan.changes)")
        } else if wanted == .customerKey {
            // Switched through ReplicaUpdates Update, under policy.encryption.
            #expect(change?.action == .update)
            guard case .updateTable(let input, _, _)? = plan.steps.first else {
                Issue.record("no step: \(plan.steps)")
                return
            }
            #expect(input.ReplicaUpdates?.first?.Update?.KMSMasterKeyId == Self.euKey)
        } else {
            // No replica update reaches the AWS owned or managed key: a person decides.
            #expect(change?.action == .flag)
            #expect(change?.reason == .encryption)
            #expect(plan.steps.isEmpty)
        }
    }

    @Test("a replica's customer key that changed is flagged under policy.encryption flag, switched under apply")
    func keyChange() throws {
        var (_, desired, observed) = Self.global(.customerKey)
        observed.replicas = [Self.replica(.customerKey, key: Self.euOtherKey)]
        let flagged = Self.plan(desired, observed)
        #expect(flagged.flags.map(\.field) == [Self.field + ".encryption"])
        #expect(flagged.flags.first?.advice?.contains("KMSMasterKeyId") == true)
        #expect(flagged.steps.isEmpty)
        let applied = Self.plan(desired, observed, policy: ReconcilePolicy(encryption: .apply))
        guard case .updateTable(let input, _, _) = try #require(applied.steps.first) else { return }
        #expect(
            input.ReplicaUpdates == [
                ReplicationGroupUpdate(Update: .init(RegionName: "eu-west-1", KMSMasterKeyId: Self.euKey))
            ]
        )
        // The same key listed as the home table reports it is in sync: compared by key ARN, never alias.
        observed.replicas = [ObservedReplica(region: "eu-west-1", kmsKeyArn: Self.euKey)]
        desired.replicaEncryption["eu-west-1"] = .customerKey(keyArn: Self.euKey)
        #expect(Self.plan(desired, observed).isInSync)
    }

    @Test(
        "a missing replica is one ReplicaUpdates Create with its resolved key and class, after every replica is ACTIVE"
    )
    func addReplica() throws {
        var (spec, desired, observed) = Self.global(.customerKey)
        spec.replicas.append(
            ReplicaSpec(
                region: "ap-south-1",
                kmsKeyArn: "arn:aws:kms:ap-south-1:123456789012:alias/x",
                tableClass: .standardInfrequentAccess
            )
        )
        desired.spec = spec
        desired.replicaEncryption["ap-south-1"] = .customerKey(keyArn: "arn:aws:kms:ap-south-1:123456789012:key/ap")
        observed.replicas = [Self.replica(.customerKey)]
        let plan = Self.plan(desired, observed)
        #expect(plan.changes.map(\.field) == ["replicas[sentinel-requests@ap-south-1]"])
        guard case .updateTable(let input, _, _) = try #require(plan.steps.first) else { return }
        #expect(
            input.ReplicaUpdates == [
                ReplicationGroupUpdate(
                    Create: .init(
                        RegionName: "ap-south-1",
                        KMSMasterKeyId: "arn:aws:kms:ap-south-1:123456789012:key/ap",
                        TableClassOverride: "STANDARD_INFREQUENT_ACCESS"
                    )
                )
            ]
        )
        // While another replica is being created, the new one waits.
        observed.replicas[0].status = "CREATING"
        let waiting = Self.plan(desired, observed)
        #expect(waiting.partialWaits.contains { $0.field == "replicas[" })
        // An unresolvable replica key fails the table, never a silent fallback.
        observed.replicas[0].status = "ACTIVE"
        desired.replicaEncryption["ap-south-1"] = .unresolvable("KMS key x is PendingDeletion")
        #expect(Self.plan(desired, observed).failure?.contains("ap-south-1") == true)
    }

    @Test("a replica the manifest drops is flagged destructive whatever the policy, and never removed")
    func removedReplica() {
        var (spec, desired, observed) = Self.global(.kms)
        spec.replicas = []
        desired.spec = spec
        observed.replicas = [Self.replica(.kms)]
        let plan = Self.plan(desired, observed, policy: ReconcilePolicy(encryption: .apply, destructive: .apply))
        #expect(plan.changes.map(\.field) == [Self.field])
        #expect(plan.changes.first?.action == .flag)
        #expect(plan.changes.first?.reason == .destructive)
        #expect(plan.steps.isEmpty)
    }

    @Test("a replica's class changes through ReplicaUpdates; its PITR and deletion protection in its own region")
    func replicaSettings() {
        var (spec, desired, observed) = Self.global(.kms)
        spec.replicas[0].tableClass = .standardInfrequentAccess
        spec.replicas[0].pointInTimeRecovery = true
        spec.replicas[0].deletionProtection = false
        desired.spec = spec
        var replica = Self.replica(.kms)
        replica.pointInTimeRecovery = false
        replica.deletionProtection = true
        observed.replicas = [replica]
        let plan = Self.plan(desired, observed)
        #expect(
            plan.changes.map { "\($0.field) \($0.action)" } == [
                "\(Self.field).tableClass update", "\(Self.field).pointInTimeRecovery update",
                "\(Self.field).deletionProtection flag",
            ]
        )
        #expect(
            plan.steps.contains(
                .replicaSetting(
                    region: "eu-west-1",
                    .pointInTimeRecovery(true),
                    field: Self.field + ".pointInTimeRecovery"
                )
            )
        )
        let destructive = Self.plan(desired, observed, policy: ReconcilePolicy(destructive: .apply))
        #expect(
            destructive.steps.contains(
                .replicaSetting(
                    region: "eu-west-1",
                    .deletionProtection(false),
                    field: Self.field + ".deletionProtection"
                )
            )
        )
    }

    @Test("with customer keys every replica Update names the replica's key, a class change included")
    func classUpdateNamesKey() throws {
        var (spec, desired, observed) = Self.global(.customerKey)
        spec.replicas[0].tableClass = .standardInfrequentAccess
        desired.spec = spec
        observed.replicas = [Self.replica(.customerKey)]
        let plan = Self.plan(desired, observed)
        guard case .updateTable(let input, _, _) = try #require(plan.steps.first) else { return }
        #expect(input.ReplicaUpdates?.first?.Update?.KMSMasterKeyId == Self.euKey)
        #expect(input.ReplicaUpdates?.first?.Update?.TableClassOverride == "STANDARD_INFREQUENT_ACCESS")
    }

    @Test("a new replica waits for what DynamoDB requires: every replica ACTIVE, writes auto scaled, the stream")
    func createGate() {
        var (spec, desired, observed) = Self.global(.kms)
        desired.spec = spec
        // Another replica in trouble holds the new one.
        observed.replicas = [ObservedReplica(region: "ap-south-1", status: "CREATION_FAILED")]
        var plan = Self.plan(desired, observed)
        #expect(plan.partialWaits.contains { $0.reason.contains("CREATION_FAILED") })
        // A provisioned table whose writes are not auto scaled.
        observed.replicas = []
        observed.billingMode = .provisioned
        observed.throughput = Throughput(read: 5, write: 5)
        observed.globalIndexes[0].throughput = Throughput(read: 5, write: 5)
        spec.billingMode = .provisioned
        spec.throughput = Throughput(read: 5, write: 5)
        spec.globalSecondaryIndexes[0].throughput = Throughput(read: 5, write: 5)
        desired.spec = spec
        plan = Self.plan(desired, observed)
        #expect(plan.partialWaits.contains { $0.reason.contains("auto scaled writes on the table") })
        observed.scaling.targets[ScalingUnit(index: nil, dimension: .write)] = ObservedScalableTarget(min: 1, max: 9)
        observed.scaling.targets[ScalingUnit(index: "gsi-status", dimension: .write)] = ObservedScalableTarget(
            min: 1,
            max: 9
        )
        plan = Self.plan(desired, observed)
        #expect(!plan.partialWaits.contains { $0.field == Self.field })
        // A KEYS_ONLY stream cannot be retyped once the table is global.
        observed.stream = .keysOnly
        plan = Self.plan(desired, observed)
        #expect(plan.partialWaits.contains { $0.reason.contains("NEW_AND_OLD_IMAGES") })
    }

    @Test("the table's own region in Replicas is the table itself; a legacy 2017.11.29 global table is flagged")
    func ownRegionAndLegacy() {
        var description = TableDescription()
        description.TableName = "t"
        description.Replicas = [
            ReplicaDescription(RegionName: "us-east-1", ReplicaStatus: "ACTIVE"),
            ReplicaDescription(RegionName: "eu-west-1", ReplicaStatus: "ACTIVE"),
        ]
        let table = ObservedTable(
            region: "us-east-1",
            description: description,
            timeToLive: TimeToLiveDescription(TimeToLiveStatus: nil, AttributeName: nil),
            backups: ContinuousBackupsDescription(),
            tags: []
        )
        #expect(table.replicas.map(\.region) == ["eu-west-1"])
        var (_, desired, observed) = Self.global(.kms)
        observed.globalTableVersion = "2017.11.29"
        observed.replicas = [Self.replica(.kms)]
        let plan = Self.plan(desired, observed)
        #expect(plan.flags.map(\.field) == ["replicas"])
        #expect(plan.steps.isEmpty)
        desired.spec.replicas = []
    }

    @Test("a new global table records its replicas as part of the creation")
    func creation() {
        let (spec, _, _) = Self.global(.kms)
        let plan = F.plan(spec, nil)
        #expect(plan.changes.contains { $0.field == Self.field && $0.action == .create })
        guard case .create(let input)? = plan.steps.first else { return }
        #expect(input.StreamSpecification?.StreamViewType == "NEW_AND_OLD_IMAGES")
    }
}
