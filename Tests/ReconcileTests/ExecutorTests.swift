import AWSCore
import DynamoDBControl
import Foundation
import Manifest
import Reconcile
import StatusLog
import TablekeeperConfig
import Testing
import UTCTime

@Suite("Executor")
struct ExecutorTests {
    typealias F = Fixtures

    func execute(
        _ plan: TablePlan,
        spec: TableSpec = Fixtures.spec,
        control: RecordingControl,
        memory: inout Executor.Memory,
        policy: ReconcilePolicy = ReconcilePolicy(),
        now: Date = Date()
    ) async -> TableResult {
        await Executor(policy: policy).execute(
            plan,
            desired: F.desired(spec),
            control: control,
            context: F.context,
            memory: &memory,
            now: now
        )
    }

    @Test("a missing table is created and reported with its encryption")
    func create() async {
        let control = RecordingControl()
        var memory = Executor.Memory()
        let result = await execute(F.plan(F.spec, nil), control: control, memory: &memory)
        #expect(control.calls == ["CreateTable"])
        #expect(result.outcome == .created)
        #expect(result.actionTaken)
        #expect(result.message.contains("encryption KMS"))
        // The table's creation time, so a later table of that name is never taken for this one.
        #expect(result.tableCreated == Date(timeIntervalSince1970: RecordingControl.creationTime))
        #expect(result.record(time: "2026-12-03T00:00:00Z", cycle: 1, revision: nil).tableCreated != nil)
    }

    @Test("one UpdateTable per table per cycle; the rest waits")
    func oneStepPerCycle() async {
        var spec = F.spec
        spec.globalSecondaryIndexes.append(
            GlobalSecondaryIndex(name: "gsi-a", partitionKey: KeyAttribute(name: "a", type: .string))
        )
        spec.globalSecondaryIndexes.append(
            GlobalSecondaryIndex(name: "gsi-b", partitionKey: KeyAttribute(name: "b", type: .string))
        )
        spec.tags["team"] = "security"
        let control = RecordingControl()
        var memory = Executor.Memory()
        let result = await execute(F.plan(spec), spec: spec, control: control, memory: &memory)
        #expect(control.calls == ["UpdateTable"])
        #expect(result.outcome == .updated)
        #expect(result.message.contains("add index gsi-a"))
        #expect(result.message.contains("2 more steps next cycle"))
    }

    @Test("light calls (TTL, PITR, tags) run together when no UpdateTable is due")
    func lightSteps() async {
        var observed = F.observed
        observed.ttlAttribute = nil
        observed.pointInTimeRecovery = false
        var spec = F.spec
        spec.tags["team"] = "security"
        let control = RecordingControl()
        var memory = Executor.Memory()
        let apply = ReconcilePolicy(destructive: .apply)
        let result = await execute(F.plan(spec, observed, policy: apply), spec: spec, control: control, memory: &memory)
        #expect(control.calls == ["UpdateTimeToLive", "UpdateContinuousBackups", "TagResource"])
        #expect(result.outcome == .updated)
    }

    @Test("an in-sync table makes no call and is in_sync")
    func inSync() async {
        let control = RecordingControl()
        var memory = Executor.Memory()
        let result = await execute(F.plan(), control: control, memory: &memory)
        #expect(control.calls.isEmpty)
        #expect(result.outcome == .inSync)
        #expect(!result.actionTaken)
    }

    @Test("a table in transition is pending and untouched")
    func pending() async {
        var observed = F.observed
        observed.status = "UPDATING"
        var spec = F.spec
        spec.stream = .keysOnly
        let control = RecordingControl()
        var memory = Executor.Memory()
        let result = await execute(F.plan(spec, observed), spec: spec, control: control, memory: &memory)
        #expect(control.calls.isEmpty)
        #expect(result.outcome == .pending)
    }

