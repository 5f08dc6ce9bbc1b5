/// The manifest's JSON Schema (draft 2020-12), for editors and CI of manifest repositories.
///
/// `manifests/table.schema.json` is exactly `ManifestSchema.text`; a test keeps them equal.
public enum ManifestSchema {
    /// The schema as pretty-printed JSON text, ending with a newline.
    public static var text: String {
        document.prettyText + "\n"
    }

    static func object(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(members.map { JSONMember($0.0, $0.1) })
    }

    static func string(_ text: String) -> JSONValue { .string(text) }

    static func enumeration(_ names: [String], _ description: String) -> JSONValue {
        object([
            ("type", "string"), ("enum", .array(names.map(JSONValue.string))), ("description", .string(description)),
        ])
    }

    static func strictObject(
        _ description: String,
        required: [String],
        properties: [(String, JSONValue)]
    ) -> JSONValue {
        var members: [(String, JSONValue)] = [("type", "object"), ("description", .string(description))]
        if !required.isEmpty { members.append(("required", .array(required.map(JSONValue.string)))) }
        members.append(("properties", object(properties)))
        members.append(("additionalProperties", .bool(false)))
        return object(members)
    }

    static let namePattern = "^[A-Za-z0-9_.-]{3,255}$"

    static var keyAttribute: JSONValue {
        strictObject(
            "A key attribute.",
            required: ["name", "type"],
            properties: [
                (
                    "name",
                    object([
                        ("type", "string"), ("minLength", 1), ("maxLength", 255), ("description", "Attribute name."),
                    ])
                ),
                ("type", enumeration(["S", "N", "B"], "Attribute type: S string, N number, B binary.")),
            ]
        )
    }

    static var throughput: JSONValue {
        let units: (String) -> JSONValue = { what in
            object([
                ("type", "integer"), ("minimum", 1), ("maximum", .number(String(ManifestRules.maximumCapacity))),
                ("description", .string(what)),
            ])
        }
        return strictObject(
            "Provisioned capacity; required with PROVISIONED billing, forbidden with PAY_PER_REQUEST.",
            required: ["readCapacityUnits", "writeCapacityUnits"],
            properties: [
                ("readCapacityUnits", units("Read capacity units.")),
                ("writeCapacityUnits", units("Write capacity units.")),
            ]
        )
    }

    static func units(_ description: String, minimum: Int = 1) -> JSONValue {
        var members: [(String, JSONValue)] = [("type", "integer"), ("minimum", .number(String(minimum)))]
        // -1 means no limit; 0 is no limit DynamoDB accepts.
        if minimum < 0 { members.append(("not", object([("const", 0)]))) }
        return object(members + [("description", .string(description))])
    }

    static var capacityProperties: [(String, JSONValue)] {
        let range = strictObject(
            "The capacity range Application Auto Scaling keeps, and the utilization it aims for.",
            required: ["min", "max", "targetUtilization"],
            properties: [
                ("min", units("Least capacity units; at most max.")),
                ("max", units("Most capacity units.")),
                (
                    "targetUtilization",
                    object([
                        ("type", "integer"), ("minimum", 20), ("maximum", 90),
                        ("description", "Consumed to provisioned capacity aimed for, in percent (20 to 90)."),
                    ])
                ),
            ]
        )
        let scaling = strictObject(
            "Auto scaling through Application Auto Scaling; only with PROVISIONED. While declared, the current "
                + "capacity belongs to auto scaling and provisionedThroughput only sets it at creation.",
            required: [],
            properties: [("read", range), ("write", range)]
        )
        let onDemand = strictObject(
            "Most request units per second of an on-demand table or index (-1: no limit); only with PAY_PER_REQUEST.",
            required: [],
            properties: [
                ("maxReadRequestUnits", units("Read request units per second, or -1 for no limit.", minimum: -1)),
                ("maxWriteRequestUnits", units("Write request units per second, or -1 for no limit.", minimum: -1)),
            ]
        )
        let warm = strictObject(
            "Warm throughput, a floor: DynamoDB raises it by itself and cannot lower it; a higher observed value is "
                + "in sync.",
            required: [],
            properties: [
                ("readUnitsPerSecond", units("Read units per second the table serves at once.")),
                ("writeUnitsPerSecond", units("Write units per second the table serves at once.")),
            ]
        )
        // Each names at least one member, as validate requires.
        let nonEmpty: (JSONValue) -> JSONValue = { schema in
            guard case .object(var members) = schema else { return schema }
            members.append(JSONMember("minProperties", 1))
            return .object(members)
        }
        return [
            ("autoScaling", nonEmpty(scaling)), ("onDemandThroughput", nonEmpty(onDemand)),
            ("warmThroughput", nonEmpty(warm)),
        ]
    }

