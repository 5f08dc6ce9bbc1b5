import DynamoDBControl
import Manifest
import TablekeeperConfig

/// Replicas of a global table (DESIGN "Global tables"): added one per call once the table and every replica are
/// ACTIVE, their keys and classes changed through ReplicaUpdates, their PITR and deletion protection set on the
/// replica table in its region, and a replica the manifest drops always flagged: removing one deletes that region's
/// copy, and Tablekeeper never deletes data.
extension PlanBuilder {
    /// `replicas[orders@eu-west-1]`: the replica as `table@region`.
    static func replicaField(_ table: String, _ region: String) -> String { "replicas[\(table)@\(region)]" }

    mutating func compareReplicas() {
        if observed.globalTableVersion == "2017.11.29", !spec.replicas.isEmpty || !observed.replicas.isEmpty {
            changes.append(
                Change(
                    field: "replicas",
                    from: "global table version 2017.11.29",
                    to: "2019.11.21",
                    action: .flag,
                    reason: .unsupported,
                    advice: "Tablekeeper manages replicas of version 2019.11.21 only: update the global table to the "
                        + "current version (DynamoDB console, Global tables), then its replicas are reconciled"
                )
            )
            return
        }
        let wanted = Dictionary(spec.replicas.map { ($0.region, $0) }) { first, _ in first }
        let present = Dictionary(observed.replicas.map { ($0.region, $0) }) { first, _ in first }
        for replica in observed.replicas where wanted[replica.region] == nil {
            let field = Self.replicaField(spec.tableName, replica.region)
            changes.append(
                Change(
                    field: field,
                    from: "replica \(replica.status)",
                    to: "absent",
                    action: .flag,
                    reason: .destructive,
                    advice: "removing a replica deletes \(replica.region)'s copy of the table, so Tablekeeper never "
                        + "does it, whatever policy.destructive says: put it back in the manifest, or delete it by "
                        + "hand (aws dynamodb update-table --region \(spec.region) --table-name \(spec.tableName) "
                        + "--replica-updates '[{\"Delete\": {\"RegionName\": \"\(replica.region)\"}}]')"
                )
            )
        }
        for replica in observed.replicas where replica.status != "ACTIVE" {
            if ["CREATING", "UPDATING", "DELETING"].contains(replica.status) {
                waits.append(
                    PartialWait(field: "replicas[", reason: "replica in \(replica.region) is \(replica.status)")
                )
                continue
            }
            // Every replica must be ACTIVE before another is added or changed.
            waits.append(PartialWait(field: "replicas[", reason: "replica in \(replica.region) is \(replica.status)"))
            guard wanted[replica.region] != nil else { continue }
            let dropped =
                ["REGION_DISABLED", "INACCESSIBLE_ENCRYPTION_CREDENTIALS"].contains(replica.status)
                ? "; DynamoDB drops a replica that stays so for more than 20 hours" : ""
            changes.append(
                Change(
                    field: Self.replicaField(spec.tableName, replica.region),
                    from: replica.status,
                    to: "ACTIVE",
                    action: .flag,
                    reason: .unsupported,
                    advice: "the replica in \(replica.region) is \(replica.status): check that its region is enabled "
                        + "and its KMS key usable\(dropped)"
                )
            )
        }
        for replica in spec.replicas {
            guard let have = present[replica.region] else {
                addReplica(replica)
                continue
            }
            guard have.status == "ACTIVE" else { continue }
            compareReplicaEncryption(replica, have)
            compareReplicaSettings(replica, have)
        }
    }