    @Test("point-in-time recovery not yet available after CreateTable is pending, not failed")
    func backupsUnavailable() async {
        var observed = F.observed
        observed.pointInTimeRecovery = false
        let control = RecordingControl()
        control.fail(
            "UpdateContinuousBackups",
            code: "ContinuousBackupsUnavailableException",
            message: "Backups are being enabled for the table: orders. Please retry later"
        )
        var memory = Executor.Memory()
        let result = await execute(F.plan(F.spec, observed), control: control, memory: &memory)
        #expect(result.outcome == .pending)
        #expect(result.message.contains("not available yet"))
    }

    @Test("a change the leader's fence keeps back is pending, with no backoff: the next cycle tries it again")
    func fenced() async {
        var observed = F.observed
        observed.pointInTimeRecovery = false
        let control = RecordingControl()
        control.fail(
            "UpdateContinuousBackups",
            with: AWSError(
                operation: "UpdateContinuousBackups",
                code: AWSError.notLeaderCode,
                message: "not sent: this daemon is not the leader",
                kind: .fenced
            )
        )
        var memory = Executor.Memory()
        let plan = F.plan(F.spec, observed)
        let first = await execute(plan, control: control, memory: &memory)
        #expect(first.outcome == .pending)
        #expect(first.message.contains("not sent: this daemon is not the leader"))
        // No backoff: the same step is sent at once next time.
        control.succeed("UpdateContinuousBackups")
        let second = await execute(plan, control: control, memory: &memory)
        #expect(second.outcome == .updated)
        #expect(control.calls == ["UpdateContinuousBackups", "UpdateContinuousBackups"])
    }

    @Test("a TTL change AWS refuses within the hour is flagged until the hour is up, not failed")
    func timeToLiveWithinTheHour() async throws {
        var observed = F.observed
        observed.ttlAttribute = nil
        let message = "Time to live has been modified multiple times within a fixed interval"
        let control = RecordingControl()
        control.fail("UpdateTimeToLive", code: "ValidationException", message: message)
        let now = try #require(UTCTime.parse("2030-01-01T10:00:00Z"))
        var memory = Executor.Memory()
        let apply = ReconcilePolicy(destructive: .apply)
        let result = await execute(
            F.plan(F.spec, observed, policy: apply),
            control: control,
            memory: &memory,
            policy: apply,
            now: now
        )
        #expect(result.outcome == .flagged)
        #expect(result.message.contains("2030-01-01T11:00:00Z"))
        #expect(result.changes.first { $0.field == "ttlAttribute" }?.reason == .rateLimited)
    }

    @Test("a TTL rename disables now and shows when the enable under the new name can run")
    func timeToLiveRename() async throws {
        let apply = ReconcilePolicy(destructive: .apply)
        var observed = F.observed
        observed.ttlAttribute = "expires"
        let control = RecordingControl()
        let now = try #require(UTCTime.parse("2030-01-01T10:00:00Z"))
        var memory = Executor.Memory()
        let first = await execute(
            F.plan(F.spec, observed, policy: apply),
            control: control,
            memory: &memory,
            policy: apply,
            now: now
        )
        #expect(control.calls == ["UpdateTimeToLive"])
        #expect(first.outcome == .updated)
        // Next cycle the TTL is disabled; the enable waits for the hour, without a call.
        observed.ttlAttribute = nil
        let second = await execute(
            F.plan(F.spec, observed, policy: apply),
            control: control,
            memory: &memory,
            policy: apply,
            now: now.addingTimeInterval(60)
        )
        #expect(control.calls == ["UpdateTimeToLive"])
        #expect(second.outcome == .flagged)
        #expect(second.message.contains("waits until 2030-01-01T11:00:00Z"))
        let third = await execute(
            F.plan(F.spec, observed, policy: apply),
            control: control,
            memory: &memory,
            policy: apply,
            now: now.addingTimeInterval(3601)
        )
        #expect(control.calls == ["UpdateTimeToLive", "UpdateTimeToLive"])
        #expect(third.outcome == .updated)
    }