    static var replicas: JSONValue {
        let replica = strictObject(
            "A replica in another region; what it does not name is the table's.",
            required: ["region"],
            properties: [
                (
                    "region",
                    object([
                        ("type", "string"), ("pattern", "^[a-z]{2}(-[a-z]+)+-[0-9]+$"),
                        ("description", "The replica's region, not the table's own."),
                    ])
                ),
                (
                    "kmsKeyArn",
                    object([
                        ("type", "string"),
                        ("pattern", "^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+$"),
                        (
                            "description",
                            "With CUSTOMER_KEY (and only then): the replica's own key, in the replica's region."
                        ),
                    ])
                ),
                ("tableClass", enumeration(["STANDARD", "STANDARD_INFREQUENT_ACCESS"], "Default: the table's.")),
                ("pointInTimeRecovery", object([("type", "boolean"), ("description", "Default: the table's.")])),
                ("deletionProtection", object([("type", "boolean"), ("description", "Default: the table's.")])),
            ]
        )
        return object([
            ("type", "array"), ("items", replica), ("uniqueItems", .bool(true)),
            (
                "description",
                .string(
                    "Replicas of a global table (version 2019.11.21), one per region. Write capacity must be on demand "
                        + "or auto scaled; the stream is NEW_AND_OLD_IMAGES."
                )
            ),
        ])
    }

    static var projectionProperties: [(String, JSONValue)] {
        [
            (
                "projection",
                enumeration(["ALL", "KEYS_ONLY", "INCLUDE"], "Attributes copied into the index; default ALL.")
            ),
            (
                "nonKeyAttributes",
                object([
                    ("type", "array"), ("items", object([("type", "string"), ("minLength", 1)])), ("minItems", 1),
                    ("maxItems", 20), ("uniqueItems", .bool(true)),
                    ("description", "Non-key attributes projected; only with projection INCLUDE."),
                ])
            ),
        ]
    }

    static var indexName: JSONValue {
        object([("type", "string"), ("pattern", .string(namePattern)), ("description", "Index name.")])
    }

    static var encryption: JSONValue {
        var schema = strictObject(
            "Server-side encryption. Default: the config's defaults.encryption, built in {\"type\": \"KMS\"}.",
            required: ["type"],
            properties: [
                (
                    "type",
                    enumeration(
                        ["DEFAULT", "KMS", "CUSTOMER_KEY"],
                        "DEFAULT: AWS owned key. KMS: AWS managed key alias/aws/dynamodb. CUSTOMER_KEY: the key in kmsKeyArn."
                    )
                ),
                (
                    "kmsKeyArn",
                    object([
                        ("type", "string"),
                        ("pattern", "^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+$"),
                        ("description", "Key ARN or alias ARN of a customer managed key; only with CUSTOMER_KEY."),
                    ])
                ),
            ]
        )
        if case .object(var members) = schema {
            members.append(
                JSONMember(
                    "if",
                    object([("properties", object([("type", object([("const", "CUSTOMER_KEY")]))]))])
                )
            )
            members.append(JSONMember("then", object([("required", .array(["kmsKeyArn"]))])))
            members.append(JSONMember("else", object([("not", object([("required", .array(["kmsKeyArn"]))]))])))
            schema = .object(members)
        }
        return schema
    }

