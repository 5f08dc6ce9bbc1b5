import DynamoDBControl
import FoundationEssentials
import Manifest
public import TablekeeperConfig
import UTCTime

/// The pure heart of Tablekeeper: `(desired, observed, policy) -> plan`, no I/O.
public enum Planner {
    /// Plans one table.
    ///
    /// - Parameters:
    ///   - desired: the manifest with its encryption resolved.
    ///   - observed: the table as AWS reports it, nil when it does not exist.
    ///   - policy: what may be applied.
    ///   - context: facts about the table's region.
    public static func plan(
        desired: DesiredTable,
        observed: ObservedTable?,
        policy: ReconcilePolicy,
        context: RegionContext
    ) -> TablePlan {
        var plan = TablePlan(manifest: desired.manifest, table: desired.spec.tableName, region: desired.spec.region)
        if case .unresolvable(let message) = desired.encryption {
            plan.failure = message
            return plan
        }
        guard let observed else {
            plan.changes = [Change(field: "table", from: "absent", to: "present", action: .create)]
            if let ttl = desired.spec.ttlAttribute {
                // Set once the table is ACTIVE; recorded now so a restart still knows it belongs to the creation.
                plan.changes.append(Change(field: "ttlAttribute", from: "disabled", to: ttl, action: .create))
            }
            // Replicas are added once the table is ACTIVE, one a call, as part of the creation.
            for replica in desired.spec.replicas {
                plan.changes.append(
                    Change(
                        field: PlanBuilder.replicaField(desired.spec.tableName, replica.region),
                        from: "absent",
                        to: "replica in \(replica.region)",
                        action: .create
                    )
                )
            }
            // Auto scaling is registered once the table is ACTIVE, as part of the creation.
            for index in [nil] + desired.spec.globalSecondaryIndexes.map(\.name) {
                let scaling =
                    index.map { name in desired.spec.globalSecondaryIndexes.first { $0.name == name }?.capacity }
                    ?? desired.spec.capacity
                for dimension in CapacityDimension.allCases {
                    guard let range = scaling?.autoScaling?[dimension] else { continue }
                    let field = ScalingUnit(index: index, dimension: dimension).field
                    plan.changes.append(Change(field: field, from: "none", to: range.summary, action: .create))
                }
            }
            plan.steps = [.create(CreateTableRequest.make(desired))]
            return plan
        }
        plan.tableArn = observed.arn
        if ["INACCESSIBLE_ENCRYPTION_CREDENTIALS", "ARCHIVING", "ARCHIVED"].contains(observed.status) {
            plan.changes = [
                Change(
                    field: "table",
                    from: observed.status,
                    to: "ACTIVE",
                    action: .flag,
                    reason: .unsupported,
                    advice: "the table's KMS key is not accessible\(Self.since(observed.inaccessibleSince)): re-enable "
                        + "the key or restore its grants; DynamoDB archives the table 7 days after\(Self.archival(observed.inaccessibleSince))"
                )
            ]
            return plan
        }
        // Tags are read only once a table is ACTIVE or UPDATING; in other states the table waits anyway.
        let tagsRead = observed.status == "ACTIVE" || observed.status == "UPDATING"
        if tagsRead, !observed.isManaged, !desired.adoptionAllowed, !desired.createdHere {
            plan.changes = [Self.unmanaged(desired)]
            return plan
        }
        var builder = PlanBuilder(desired: desired, observed: observed, policy: policy, context: context)
        builder.compareKeys()
        if !builder.changes.isEmpty {
            // The manifest describes another table: nothing of it is applied to this one.
            plan.changes = builder.changes
            return plan
        }
        builder.compareLocalIndexes()
        builder.compareBilling()
        builder.compareAutoScaling()
        builder.compareOnDemand()
        builder.compareWarmThroughput()
        builder.compareGlobalIndexes()
        builder.compareStream()
        builder.compareEncryption()
        builder.compareTableClass()
        builder.compareDeletionProtection()
        builder.compareTimeToLive()
        builder.comparePointInTimeRecovery()
        builder.compareTags()
        builder.compareReplicas()
        if let failure = builder.failure {
            plan.failure = failure
            return plan
        }
        plan.changes = builder.changes
        plan.steps = builder.steps
        plan.retryAfter = builder.retryAfter
        plan.notes = builder.notes
        plan.pendingReason = observed.tableTransition
        plan.partialWaits =
            observed.partialTransitions.map { PartialWait(field: $0.field, reason: $0.reason) } + builder.waits
        return plan
    }

    /// The flag for a table that exists without the `tablekeeper:managed` tag and may not be taken over.
    static func unmanaged(_ desired: DesiredTable) -> Change {
        let name = desired.spec.tableName
        let region = desired.spec.region
        return Change(
            field: "table",
            from: "unmanaged (no tablekeeper:managed tag)",
            to: "managed",
            action: .flag,
            reason: .unmanaged,
            advice: "Tablekeeper changes only tables it created or was allowed to adopt: check that the manifest "
                + "names the right table, then run `tablekeeper adopt --config FILE --table \(name) --region "
                + "\(region)` or add \"\(name)\" to scope.adopt"
        )
    }

    static func since(_ date: Date?) -> String {
        date.map { " since \(UTCTime.format($0, fraction: false))" } ?? ""
    }

    static func archival(_ date: Date?) -> String {
        date.map { ", at \(UTCTime.format($0.addingTimeInterval(7 * 86_400), fraction: false))" } ?? ""
    }

    /// Plans a managed table that no manifest names: always a flag, never a deletion.
    public static func planOrphan(_ observed: ObservedTable) -> TablePlan {
        var plan = TablePlan(manifest: nil, table: observed.name, region: observed.region)
        plan.tableArn = observed.arn
        let source = observed.tags[ReconcileTags.manifest].map { " (was \(ReconcileTags.manifestPath($0)))" } ?? ""
        plan.changes = [
            Change(
                field: "table",
                from: "managed table\(source)",
                to: "no manifest",
                action: .flag,
                reason: .orphaned,
                advice: "restore its manifest, or remove the tag tablekeeper:managed to release it; "
                    + "Tablekeeper never deletes tables"
            )
        ]
        return plan
    }
}
