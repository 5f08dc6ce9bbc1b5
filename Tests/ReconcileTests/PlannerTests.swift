import DynamoDBControl
import Foundation
import Manifest
import Reconcile
import TablekeeperConfig
import Testing

@Suite("Planner")
struct PlannerTests {
    typealias F = Fixtures

    @Test("a table that matches its manifest has nothing to do")
    func inSync() {
        let plan = F.plan()
        #expect(plan.isInSync)
        #expect(plan.steps.isEmpty)
    }

    @Test("a missing table is created with keys, indexes, encryption and Tablekeeper's tags")
    func createMissing() throws {
        let plan = F.plan(F.spec, nil)
        #expect(
            plan.changes == [
                Change(field: "table", from: "absent", to: "present", action: .create),
                // Recorded with the creation, so setting it later is known to be part of it.
                Change(field: "ttlAttribute", from: "disabled", to: "ttl", action: .create),
            ]
        )
        guard case .create(let input) = try #require(plan.steps.first) else {
            Issue.record("not a create")
            return
        }
        #expect(input.TableName == "sentinel-requests")
        #expect(input.KeySchema == [KeySchemaElement(AttributeName: "id", KeyType: "HASH")])
        #expect(input.BillingMode == "PAY_PER_REQUEST")
        #expect(input.ProvisionedThroughput == nil)
        #expect(input.GlobalSecondaryIndexes?.map(\.IndexName) == ["gsi-status"])
        #expect(Set(input.AttributeDefinitions.map(\.AttributeName)) == ["id", "status", "created_at"])
        #expect(input.SSESpecification == SSESpecificationShape(Enabled: true, SSEType: "KMS"))
        #expect(input.DeletionProtectionEnabled == true)
        let tags = Dictionary(uniqueKeysWithValues: (input.Tags ?? []).map { ($0.Key, $0.Value) })
        #expect(
            tags == [
                "app": "sentinel", "tablekeeper:managed": "true", "tablekeeper:manifest": "manifests/requests.json",
            ]
        )
    }

    @Test("a customer key is created with its resolved key ARN, never the alias")
    func createWithCustomerKey() throws {
        var spec = F.spec
        spec.encryption = .customerKey(F.customerAlias)
        let plan = F.plan(spec, nil)
        guard case .create(let input) = try #require(plan.steps.first) else { return }
        #expect(
            input.SSESpecification
                == SSESpecificationShape(Enabled: true, SSEType: "KMS", KMSMasterKeyId: F.customerArn)
        )
    }

    @Test("the AWS owned key sends no SSESpecification")
    func createWithOwnedKey() throws {
        var spec = F.spec
        spec.encryption = .awsOwned
        guard case .create(let input) = try #require(F.plan(spec, nil).steps.first) else { return }
        #expect(input.SSESpecification == nil)
    }

    @Test("an unresolvable KMS key fails the table without any step")
    func unresolvableKey() {
        let plan = F.plan(encryption: .unresolvable("KMS key x cannot be used"))
        #expect(plan.failure == "KMS key x cannot be used")
        #expect(plan.steps.isEmpty)
    }

    @Test("an added GSI is one UpdateTable Create with its attribute definitions")
    func gsiAdded() throws {
        var spec = F.spec
        spec.globalSecondaryIndexes.append(
            GlobalSecondaryIndex(
                name: "gsi-profile",
                partitionKey: KeyAttribute(name: "profile", type: .string),
                sortKey: F.createdAt
            )
        )
        spec.globalSecondaryIndexes.append(
            GlobalSecondaryIndex(name: "gsi-user", partitionKey: KeyAttribute(name: "user", type: .string))
        )
        let plan = F.plan(spec)
        #expect(
            plan.changes.map(\.field) == ["globalSecondaryIndexes[gsi-profile]", "globalSecondaryIndexes[gsi-user]"]
        )
        #expect(plan.changes.allSatisfy { $0.action == .update })
        // One index per UpdateTable call: the second waits for a later cycle.
        #expect(plan.stepsForThisCycle.count == 1)
        guard case .updateTable(let input, _, _) = try #require(plan.stepsForThisCycle.first) else { return }
        #expect(input.GlobalSecondaryIndexUpdates?.count == 1)
        #expect(input.GlobalSecondaryIndexUpdates?.first?.Create?.IndexName == "gsi-profile")
        #expect(
            Set(input.AttributeDefinitions?.map(\.AttributeName) ?? []) == ["id", "status", "created_at", "profile"]
        )
    }

    @Test("a removed GSI is flagged destructive, and deleted only when the policy allows")
    func gsiRemoved() throws {
        var spec = F.spec
        spec.globalSecondaryIndexes = []
        let flagged = F.plan(spec)
        #expect(flagged.changes.first?.action == .flag)
        #expect(flagged.changes.first?.reason == .destructive)
        #expect(flagged.steps.isEmpty)
        let applied = F.plan(spec, policy: ReconcilePolicy(destructive: .apply))
        guard case .updateTable(let input, _, _) = try #require(applied.steps.first) else { return }
        #expect(
            input.GlobalSecondaryIndexUpdates == [GlobalSecondaryIndexUpdate(Delete: .init(IndexName: "gsi-status"))]
        )
    }

    @Test(
        "a GSI's keys or projection never change in place",
        arguments: [
            GlobalSecondaryIndex(
                name: "gsi-status",
                partitionKey: KeyAttribute(name: "state", type: .string),
                sortKey: Fixtures.createdAt
            ),
            GlobalSecondaryIndex(name: "gsi-status", partitionKey: Fixtures.status),
            GlobalSecondaryIndex(
                name: "gsi-status",
                partitionKey: Fixtures.status,
                sortKey: Fixtures.createdAt,
                projection: .keysOnly
            ),
            GlobalSecondaryIndex(
                name: "gsi-status",
                partitionKey: Fixtures.status,
                sortKey: Fixtures.createdAt,
                projection: .include(["requester"])
            ),
        ]
    )
    func gsiReplaced(index: GlobalSecondaryIndex) {
        var spec = F.spec
        spec.globalSecondaryIndexes = [index]
        let plan = F.plan(spec, policy: ReconcilePolicy(updates: .apply, destructive: .apply))
        #expect(plan.changes.count == 1)
        #expect(plan.changes.first?.reason == .requiresReplacement)
        #expect(plan.changes.first?.advice?.contains("add a new index under another name") == true)
        #expect(plan.steps.isEmpty)
    }

    @Test("key schema and key attribute types are flagged requires-replacement")
    func keySchema() {
        var spec = F.spec
        spec.partitionKey = KeyAttribute(name: "id", type: .number)
        var plan = F.plan(spec)
        #expect(
            plan.changes == [
                Change(
                    field: "partitionKey",
                    from: "id (S)",
                    to: "id (N)",
                    action: .flag,
                    reason: .requiresReplacement,
                    advice: plan.changes.first?.advice
                )
            ]
        )
        #expect(plan.changes.first?.advice?.contains("migrate") == true)
        spec = F.spec
        spec.sortKey = F.createdAt
        plan = F.plan(spec)
        #expect(plan.changes.map(\.field) == ["sortKey"])
        #expect(plan.steps.isEmpty)
    }

    @Test("LSIs are flagged requires-replacement")
    func localIndexes() {
        var spec = F.spec
        spec.sortKey = F.createdAt
        spec.localSecondaryIndexes = [
            LocalSecondaryIndex(name: "lsi-profile", sortKey: KeyAttribute(name: "profile", type: .string))
        ]
        var observed = F.observed
        observed.sortKey = F.createdAt
        let plan = F.plan(spec, observed)
        #expect(plan.changes.map(\.field) == ["localSecondaryIndexes"])
        #expect(plan.changes.first?.reason == .requiresReplacement)
    }

    @Test("switching to PROVISIONED sets throughput on the table and every GSI in one call")
    func billingToProvisioned() throws {
        var spec = F.spec
        spec.billingMode = .provisioned
        spec.throughput = Throughput(read: 5, write: 5)
        spec.globalSecondaryIndexes[0].throughput = Throughput(read: 2, write: 2)
        let plan = F.plan(spec)
        #expect(plan.changes.map(\.field) == ["billingMode"])
        guard case .updateTable(let input, _, _) = try #require(plan.steps.first) else { return }
        #expect(input.BillingMode == "PROVISIONED")
        #expect(input.ProvisionedThroughput == ProvisionedThroughputShape(ReadCapacityUnits: 5, WriteCapacityUnits: 5))
        #expect(input.GlobalSecondaryIndexUpdates?.first?.Update?.ProvisionedThroughput?.ReadCapacityUnits == 2)
    }

    @Test("switching to PAY_PER_REQUEST sends only the billing mode")
    func billingToOnDemand() throws {
        var observed = F.observed
        observed.billingMode = .provisioned
        observed.throughput = Throughput(read: 5, write: 5)
        observed.globalIndexes[0].throughput = Throughput(read: 1, write: 1)
        let plan = F.plan(F.spec, observed)
        guard case .updateTable(let input, _, _) = try #require(plan.steps.first) else { return }
        #expect(input.BillingMode == "PAY_PER_REQUEST")
        #expect(input.ProvisionedThroughput == nil)
        #expect(input.GlobalSecondaryIndexUpdates == nil)
    }

    @Test("table and GSI throughput changes are updates")
    func throughput() throws {
        var spec = F.spec
        spec.billingMode = .provisioned
        spec.throughput = Throughput(read: 10, write: 5)
        spec.globalSecondaryIndexes[0].throughput = Throughput(read: 3, write: 1)
        var observed = F.observed
        observed.billingMode = .provisioned
        observed.throughput = Throughput(read: 5, write: 5)
        observed.globalIndexes[0].throughput = Throughput(read: 1, write: 1)
        let plan = F.plan(spec, observed)
        #expect(
            plan.changes.map(\.field) == [
                "provisionedThroughput", "globalSecondaryIndexes[gsi-status].provisionedThroughput",
            ]
        )
        #expect(plan.changes.map(\.from) == ["5/5", "1/1"])
        guard case .updateTable(let input, _, _) = try #require(plan.steps.first) else { return }
        #expect(input.ProvisionedThroughput?.ReadCapacityUnits == 10)
        #expect(input.GlobalSecondaryIndexUpdates?.first?.Update?.ProvisionedThroughput?.ReadCapacityUnits == 3)
    }

    @Test("throughput increases go first, decreasing units kept; decreases follow as their own step")
    func throughputIncreaseBeforeDecrease() throws {
        var spec = F.spec
        spec.billingMode = .provisioned
        spec.throughput = Throughput(read: 20, write: 2)
        spec.globalSecondaryIndexes[0].throughput = Throughput(read: 1, write: 1)
        var observed = F.observed
        observed.billingMode = .provisioned
        observed.throughput = Throughput(read: 10, write: 5)
        observed.globalIndexes[0].throughput = Throughput(read: 4, write: 4)
        let plan = F.plan(spec, observed)
        guard case .updateTable(let input, _, let field) = try #require(plan.steps.first) else { return }
        #expect(field == "provisionedThroughput")
        #expect(input.ProvisionedThroughput == ProvisionedThroughputShape(ReadCapacityUnits: 20, WriteCapacityUnits: 5))
        #expect(input.GlobalSecondaryIndexUpdates == nil)
        // Next cycle, with the increase made, only decreases are left.
        observed.throughput = Throughput(read: 20, write: 5)
        observed.decreasesToday = 4
        observed.lastDecrease = Date(timeIntervalSince1970: 1_900_000_000)
        let next = F.plan(spec, observed)
        guard case .updateTable(let lower, _, let lowerField) = try #require(next.steps.first) else { return }
        #expect(lowerField == "provisionedThroughput.decrease")
        #expect(lower.ProvisionedThroughput == ProvisionedThroughputShape(ReadCapacityUnits: 20, WriteCapacityUnits: 2))
        #expect(lower.GlobalSecondaryIndexUpdates?.first?.Update?.ProvisionedThroughput?.ReadCapacityUnits == 1)
        // Four decreases today: the next one is allowed an hour after the last (or at UTC midnight).
        #expect(next.retryAfter["provisionedThroughput.decrease"] == Date(timeIntervalSince1970: 1_900_003_600))
    }

    @Test("on-demand to provisioned sends throughput for every index, those the manifest drops included")
    func provisionedWithDroppedIndex() throws {
        var spec = F.spec
        spec.billingMode = .provisioned
        spec.throughput = Throughput(read: 5, write: 5)
        spec.globalSecondaryIndexes = []
        let plan = F.plan(spec, F.observed)
        guard case .updateTable(let input, _, "billingMode") = try #require(plan.steps.first) else {
            Issue.record("no billing step first")
            return
        }
        #expect(input.GlobalSecondaryIndexUpdates?.map { $0.Update?.IndexName } == ["gsi-status"])
        #expect(plan.changes.first { $0.field.hasPrefix("globalSecondaryIndexes") }?.reason == .destructive)
        // Under destructive = apply the dropped index is deleted first, and the switch follows.
        let applied = F.plan(spec, F.observed, policy: ReconcilePolicy(destructive: .apply))
        guard case .updateTable(let first, _, let field) = try #require(applied.steps.first) else { return }
        #expect(field == "globalSecondaryIndexes[gsi-status]")
        #expect(first.GlobalSecondaryIndexUpdates?.first?.Delete?.IndexName == "gsi-status")
        #expect(applied.steps.count == 1)
    }

    @Test("a switch to on-demand can be retried a day after the last one, as DescribeTable reports it")
    func onDemandRetryTime() {
        var observed = F.observed
        observed.billingMode = .provisioned
        observed.throughput = Throughput(read: 5, write: 5)
        observed.globalIndexes[0].throughput = Throughput(read: 1, write: 1)
        observed.lastSwitchToOnDemand = Date(timeIntervalSince1970: 1_900_000_000)
        let plan = F.plan(F.spec, observed)
        #expect(plan.retryAfter["billingMode"] == Date(timeIntervalSince1970: 1_900_086_400))
    }

    @Test("a stream is enabled in place")
    func streamEnabled() throws {
        var spec = F.spec
        spec.stream = .newAndOldImages
        let plan = F.plan(spec)
        guard case .updateTable(let input, _, _) = try #require(plan.steps.first) else { return }
        #expect(
            input.StreamSpecification
                == StreamSpecificationShape(StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES")
        )
    }

    @Test("a stream view change is destructive: flagged with the ARN and the gap; under apply, disabled first")
    func streamViewChanged() throws {
        var spec = F.spec
        spec.stream = .newImage
        var observed = F.observed
        observed.stream = .keysOnly
        observed.streamArn = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-12-03T08:00:00.000"
        let flagged = F.plan(spec, observed)
        #expect(flagged.steps.isEmpty)
        let change = try #require(flagged.changes.first)
        #expect(change.action == .flag)
        #expect(change.reason == .destructive)
        #expect(change.advice?.contains("stream/2026-12-03T08:00:00.000") == true)
        #expect(change.advice?.contains("writes made in between reach no stream") == true)
        let plan = F.plan(spec, observed, policy: ReconcilePolicy(destructive: .apply))
        #expect(plan.changes.first?.action == .update)
        guard case .updateTable(let input, _, _) = try #require(plan.steps.first) else { return }
        #expect(input.StreamSpecification == StreamSpecificationShape(StreamEnabled: false))
    }

    @Test("disabling a stream is destructive")
    func streamDisabled() {
        var observed = F.observed
        observed.stream = .keysOnly
        let plan = F.plan(F.spec, observed)
        #expect(plan.changes.first?.reason == .destructive)
        #expect(F.plan(F.spec, observed, policy: ReconcilePolicy(destructive: .apply)).steps.count == 1)
    }

    @Test("TTL added or renamed deletes data, so it is destructive; removed is an update; a rename disables first")
    func timeToLive() {
        let destructive = ReconcilePolicy(destructive: .apply)
        var observed = F.observed
        observed.ttlAttribute = nil
        observed.ttlStatus = "DISABLED"
        let flagged = F.plan(F.spec, observed)
        #expect(flagged.steps.isEmpty)
        #expect(flagged.changes.first?.reason == .destructive)
        #expect(flagged.changes.first?.advice?.contains("delete every item whose ttl holds a past epoch time") == true)
        #expect(F.plan(F.spec, observed, policy: destructive).steps == [.timeToLive(attribute: "ttl", enabled: true)])
        observed.ttlAttribute = "expires"
        observed.ttlStatus = "ENABLED"
        #expect(F.plan(F.spec, observed).changes.first?.reason == .destructive)
        #expect(
            F.plan(F.spec, observed, policy: destructive).steps == [.timeToLive(attribute: "expires", enabled: false)]
        )
        var spec = F.spec
        spec.ttlAttribute = nil
        #expect(F.plan(spec).steps == [.timeToLive(attribute: "ttl", enabled: false)])
        #expect(F.plan(spec).changes.first?.action == .update)
    }

    @Test("PITR on is an update, off is destructive")
    func pointInTimeRecovery() {
        var observed = F.observed
        observed.pointInTimeRecovery = false
        #expect(F.plan(F.spec, observed).steps == [.pointInTimeRecovery(true)])
        var spec = F.spec
        spec.pointInTimeRecovery = false
        #expect(F.plan(spec).changes.first?.reason == .destructive)
        #expect(F.plan(spec).steps.isEmpty)
        #expect(F.plan(spec, policy: ReconcilePolicy(destructive: .apply)).steps == [.pointInTimeRecovery(false)])
    }

    @Test("deletion protection on is an update, off is destructive")
    func deletionProtection() throws {
        var observed = F.observed
        observed.deletionProtection = false
        guard case .updateTable(let input, _, _) = try #require(F.plan(F.spec, observed).steps.first) else { return }
        #expect(input.DeletionProtectionEnabled == true)
        var spec = F.spec
        spec.deletionProtection = false
        #expect(F.plan(spec).changes.first?.reason == .destructive)
        #expect(F.plan(spec).steps.isEmpty)
    }

    @Test("the table class changes in place")
    func tableClass() throws {
        var spec = F.spec
        spec.tableClass = .standardInfrequentAccess
        guard case .updateTable(let input, _, _) = try #require(F.plan(spec).steps.first) else { return }
        #expect(input.TableClass == "STANDARD_INFREQUENT_ACCESS")
    }

    @Test("tags added or changed are updates; an unknown tag is destructive; aws: and tablekeeper: tags are ignored")
    func tags() {
        var spec = F.spec
        spec.tags = ["app": "sentinel-v2", "team": "security"]
        var observed = F.observed
        observed.tags["owner"] = "someone"
        observed.tags["aws:cloudformation:stack-name"] = "x"
        let plan = F.plan(spec, observed)
        #expect(plan.changes.map(\.field) == ["tags[app]", "tags[team]", "tags[owner]"])
        #expect(plan.changes.map(\.action) == [.update, .update, .flag])
        #expect(
            plan.steps == [
                .tag([TagShape(Key: "app", Value: "sentinel-v2"), TagShape(Key: "team", Value: "security")])
            ]
        )
        let applied = F.plan(spec, observed, policy: ReconcilePolicy(destructive: .apply))
        #expect(applied.steps.last == .untag(["owner"]))
    }

    @Test("TTL named by the manifest that created the table is set as part of the creation, whatever the policy")
    func timeToLiveAtCreation() {
        var observed = F.observed
        observed.ttlAttribute = nil
        var desired = F.desired()
        desired.creationTTL = "ttl"
        let plan = Planner.plan(desired: desired, observed: observed, policy: ReconcilePolicy(), context: F.context)
        #expect(plan.steps == [.timeToLive(attribute: "ttl", enabled: true)])
        #expect(plan.changes == [Change(field: "ttlAttribute", from: "disabled", to: "ttl", action: .create)])
        // Another attribute than the one the table was created with is a change to an existing table.
        desired.creationTTL = "expires"
        let other = Planner.plan(desired: desired, observed: observed, policy: ReconcilePolicy(), context: F.context)
        #expect(other.steps.isEmpty)
        #expect(other.changes.first?.reason == .destructive)
    }

    @Test("a table without tablekeeper:managed is flagged unmanaged and left alone, unless adoption is allowed")
    func unmanaged() {
        var observed = F.observed
        observed.tags = ["app": "payments"]
        observed.ttlAttribute = nil
        let plan = F.plan(F.spec, observed, policy: ReconcilePolicy(updates: .apply, destructive: .apply))
        #expect(plan.steps.isEmpty)
        #expect(plan.changes.count == 1)
        #expect(plan.changes.first?.reason == .unmanaged)
        #expect(
            plan.changes.first?.advice?.contains("tablekeeper adopt --config FILE --table sentinel-requests") == true
        )
        // A table this Tablekeeper just created is its own even before its tags can be read.
        var created = F.desired()
        created.createdHere = true
        #expect(
            Planner.plan(desired: created, observed: observed, policy: .init(), context: F.context).flags.isEmpty
                == false
        )
        #expect(
            !Planner.plan(desired: created, observed: observed, policy: .init(), context: F.context).changes.contains {
                $0.reason == .unmanaged
            }
        )
    }

    @Test("a key schema that differs gets no step at all, only requires-replacement")
    func keysDifferNoSteps() {
        var observed = F.observed
        observed.partitionKey = KeyAttribute(name: "pk", type: .string)
        observed.deletionProtection = false
        observed.pointInTimeRecovery = false
        observed.tags = ["tablekeeper:managed": "true"]
        let plan = F.plan(F.spec, observed, policy: ReconcilePolicy(encryption: .apply, destructive: .apply))
        #expect(plan.steps.isEmpty)
        #expect(plan.changes.map(\.reason) == [.requiresReplacement])
        #expect(plan.changes.first?.field == "partitionKey")
    }

    @Test("an adopted table gets Tablekeeper's tags")
    func adoption() {
        var observed = F.observed
        observed.tags = ["app": "sentinel"]
        var desired = F.desired()
        desired.adoptionAllowed = true
        let plan = Planner.plan(desired: desired, observed: observed, policy: ReconcilePolicy(), context: F.context)
        // Housekeeping, not a difference: the plan is in sync but still carries the tagging step.
        #expect(plan.changes.isEmpty)
        #expect(
            plan.steps == [
                .tag([
                    TagShape(Key: "tablekeeper:managed", Value: "true"),
                    TagShape(Key: "tablekeeper:manifest", Value: "manifests/requests.json"),
                ])
            ]
        )
    }

    @Test("with updates = flag nothing is applied and every change says why")
    func reportOnly() {
        var spec = F.spec
        spec.stream = .newImage
        spec.tags["team"] = "security"
        let plan = F.plan(spec, policy: ReconcilePolicy(updates: .flag))
        #expect(plan.steps.isEmpty)
        #expect(plan.changes.allSatisfy { $0.action == .flag && $0.reason == .policy })
    }

    @Test("a table in transition is pending", arguments: ["CREATING", "UPDATING", "DELETING"])
    func transition(status: String) {
        var observed = F.observed
        observed.status = status
        #expect(F.plan(F.spec, observed).pendingReason == "table is \(status)")
    }

    @Test("an index being built or an encryption switch in progress is pending")
    func indexTransition() {
        var observed = F.observed
        observed.globalIndexes[0].status = "CREATING"
        #expect(F.plan(F.spec, observed).waitingReason == "index gsi-status is CREATING")
        observed = F.observed
        observed.encryptionStatus = "UPDATING"
        #expect(F.plan(F.spec, observed).pendingReason == "encryption is UPDATING")
    }

    @Test("a table whose KMS key is inaccessible is flagged, with since when and when DynamoDB archives it")
    func inaccessibleKey() {
        var observed = F.observed
        observed.status = "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
        observed.inaccessibleSince = Date(timeIntervalSince1970: 1_900_000_000)
        let plan = F.plan(F.spec, observed)
        #expect(plan.flags.count == 1)
        #expect(plan.steps.isEmpty)
        #expect(plan.flags.first?.advice?.contains("since 2030-03-17T17:46:40Z") == true)
        #expect(plan.flags.first?.advice?.contains("at 2030-03-24T17:46:40Z") == true)
    }

    @Test("a legacy SSEType AES256 description is the AWS owned key")
    func legacyAES256() {
        var description = TableDescription()
        description.TableName = "orders"
        description.SSEDescription = TableDescription.SSEDescriptionShape(
            Status: "ENABLED",
            SSEType: "AES256",
            KMSMasterKeyArn: nil
        )
        let observed = ObservedTable(
            region: "us-east-1",
            description: description,
            timeToLive: TimeToLiveDescription(TimeToLiveStatus: "DISABLED", AttributeName: nil),
            backups: ContinuousBackupsDescription(),
            tags: []
        )
        #expect(observed.encryption == .awsOwned)
    }

    @Test("a managed table without a manifest is flagged orphaned, never deleted")
    func orphan() {
        let plan = Planner.planOrphan(F.observed)
        #expect(plan.manifest == nil)
        #expect(plan.changes.first?.reason == .orphaned)
        #expect(plan.changes.first?.from.contains("was manifests/requests.json") == true)
        #expect(plan.steps.isEmpty)
    }
}
