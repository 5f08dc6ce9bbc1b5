import DynamoDBControl
import Manifest
import Reconcile
import TablekeeperConfig

/// A desired table and a matching observed one, for the planner's tests to vary one field at a time.
enum Fixtures {
    static let awsManagedArn = "arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-0000-0000-0000-000000000001"
    static let customerArn = "arn:aws:kms:us-east-1:123456789012:key/cccccccc-0000-0000-0000-000000000002"
    static let otherCustomerArn = "arn:aws:kms:us-east-1:123456789012:key/dddddddd-0000-0000-0000-000000000003"
    static let customerAlias = "arn:aws:kms:us-east-1:123456789012:alias/sentinel"
    static let context = RegionContext(awsManagedKeyArn: awsManagedArn)

    static let id = KeyAttribute(name: "id", type: .string)
    static let createdAt = KeyAttribute(name: "created_at", type: .string)
    static let status = KeyAttribute(name: "status", type: .string)

    static var spec: TableSpec {
        TableSpec(
            tableName: "sentinel-requests",
            region: "us-east-1",
            partitionKey: id,
            globalSecondaryIndexes: [
                GlobalSecondaryIndex(name: "gsi-status", partitionKey: status, sortKey: createdAt)
            ],
            ttlAttribute: "ttl",
            pointInTimeRecovery: true,
            deletionProtection: true,
            tags: ["app": "sentinel"],
            encryption: .kms
        )
    }

    static func desired(_ spec: TableSpec = spec, encryption: ResolvedEncryption? = nil) -> DesiredTable {
        let resolved: ResolvedEncryption
        switch spec.encryption.type {
        case .awsOwned: resolved = .awsOwned
        case .kms: resolved = .awsManaged(keyArn: awsManagedArn)
        case .customerKey: resolved = .customerKey(keyArn: customerArn)
        }
        return DesiredTable(manifest: "manifests/requests.json", spec: spec, encryption: encryption ?? resolved)
    }

    static var observed: ObservedTable {
        ObservedTable(
            name: "sentinel-requests",
            region: "us-east-1",
            arn: "arn:aws:dynamodb:us-east-1:123456789012:table/sentinel-requests",
            status: "ACTIVE",
            partitionKey: id,
            sortKey: nil,
            billingMode: .payPerRequest,
            throughput: nil,
            globalIndexes: [
                ObservedGlobalIndex(
                    name: "gsi-status",
                    partitionKey: status,
                    sortKey: createdAt,
                    projection: .all,
                    throughput: nil,
                    status: "ACTIVE"
                )
            ],
            localIndexes: [],
            stream: nil,
            encryption: .kmsKey(awsManagedArn),
            encryptionStatus: "ENABLED",
            tableClass: .standard,
            deletionProtection: true,
            ttlAttribute: "ttl",
            ttlStatus: "ENABLED",
            pointInTimeRecovery: true,
            tags: ["app": "sentinel", "tablekeeper:managed": "true", "tablekeeper:manifest": "manifests/requests.json"]
        )
    }

    static func plan(
        _ spec: TableSpec = spec,
        _ observed: ObservedTable? = observed,
        policy: ReconcilePolicy = ReconcilePolicy(),
        encryption: ResolvedEncryption? = nil
    ) -> TablePlan {
        Planner.plan(
            desired: desired(spec, encryption: encryption),
            observed: observed,
            policy: policy,
            context: context
        )
    }
}