    /// Why DynamoDB would refuse a new replica now, from what it reports (nil: nothing in the way). Writes must be on
    /// demand or auto scaled on the table and every index (DevGuide V2globaltables_reqs_bestpractices), and a stream
    /// must already be NEW_AND_OLD_IMAGES if there is one (it cannot be retyped once the table is global).
    func replicaBlocker() -> String? {
        if observed.billingMode != spec.billingMode { return "the billing mode switch" }
        if observed.billingMode == .provisioned {
            let owners: [String?] = [nil] + observed.globalIndexes.map(\.name)
            for owner in owners where observed.scaling.targets[ScalingUnit(index: owner, dimension: .write)] == nil {
                return "auto scaled writes on the \(owner.map { "index \($0)" } ?? "table") (DynamoDB refuses a "
                    + "replica of a provisioned table whose writes are not auto scaled)"
            }
        }
        if let stream = observed.stream, stream != .newAndOldImages {
            return "the stream to be NEW_AND_OLD_IMAGES (it is \(stream.rawValue), and cannot be changed once global)"
        }
        return nil
    }

    mutating func addReplica(_ replica: ReplicaSpec) {
        let field = Self.replicaField(spec.tableName, replica.region)
        let encryption = desired.replicaEncryption[replica.region]
        if case .unresolvable(let problem)? = encryption {
            failure = "replica in \(replica.region): \(problem)"
            return
        }
        let to =
            "replica in \(replica.region) (\(spec.encryption(of: replica).summary), \(spec.tableClass(of: replica).rawValue))"
        if desired.creationReplicas.contains(field) {
            changes.append(Change(field: field, from: "absent", to: to, action: .create))
        } else if !inPlace(field, from: "absent", to: to, class: .safe) {
            return
        }
        if let blocker = replicaBlocker() {
            waits.append(PartialWait(field: field, reason: "replica in \(replica.region) waits for \(blocker)"))
        }
        var member = ReplicationGroupUpdate.Member(RegionName: replica.region)
        if case .customerKey(let arn)? = encryption { member.KMSMasterKeyId = arn }
        if spec.tableClass(of: replica) != spec.tableClass {
            member.TableClassOverride = spec.tableClass(of: replica).rawValue
        }
        var input = UpdateTableInput(TableName: spec.tableName)
        input.ReplicaUpdates = [ReplicationGroupUpdate(Create: member)]
        steps.append(.updateTable(input, what: "add replica in \(replica.region)", field: field))
    }

    /// The replica's key, compared by key ARN in its own region (never alias against ARN).
    mutating func compareReplicaEncryption(_ replica: ReplicaSpec, _ have: ObservedReplica) {
        guard let wanted = desired.replicaEncryption[replica.region] else { return }
        let field = Self.replicaField(spec.tableName, replica.region) + ".encryption"
        // The replica table's own SSEDescription names a key ARN; the table's Replicas list may not.
        let observedKey: String? = {
            if case .kmsKey(let arn)? = have.encryption { return arn }
            if have.encryption == .awsOwned { return nil }
            return have.kmsKeyArn
        }()
        let managed: String? = {
            if case .awsManaged(let arn)? = desired.replicaEncryption[replica.region] { return arn }
            return nil
        }()
        let from: String
        switch (observedKey, have.encryption) {
        case (let arn?, _) where arn == managed: from = "KMS(\(arn))"
        case (let arn?, _): from = "CUSTOMER_KEY(\(arn))"
        case (nil, .awsOwned?): from = "DEFAULT"
        case (nil, _): from = "as the table (\(observedEncryptionSummary()))"
        }
        switch wanted {
        case .unresolvable(let problem):
            failure = "replica in \(replica.region): \(problem)"
        case .customerKey(let arn):
            // A listed key that is not an ARN is compared once the replica table's own description is read.
            guard observedKey != arn, observedKey?.hasPrefix("arn:") ?? true else { return }
            let command =
                "aws dynamodb update-table --region \(spec.region) --table-name \(spec.tableName) --replica-updates "
                + "'[{\"Update\": {\"RegionName\": \"\(replica.region)\", \"KMSMasterKeyId\": \"\(arn)\"}}]'"
            guard
                inPlace(
                    field,
                    from: from,
                    to: "CUSTOMER_KEY(\(arn))",
                    class: .encryption,
                    advice: "set policy.encryption to \"apply\" to let Tablekeeper switch the replica's key, or run: "
                        + "\(command); AWS allows 4 key changes per table per 24 h, then one per 6 h; keep the old key "
                        + "enabled until the switch completes"
                )
            else { return }
            var input = UpdateTableInput(TableName: spec.tableName)
            input.ReplicaUpdates = [
                ReplicationGroupUpdate(Update: .init(RegionName: replica.region, KMSMasterKeyId: arn))
            ]
            steps.append(.updateTable(input, what: "switch the key of the replica in \(replica.region)", field: field))
        case .awsManaged(let arn):
            // The replica region's AWS managed key, listed or read; nothing listed is the table's type.
            let matches =
                observedKey.map { key in arn.map { $0 == key } ?? false } ?? (have.encryption != .awsOwned)
            if !matches { replicaTypeFlag(field, from: from, to: "KMS") }
        case .awsOwned:
            if observedKey != nil { replicaTypeFlag(field, from: from, to: "DEFAULT") }
        }
    }