    @Test("a failing step is retried with backoff, 5 s doubling, not every cycle")
    func backoff() async throws {
        var observed = F.observed
        observed.pointInTimeRecovery = false
        let control = RecordingControl()
        control.fail(
            "UpdateContinuousBackups",
            with: AWSError(
                operation: "UpdateContinuousBackups",
                code: "AccessDeniedException",
                message: "no",
                kind: .accessDenied
            )
        )
        let now = try #require(UTCTime.parse("2030-01-01T10:00:00Z"))
        var memory = Executor.Memory()
        let plan = F.plan(F.spec, observed)
        let first = await execute(plan, control: control, memory: &memory, now: now)
        #expect(first.outcome == .failed)
        #expect(first.message.contains("tried again after 2030-01-01T10:00:05Z"))
        let waiting = await execute(plan, control: control, memory: &memory, now: now.addingTimeInterval(2))
        #expect(waiting.outcome == .failed)
        #expect(control.calls == ["UpdateContinuousBackups"])
        let second = await execute(plan, control: control, memory: &memory, now: now.addingTimeInterval(6))
        #expect(control.calls == ["UpdateContinuousBackups", "UpdateContinuousBackups"])
        #expect(second.message.contains("tried again after 2030-01-01T10:00:16Z"))
        #expect(Executor.Memory.backoffDelay(attempts: 20) == 900)
    }