    static var document: JSONValue {
        let gsi = strictObject(
            "A global secondary index.",
            required: ["indexName", "partitionKey"],
            properties: [
                ("indexName", indexName), ("partitionKey", keyAttribute), ("sortKey", keyAttribute),
            ] + projectionProperties + [("provisionedThroughput", throughput)] + capacityProperties
        )
        let lsi = strictObject(
            "A local secondary index (needs a table sort key; created with the table only).",
            required: ["indexName", "sortKey"],
            properties: [("indexName", indexName), ("sortKey", keyAttribute)] + projectionProperties
        )
        let properties: [(String, JSONValue)] =
            [
                ("$schema", object([("type", "string"), ("description", "Path of this schema, for editors.")])),
                (
                    "tableName",
                    object([("type", "string"), ("pattern", .string(namePattern)), ("description", "The table name.")])
                ),
                (
                    "region",
                    object([
                        ("type", "string"), ("pattern", "^[a-z]{2}(-[a-z]+)+-[0-9]+$"),
                        ("description", "AWS region; default: the config's aws.region."),
                    ])
                ),
                ("partitionKey", keyAttribute),
                ("sortKey", keyAttribute),
                (
                    "billingMode",
                    enumeration(["PAY_PER_REQUEST", "PROVISIONED"], "Billing mode; default PAY_PER_REQUEST.")
                ),
                ("provisionedThroughput", throughput),
                (
                    "globalSecondaryIndexes",
                    object([("type", "array"), ("maxItems", 20), ("items", gsi), ("description", "At most 20.")])
                ),
                (
                    "localSecondaryIndexes",
                    object([("type", "array"), ("maxItems", 5), ("items", lsi), ("description", "At most 5.")])
                ),
                (
                    "ttlAttribute",
                    object([
                        ("type", "string"), ("minLength", 1), ("maxLength", 255),
                        ("description", "Attribute holding the expiry time (epoch seconds); default no TTL."),
                    ])
                ),
                (
                    "stream",
                    enumeration(
                        ["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY", "DISABLED"],
                        "Stream view type; default no stream."
                    )
                ),
                (
                    "pointInTimeRecovery",
                    object([("type", "boolean"), ("description", "Point-in-time recovery; default false.")])
                ),
                (
                    "deletionProtection",
                    object([("type", "boolean"), ("description", "Deletion protection; default false.")])
                ),
                (
                    "tableClass",
                    enumeration(["STANDARD", "STANDARD_INFREQUENT_ACCESS"], "Table class; default STANDARD.")
                ),
                (
                    "tags",
                    object([
                        ("type", "object"), ("maxProperties", 48),
                        (
                            "propertyNames",
                            object([("maxLength", 128), ("not", object([("pattern", "^(aws|tablekeeper):")]))])
                        ),
                        ("additionalProperties", object([("type", "string"), ("maxLength", 256)])),
                        ("description", "User tags; aws: and tablekeeper: prefixes are reserved."),
                    ])
                ),
                ("encryption", encryption),
            ] + capacityProperties + [
                ("replicas", replicas),
                (
                    "suspended",
                    object([
                        ("type", "boolean"),
                        ("description", "Observe and report the table, never change it; default false."),
                    ])
                ),
            ]
        return object([
            ("$schema", "https://json-schema.org/draft/2020-12/schema"),
            ("$id", "https://tablekeeper.invalid/schemas/table.schema.json"),
            ("title", "Tablekeeper table manifest (v1)"),
            ("description", "One DynamoDB table, reconciled by Tablekeeper."),
            ("type", "object"),
            ("required", .array(["tableName", "partitionKey"])),
            ("properties", object(properties)),
            ("additionalProperties", .bool(false)),
        ])
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    /// A string value.
    public init(stringLiteral value: String) {
        self = .string(value)
    }

    /// A number value.
    public init(integerLiteral value: Int) {
        self = .number(String(value))
    }

    /// An array value.
    public init(arrayLiteral elements: JSONValue...) {
        self = .array(elements)
    }
}
