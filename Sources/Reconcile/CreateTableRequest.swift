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

    static func globalIndex(_ index: GlobalSecondaryIndex, billingMode: BillingMode) -> GlobalSecondaryIndexShape {
        var shape = GlobalSecondaryIndexShape(
            IndexName: index.name,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: projection(index.projection),
            ProvisionedThroughput: throughput(index.throughput)
        )
        shape.OnDemandThroughput = onDemand(index.capacity.onDemand)
        shape.WarmThroughput = warmAtCreation(
            index.capacity.warm,
            billingMode: billingMode,
            throughput: index.throughput
        )
        return shape
    }

    static func onDemand(_ limits: OnDemandLimits?) -> OnDemandThroughputShape? {
        limits.map {
            OnDemandThroughputShape(
                MaxReadRequestUnits: $0.maxReadRequestUnits,
                MaxWriteRequestUnits: $0.maxWriteRequestUnits
            )
        }
    }

    /// Where a new table or index starts without asking (warm-throughput.html): on demand 12,000 reads and 4,000
    /// writes a second, provisioned its capacity.
    static func startingWarmThroughput(billingMode: BillingMode, throughput: Throughput?) -> (read: Int64, write: Int64)
    {
        billingMode == .payPerRequest ? (12_000, 4_000) : (throughput?.read ?? 1, throughput?.write ?? 1)
    }

    /// The warm throughput CreateTable asks for: only the members above where the table starts anyway (a value
    /// below is already met).
    static func warmAtCreation(
        _ warm: WarmThroughputSpec?,
        billingMode: BillingMode,
        throughput: Throughput?
    )
        -> WarmThroughputShape?
    {
        guard let warm else { return nil }
        let start = startingWarmThroughput(billingMode: billingMode, throughput: throughput)
        let read = warm.readUnitsPerSecond.flatMap { $0 > start.read ? $0 : nil }
        let write = warm.writeUnitsPerSecond.flatMap { $0 > start.write ? $0 : nil }
        guard read != nil || write != nil else { return nil }
        return WarmThroughputShape(ReadUnitsPerSecond: read, WriteUnitsPerSecond: write)
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
        input.OnDemandThroughput = onDemand(spec.capacity.onDemand)
        input.WarmThroughput = warmAtCreation(
            spec.capacity.warm,
            billingMode: spec.billingMode,
            throughput: spec.throughput
        )
        if !spec.globalSecondaryIndexes.isEmpty {
            input.GlobalSecondaryIndexes = spec.globalSecondaryIndexes.map {
                globalIndex($0, billingMode: spec.billingMode)
            }
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