    @Test(
        "LimitExceededException: only operations running at once wait; a hard quota fails, named",
        arguments: [
            (
                "Subscriber limit exceeded: Only 500 tables can be created, updated, or deleted simultaneously",
                "pending"
            ),
            (
                "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table",
                "pending"
            ),
            (
                "Subscriber limit exceeded: Number of Global Secondary Indexes exceeds the per-table limit of 20",
                "failed"
            ),
            ("Subscriber limit exceeded: Table count limit of 2500 exceeded for this account and region", "failed"),
        ]
    )
    func limitExceeded(message: String, outcome: String) async {
        var spec = F.spec
        spec.globalSecondaryIndexes.append(
            GlobalSecondaryIndex(name: "gsi-a", partitionKey: KeyAttribute(name: "a", type: .string))
        )
        let control = RecordingControl()
        control.fail("UpdateTable", code: "LimitExceededException", message: message)
        var memory = Executor.Memory()
        let result = await execute(F.plan(spec), spec: spec, control: control, memory: &memory)
        #expect(result.outcome.rawValue == outcome)
        if outcome == "failed" { #expect(result.message.contains("AWS quota reached")) }
    }

    @Test("a rate-limited encryption switch is flagged with its retry time and the table's other changes go on")
    func blockedStepHoldsNothingElse() async throws {
        var spec = F.spec
        spec.encryption = .awsOwned
        spec.tableClass = .standardInfrequentAccess
        var observed = F.observed
        observed.pointInTimeRecovery = false
        let policy = ReconcilePolicy(encryption: .apply)
        let plan = F.plan(spec, observed, policy: policy)
        let control = RecordingControl()
        let message =
            "Subscriber limit exceeded: Encryption mode changes are limited in the 24h window ending at "
            + "2030-01-02T00:00:00.000Z. After the first 4 change, each subsequent change in the same window can be "
            + "performed at most once every 21600 seconds. Number of updates today: 4"
        control.fail(
            "UpdateTable",
            with: AWSError(
                operation: "UpdateTable",
                code: "LimitExceededException",
                message: message,
                kind: .rateWindow
            )
        )
        let now = try #require(UTCTime.parse("2030-01-01T10:00:00Z"))
        var memory = Executor.Memory()
        let first = await execute(plan, spec: spec, control: control, memory: &memory, policy: policy, now: now)
        #expect(first.outcome == .flagged)
        control.succeed("UpdateTable")
        let later = now.addingTimeInterval(60)
        let second = await execute(plan, spec: spec, control: control, memory: &memory, policy: policy, now: later)
        // The encryption step stays blocked; the table class is changed; PITR follows on a later cycle.
        #expect(control.calls == ["UpdateTable", "UpdateTable"])
        #expect(second.outcome == .flagged)
        #expect(second.message.contains("table class"))
        #expect(second.message.contains("2030-01-02T00:00:00Z"))
        #expect(second.changes.first { $0.field == "encryption" }?.reason == .rateLimited)
        var reclassed = observed
        reclassed.tableClass = .standardInfrequentAccess
        let third = await execute(
            F.plan(spec, reclassed, policy: policy),
            spec: spec,
            control: control,
            memory: &memory,
            policy: policy,
            now: later
        )
        #expect(control.calls == ["UpdateTable", "UpdateTable", "UpdateContinuousBackups"])
        #expect(third.outcome == .flagged)
    }

    @Test("TTL ENABLING holds only TTL changes: point-in-time recovery goes on")
    func ttlTransitionHoldsOnlyTTL() async {
        var observed = F.observed
        observed.ttlStatus = "ENABLING"
        observed.pointInTimeRecovery = false
        let control = RecordingControl()
        var memory = Executor.Memory()
        let result = await execute(F.plan(F.spec, observed), control: control, memory: &memory)
        #expect(control.calls == ["UpdateContinuousBackups"])
        #expect(result.outcome == .updated)
    }

    @Test("an index being built holds index creates, not the table's other changes")
    func indexTransitionHoldsOnlyIndexes() async {
        var spec = F.spec
        spec.globalSecondaryIndexes.append(
            GlobalSecondaryIndex(name: "gsi-b", partitionKey: KeyAttribute(name: "b", type: .string))
        )
        var observed = F.observed
        observed.globalIndexes[0].status = "CREATING"
        observed.pointInTimeRecovery = false
        let control = RecordingControl()
        var memory = Executor.Memory()
        let result = await execute(F.plan(spec, observed), spec: spec, control: control, memory: &memory)
        #expect(control.calls == ["UpdateContinuousBackups"])
        #expect(result.outcome == .updated)
        #expect(result.message.contains("waiting: index gsi-status is CREATING"))
        // With nothing else to do, the table is pending on the index.
        var onlyIndex = observed
        onlyIndex.pointInTimeRecovery = true
        let pending = await execute(F.plan(spec, onlyIndex), spec: spec, control: control, memory: &memory)
        #expect(pending.outcome == .pending)
        #expect(control.calls == ["UpdateContinuousBackups"])
    }

    @Test("a refused throughput decrease blocks only decreases: an increase is applied at once")
    func decreaseNeverHoldsIncrease() async throws {
        var spec = F.spec
        spec.billingMode = .provisioned
        spec.throughput = Throughput(read: 2, write: 2)
        spec.globalSecondaryIndexes[0].throughput = Throughput(read: 1, write: 1)
        var observed = F.observed
        observed.billingMode = .provisioned
        observed.throughput = Throughput(read: 5, write: 5)
        observed.globalIndexes[0].throughput = Throughput(read: 1, write: 1)
        observed.decreasesToday = 4
        let last = try #require(UTCTime.parse("2030-01-01T09:30:00Z"))
        observed.lastDecrease = last
        let control = RecordingControl()
        let message = "Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC day."
        control.fail("UpdateTable", code: "LimitExceededException", message: message)
        let now = try #require(UTCTime.parse("2030-01-01T10:00:00Z"))
        var memory = Executor.Memory()
        let refused = await execute(F.plan(spec, observed), spec: spec, control: control, memory: &memory, now: now)
        #expect(refused.outcome == .flagged)
        // The retry time comes from LastDecreaseDateTime, not a guess.
        #expect(refused.message.contains("2030-01-01T10:30:00Z"))
        control.succeed("UpdateTable")
        // An incident: the operator commits more capacity; it goes out at once.
        spec.throughput = Throughput(read: 50, write: 50)
        let raised = await execute(F.plan(spec, observed), spec: spec, control: control, memory: &memory, now: now)
        #expect(control.calls == ["UpdateTable", "UpdateTable"])
        #expect(raised.outcome == .updated)
    }

    @Test("a rate window flags the change with the time it can be retried, and it is not retried before")
    func rateWindow() async throws {
        var spec = F.spec
        spec.encryption = .awsOwned
        let policy = ReconcilePolicy(encryption: .apply)
        let plan = F.plan(spec, policy: policy)
        let control = RecordingControl()
        control.fail(
            "UpdateTable",
            with: AWSError(
                operation: "UpdateTable",
                code: "LimitExceededException",
                message: "Encryption mode changes are limited in the 24h window ending at 2030-08-20T08:42:25.398Z.",
                kind: .rateWindow
            )
        )
        var memory = Executor.Memory()
        let first = await execute(plan, spec: spec, control: control, memory: &memory, policy: policy)
        #expect(first.outcome == .flagged)
        #expect(first.changes.first?.reason == .rateLimited)
        #expect(first.message.contains("after 2030-08-20T08:42:25Z"))
        let second = await execute(plan, spec: spec, control: control, memory: &memory, policy: policy)
        #expect(control.calls == ["UpdateTable"])
        #expect(second.outcome == .flagged)
        // After the window the change is tried again.
        let later = try #require(UTCTime.parse("2030-08-21T00:00:00Z"))
        _ = await execute(plan, spec: spec, control: control, memory: &memory, policy: policy, now: later)
        #expect(control.calls == ["UpdateTable", "UpdateTable"])
    }

    @Test("an encryption switch is verified from UpdateTable's answer, not from an immediate DescribeTable")
    func encryptionVerifiedFromAnswer() async {
        var spec = F.spec
        spec.encryption = .awsOwned
        let policy = ReconcilePolicy(encryption: .apply)
        let plan = F.plan(spec, policy: policy)
        let control = RecordingControl()
        var switching = TableDescription()
        switching.SSEDescription = TableDescription.SSEDescriptionShape(
            Status: "DISABLING",
            SSEType: "KMS",
            KMSMasterKeyArn: F.awsManagedArn
        )
        control.answerUpdates(with: switching)
        // An eventually consistent read would still show the old key: it is not asked for.
        var stale = TableDescription()
        stale.SSEDescription = TableDescription.SSEDescriptionShape(
            Status: "ENABLED",
            SSEType: "KMS",
            KMSMasterKeyArn: F.awsManagedArn
        )
        control.describeAfterUpdate(stale)
        var memory = Executor.Memory()
        let result = await execute(plan, spec: spec, control: control, memory: &memory, policy: policy)
        #expect(result.outcome == .updated)
        #expect(control.calls == ["UpdateTable"])
    }

    @Test("an encryption change the endpoint ignores stays flagged and is not repeated")
    func encryptionNotApplied() async {
        var spec = F.spec
        spec.encryption = .awsOwned
        let policy = ReconcilePolicy(encryption: .apply)
        let plan = F.plan(spec, policy: policy)
        let control = RecordingControl()
        var still = TableDescription()
        still.SSEDescription = TableDescription.SSEDescriptionShape(
            Status: "ENABLED",
            SSEType: "KMS",
            KMSMasterKeyArn: F.awsManagedArn
        )
        control.answerUpdates(with: still)
        var memory = Executor.Memory()
        let first = await execute(plan, spec: spec, control: control, memory: &memory, policy: policy)
        #expect(first.outcome == .flagged)
        #expect(first.message.contains("shows neither the new key nor a switch under way"))
        _ = await execute(plan, spec: spec, control: control, memory: &memory, policy: policy)
        #expect(control.calls == ["UpdateTable"])
    }

    /// A CreateTable answered "in use", and DescribeTable then showing the table of that name in `status`.
    func inUse(_ status: String, created: Double? = nil) -> RecordingControl {
        let control = RecordingControl()
        control.fail("CreateTable", code: "ResourceInUseException", message: "Table already exists: sentinel-requests")
        var existing = TableDescription()
        existing.TableName = "sentinel-requests"
        existing.TableArn = "arn:aws:dynamodb:us-east-1:123456789012:table/sentinel-requests"
        existing.TableStatus = status
        existing.CreationDateTime = created
        existing.KeySchema = [KeySchemaElement(AttributeName: "id", KeyType: "HASH")]
        existing.AttributeDefinitions = [AttributeDefinition(AttributeName: "id", AttributeType: "S")]
        control.describeAfterUpdate(existing)
        return control
    }

    @Test("ResourceInUse on create: a table of that name that is not managed is flagged, never adopted")
    func createConflict() async {
        let control = inUse("ACTIVE")
        var memory = Executor.Memory()
        let result = await execute(F.plan(F.spec, nil), control: control, memory: &memory)
        #expect(control.calls.prefix(2) == ["CreateTable", "DescribeTable"])
        #expect(!control.calls.contains("UpdateTable"))
        // Someone else's table of that name (no tablekeeper:managed tag): left alone, never adopted by a race.
        #expect(result.message.hasPrefix("CreateTable found an existing table of that name that Tablekeeper does not"))
        #expect(result.outcome == .flagged)
        #expect(result.changes.map(\.reason) == [.unmanaged])
    }

    @Test("ResourceInUse on create, the table still CREATING: pending with the creation kept, never called foreign")
    func createConflictWhileCreating() async {
        // DescribeTable lags behind CreateTable: the next cycle may send CreateTable again for the table the last
        // one made, and find it CREATING (its tags are not read yet).
        let control = inUse("CREATING")
        var memory = Executor.Memory()
        let result = await execute(F.plan(F.spec, nil), control: control, memory: &memory)
        #expect(control.calls == ["CreateTable", "DescribeTable"])
        #expect(result.outcome == .pending)
        #expect(result.message.contains("CREATING"), "\(result.message)")
        #expect(result.changes.map(\.field) == ["table", "ttlAttribute"])
        #expect(result.changes.allSatisfy { $0.action == .create })
    }

    @Test("ResourceInUse on create of a table an earlier cycle created: adopted as Tablekeeper's own")
    func createConflictOwnTable() async {
        let control = inUse("ACTIVE")
        var memory = Executor.Memory()
        var desired = F.desired(F.spec)
        desired.createdHere = true
        let result = await Executor(policy: ReconcilePolicy()).execute(
            F.plan(F.spec, nil),
            desired: desired,
            control: control,
            context: F.context,
            memory: &memory,
            now: Date()
        )
        #expect(!result.changes.contains { $0.reason == .unmanaged })
        #expect(result.message.hasPrefix("adopted an existing table of that name"), "\(result.message)")
    }

    @Test("ResourceInUse on create, and the table found was made at another time than Tablekeeper's: never adopted")
    func createConflictSwappedTable() async {
        // Tablekeeper's table was deleted and someone made another of that name before the creation finished.
        let control = inUse("ACTIVE", created: RecordingControl.creationTime + 300)
        var memory = Executor.Memory()
        var desired = F.desired(F.spec)
        desired.createdHere = true
        desired.createdTable = Date(timeIntervalSince1970: RecordingControl.creationTime)
        let result = await Executor(policy: ReconcilePolicy()).execute(
            F.plan(F.spec, nil),
            desired: desired,
            control: control,
            context: F.context,
            memory: &memory,
            now: Date()
        )
        #expect(result.outcome == .flagged)
        #expect(result.changes.map(\.reason) == [.unmanaged])
    }

    @Test("other AWS errors fail the table with the error")
    func failure() async {
        let control = RecordingControl()
        control.fail(
            "CreateTable",
            with: AWSError(operation: "CreateTable", code: "AccessDeniedException", message: "no", kind: .accessDenied)
        )
        var memory = Executor.Memory()
        let result = await execute(F.plan(F.spec, nil), control: control, memory: &memory)
        #expect(result.outcome == .failed)
        #expect(result.error == "CreateTable: AccessDeniedException: no")
    }

    @Test("a flagged change does not stop the safe ones")
    func flagsAndUpdates() async {
        var spec = F.spec
        spec.encryption = .awsOwned
        spec.stream = .newImage
        let control = RecordingControl()
        var memory = Executor.Memory()
        let result = await execute(F.plan(spec), spec: spec, control: control, memory: &memory)
        #expect(control.calls == ["UpdateTable"])
        #expect(result.outcome == .flagged)
        #expect(result.changes.map(\.action) == [.update, .flag])
    }
}