    /// A replica whose key is of another type than the table's: it follows the table's encryption switch when one
    /// is planned; otherwise a person decides (DynamoDB has no replica update to the AWS owned or managed key).
    mutating func replicaTypeFlag(_ field: String, from: String, to: String) {
        if changes.contains(where: { $0.field == "encryption" }) {
            waits.append(PartialWait(field: field, reason: "\(field) follows the table's encryption switch"))
            return
        }
        changes.append(
            Change(
                field: field,
                from: from,
                to: to,
                action: .flag,
                reason: .encryption,
                advice: "a replica's encryption type follows the table's, and DynamoDB has no replica update to the "
                    + "AWS owned or managed key: switch the replica table in its region by hand (aws dynamodb "
                    + "update-table --sse-specification ...), then check with describe-table"
            )
        )
    }

    /// Table class through ReplicaUpdates; PITR and deletion protection on the replica table in its region.
    mutating func compareReplicaSettings(_ replica: ReplicaSpec, _ have: ObservedReplica) {
        let base = Self.replicaField(spec.tableName, replica.region)
        let tableClass = spec.tableClass(of: replica)
        if have.tableClass != tableClass,
            inPlace(base + ".tableClass", from: have.tableClass.rawValue, to: tableClass.rawValue, class: .safe)
        {
            var member = ReplicationGroupUpdate.Member(
                RegionName: replica.region,
                TableClassOverride: tableClass.rawValue
            )
            // With customer keys DynamoDB wants every replica Update to name the replica's key.
            if case .customerKey(let arn)? = desired.replicaEncryption[replica.region] { member.KMSMasterKeyId = arn }
            var input = UpdateTableInput(TableName: spec.tableName)
            input.ReplicaUpdates = [ReplicationGroupUpdate(Update: member)]
            steps.append(
                .updateTable(
                    input,
                    what: "set table class \(tableClass.rawValue) of the replica in \(replica.region)",
                    field: base + ".tableClass"
                )
            )
        }
        let pitr = spec.pointInTimeRecovery(of: replica)
        if let current = have.pointInTimeRecovery, current != pitr,
            inPlace(
                base + ".pointInTimeRecovery",
                from: String(current),
                to: String(pitr),
                class: pitr ? .safe : .destructive,
                advice: "turning point-in-time recovery off deletes the replica's continuous backups: set "
                    + "policy.destructive to \"apply\", or change it by hand in \(replica.region)"
            )
        {
            steps.append(
                .replicaSetting(
                    region: replica.region,
                    .pointInTimeRecovery(pitr),
                    field: base + ".pointInTimeRecovery"
                )
            )
        }
        let protection = spec.deletionProtection(of: replica)
        if let current = have.deletionProtection, current != protection,
            inPlace(
                base + ".deletionProtection",
                from: String(current),
                to: String(protection),
                class: protection ? .safe : .destructive,
                advice: "turning deletion protection off makes the replica table deletable: set policy.destructive "
                    + "to \"apply\", or change it by hand in \(replica.region)"
            )
        {
            steps.append(
                .replicaSetting(
                    region: replica.region,
                    .deletionProtection(protection),
                    field: base + ".deletionProtection"
                )
            )
        }
    }
}
