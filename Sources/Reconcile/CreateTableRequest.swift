import DynamoDBControl
import Manifest

/// Maps manifests to DynamoDB request shapes.
enum CreateTableRequest {
    static func keySchema(_ partition: KeyAttribute, _ sort: KeyAttribute?) -> [KeySchemaElement] {
        var schema = [KeySchemaElement(AttributeName: partition.name, KeyType: "HASH")]
        if let sort { schema.append(KeySchemaElement(AttributeName: sort.name, KeyType: "RANGE")) }
        return schema
    }

    static func projection(_ projection: Projection) -> ProjectionShape {
        if case .include(let names) = projection {
            return ProjectionShape(ProjectionType: "INCLUDE", NonKeyAttributes: names)
        }
        return ProjectionShape(ProjectionType: projection.typeName)
    }

    static func throughput(_ value: Throughput?) -> ProvisionedThroughputShape? {
        value.map { ProvisionedThroughputShape(ReadCapacityUnits: $0.read, WriteCapacityUnits: $0.write) }
    }

    static func globalIndex(_ index: GlobalSecondaryIndex) -> GlobalSecondaryIndexShape {
        GlobalSecondaryIndexShape(
            IndexName: index.name,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: projection(index.projection),
            ProvisionedThroughput: throughput(index.throughput)
        )
    }

    static func definitions(_ attributes: [KeyAttribute]) -> [AttributeDefinition] {
        attributes.map { AttributeDefinition(AttributeName: $0.name, AttributeType: $0.type.rawValue) }
    }

    /// The key ARN CreateTable sends for a resolved encryption.
    static func resolvedKeyArn(_ encryption: ResolvedEncryption) -> String? {
        if case .customerKey(let arn) = encryption { return arn }
        return nil
    }

    /// CreateTable with everything that can be set at creation; TTL and PITR follow once ACTIVE.
    static func make(_ desired: DesiredTable) -> CreateTableInput {
        let spec = desired.spec
        var input = CreateTableInput(
            TableName: spec.tableName,
            AttributeDefinitions: definitions(spec.keyAttributes),
            KeySchema: keySchema(spec.partitionKey, spec.sortKey),
            BillingMode: spec.billingMode.rawValue
        )
        input.ProvisionedThroughput = throughput(spec.throughput)
        if !spec.globalSecondaryIndexes.isEmpty {
            input.GlobalSecondaryIndexes = spec.globalSecondaryIndexes.map(globalIndex)
        }
        if !spec.localSecondaryIndexes.isEmpty {
            input.LocalSecondaryIndexes = spec.localSecondaryIndexes.map { index in
                LocalSecondaryIndexShape(
                    IndexName: index.name,
                    KeySchema: keySchema(spec.partitionKey, index.sortKey),
                    Projection: projection(index.projection)
                )
            }
        }
        if let stream = spec.stream {
            input.StreamSpecification = StreamSpecificationShape(StreamEnabled: true, StreamViewType: stream.rawValue)
        }
        input.SSESpecification = spec.encryption.sseSpecification(resolvedKeyArn: resolvedKeyArn(desired.encryption))
            .map(sseShape)
        var tags = spec.tags.sorted { $0.key < $1.key }.map { TagShape(Key: $0.key, Value: $0.value) }
        tags.append(TagShape(Key: ReconcileTags.managed, Value: "true"))
        tags.append(TagShape(Key: ReconcileTags.manifest, Value: ReconcileTags.manifestValue(desired.manifest)))
        input.Tags = tags
        if spec.tableClass != .standard { input.TableClass = spec.tableClass.rawValue }
        if spec.deletionProtection { input.DeletionProtectionEnabled = true }
        return input
    }

    static func sseShape(_ specification: SSESpecification) -> SSESpecificationShape {
        SSESpecificationShape(
            Enabled: specification.enabled,
            SSEType: specification.sseType,
            KMSMasterKeyId: specification.kmsMasterKeyId
        )
    }
}
