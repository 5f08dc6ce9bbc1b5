/// Writes a `TableSpec` as manifest JSON (for `tablekeeper export`), naming only what differs from the defaults.
///
/// `ManifestDecoder.decode(ManifestWriter.text(spec))` gives `spec` back.
public enum ManifestWriter {
    /// The manifest text, pretty-printed, ending with a newline.
    public static func text(_ spec: TableSpec, schema: String? = "./table.schema.json") -> String {
        var members: [JSONMember] = []
        if let schema { members.append(JSONMember("$schema", .string(schema))) }
        members.append(JSONMember("tableName", .string(spec.tableName)))
        members.append(JSONMember("region", .string(spec.region)))
        members.append(JSONMember("partitionKey", key(spec.partitionKey)))
        if let sortKey = spec.sortKey { members.append(JSONMember("sortKey", key(sortKey))) }
        members.append(JSONMember("billingMode", .string(spec.billingMode.rawValue)))
        if let throughput = spec.throughput { members.append(JSONMember("provisionedThroughput", units(throughput))) }
        capacity(spec.capacity, into: &members)
        if !spec.globalSecondaryIndexes.isEmpty {
            members.append(JSONMember("globalSecondaryIndexes", .array(spec.globalSecondaryIndexes.map(globalIndex))))
        }
        if !spec.localSecondaryIndexes.isEmpty {
            members.append(JSONMember("localSecondaryIndexes", .array(spec.localSecondaryIndexes.map(localIndex))))
        }
        if let ttl = spec.ttlAttribute { members.append(JSONMember("ttlAttribute", .string(ttl))) }
        if let stream = spec.stream { members.append(JSONMember("stream", .string(stream.rawValue))) }
        members.append(JSONMember("pointInTimeRecovery", .bool(spec.pointInTimeRecovery)))
        members.append(JSONMember("deletionProtection", .bool(spec.deletionProtection)))
        if spec.tableClass != .standard { members.append(JSONMember("tableClass", .string(spec.tableClass.rawValue))) }
        if !spec.tags.isEmpty {
            members.append(
                JSONMember(
                    "tags",
                    .object(spec.tags.sorted { $0.key < $1.key }.map { JSONMember($0.key, .string($0.value)) })
                )
            )
        }
        if spec.suspended { members.append(JSONMember("suspended", .bool(true))) }
        if !spec.replicas.isEmpty {
            members.append(JSONMember("replicas", .array(spec.replicas.map(replica))))
        }
        var encryption = [JSONMember("type", .string(spec.encryption.type.rawValue))]
        if let arn = spec.encryption.kmsKeyArn { encryption.append(JSONMember("kmsKeyArn", .string(arn))) }
        members.append(JSONMember("encryption", .object(encryption)))
        return JSONValue.object(members).prettyText + "\n"
    }

    static func key(_ attribute: KeyAttribute) -> JSONValue {
        .object([JSONMember("name", .string(attribute.name)), JSONMember("type", .string(attribute.type.rawValue))])
    }

    static func units(_ throughput: Throughput) -> JSONValue {
        .object([
            JSONMember("readCapacityUnits", .number(String(throughput.read))),
            JSONMember("writeCapacityUnits", .number(String(throughput.write))),
        ])
    }

    static func projection(_ projection: Projection, into members: inout [JSONMember]) {
        members.append(JSONMember("projection", .string(projection.typeName)))
        if case .include(let names) = projection {
            members.append(JSONMember("nonKeyAttributes", .array(names.map(JSONValue.string))))
        }
    }

    static func globalIndex(_ index: GlobalSecondaryIndex) -> JSONValue {
        var members = [
            JSONMember("indexName", .string(index.name)), JSONMember("partitionKey", key(index.partitionKey)),
        ]
        if let sortKey = index.sortKey { members.append(JSONMember("sortKey", key(sortKey))) }
        projection(index.projection, into: &members)
        if let throughput = index.throughput { members.append(JSONMember("provisionedThroughput", units(throughput))) }
        capacity(index.capacity, into: &members)
        return .object(members)
    }

    static func capacity(_ capacity: CapacitySpec, into members: inout [JSONMember]) {
        func number(_ value: Int64) -> JSONValue { .number(String(value)) }
        if let scaling = capacity.autoScaling {
            var directions: [JSONMember] = []
            for dimension in CapacityDimension.allCases {
                guard let range = scaling[dimension] else { continue }
                directions.append(
                    JSONMember(
                        dimension.rawValue,
                        .object([
                            JSONMember("min", number(range.min)), JSONMember("max", number(range.max)),
                            JSONMember("targetUtilization", number(range.targetUtilization)),
                        ])
                    )
                )
            }
            members.append(JSONMember("autoScaling", .object(directions)))
        }
        if let limits = capacity.onDemand {
            var fields: [JSONMember] = []
            if let read = limits.maxReadRequestUnits { fields.append(JSONMember("maxReadRequestUnits", number(read))) }
            if let write = limits.maxWriteRequestUnits {
                fields.append(JSONMember("maxWriteRequestUnits", number(write)))
            }
            members.append(JSONMember("onDemandThroughput", .object(fields)))
        }
        if let warm = capacity.warm {
            var fields: [JSONMember] = []
            if let read = warm.readUnitsPerSecond { fields.append(JSONMember("readUnitsPerSecond", number(read))) }
            if let write = warm.writeUnitsPerSecond { fields.append(JSONMember("writeUnitsPerSecond", number(write))) }
            members.append(JSONMember("warmThroughput", .object(fields)))
        }
    }

    static func replica(_ replica: ReplicaSpec) -> JSONValue {
        var members = [JSONMember("region", .string(replica.region))]
        if let arn = replica.kmsKeyArn { members.append(JSONMember("kmsKeyArn", .string(arn))) }
        if let tableClass = replica.tableClass {
            members.append(JSONMember("tableClass", .string(tableClass.rawValue)))
        }
        if let pitr = replica.pointInTimeRecovery { members.append(JSONMember("pointInTimeRecovery", .bool(pitr))) }
        if let protection = replica.deletionProtection {
            members.append(JSONMember("deletionProtection", .bool(protection)))
        }
        return .object(members)
    }

    static func localIndex(_ index: LocalSecondaryIndex) -> JSONValue {
        var members = [JSONMember("indexName", .string(index.name)), JSONMember("sortKey", key(index.sortKey))]
        projection(index.projection, into: &members)
        return .object(members)
    }
}
