/// Cross-field facts gathered while decoding one table.
struct TableContext {
    /// Each key attribute's first type and where it was declared.
    var attributeTypes: [String: (type: AttributeType, path: String)] = [:]
    var indexNames: [String: String] = [:]
    var projectedAttributes = 0

    mutating func declare(_ key: KeyAttribute, at path: String, diagnostics: inout Diagnostics) {
        if let existing = attributeTypes[key.name] {
            if existing.type != key.type {
                diagnostics.add(
                    path + ".type",
                    "attribute \(quoted(key.name)) is \(key.type.rawValue) here but \(existing.type.rawValue) at \(existing.path)",
                    fix: "an attribute has one type: use the same type in every key"
                )
            }
        } else {
            attributeTypes[key.name] = (key.type, path)
        }
    }
}

extension ManifestDecoder {
    static func decodeTable(
        _ root: JSONReader,
        defaults: ManifestDefaults,
        context: inout TableContext,
        diagnostics: inout Diagnostics
    ) -> TableSpec? {
        if let schema = root.value("$schema", diagnostics: &diagnostics), schema.stringValue == nil {
            diagnostics.add("$.$schema", "must be a string", fix: "use \"./table.schema.json\" or remove it")
        }
        let tableName = root.string("tableName", diagnostics: &diagnostics)
        if let tableName, !ManifestRules.isValidName(tableName) {
            diagnostics.add(
                "$.tableName",
                "\(quoted(tableName)) is not a valid table name",
                fix: "use 3 to 255 characters of A-Z a-z 0-9 _ . -"
            )
        } else if tableName == nil, !root.has("tableName") {
            diagnostics.add("$.tableName", "is required", fix: "add \"tableName\": \"my-table\"")
        }
        let region = decodeRegion(root, defaults: defaults, diagnostics: &diagnostics)
        let partitionKey = decodeKey(root, "partitionKey", required: true, context: &context, diagnostics: &diagnostics)
        let sortKey = decodeKey(root, "sortKey", required: false, context: &context, diagnostics: &diagnostics)
        let billingMode = root.enumeration("billingMode", BillingMode.self, diagnostics: &diagnostics) ?? .payPerRequest
        let throughput = decodeThroughput(root, billingMode: billingMode, owner: "the table", diagnostics: &diagnostics)
        let globalIndexes = decodeGlobalIndexes(
            root,
            billingMode: billingMode,
            context: &context,
            diagnostics: &diagnostics
        )
        let localIndexes = decodeLocalIndexes(root, tableSortKey: sortKey, context: &context, diagnostics: &diagnostics)
        if context.projectedAttributes > ManifestRules.maximumProjectedAttributes {
            diagnostics.add(
                "$",
                "indexes project \(context.projectedAttributes) non-key attributes in all",
                fix: "DynamoDB allows at most \(ManifestRules.maximumProjectedAttributes); use ALL or fewer names"
            )
        }
        let ttlAttribute = decodeTTL(root, context: context, diagnostics: &diagnostics)
        let stream = decodeStream(root, diagnostics: &diagnostics)
        let pitr = root.bool("pointInTimeRecovery", diagnostics: &diagnostics) ?? false
        let deletionProtection = root.bool("deletionProtection", diagnostics: &diagnostics) ?? false
        let tableClass = root.enumeration("tableClass", TableClass.self, diagnostics: &diagnostics) ?? .standard
        let tags = decodeTags(root, diagnostics: &diagnostics)
        let encryption = decodeEncryption(root, region: region, defaults: defaults, diagnostics: &diagnostics)
        let capacity = decodeCapacity(root, billingMode: billingMode, owner: "the table", diagnostics: &diagnostics)

        guard let tableName, let partitionKey, let encryption else { return nil }
        var spec = TableSpec(
            tableName: tableName,
            region: region ?? "",
            partitionKey: partitionKey,
            sortKey: sortKey,
            billingMode: billingMode,
            throughput: throughput,
            globalSecondaryIndexes: globalIndexes,
            localSecondaryIndexes: localIndexes,
            ttlAttribute: ttlAttribute,
            stream: stream,
            pointInTimeRecovery: pitr,
            deletionProtection: deletionProtection,
            tableClass: tableClass,
            tags: tags,
            encryption: encryption,
            capacity: capacity
        )
        spec.replicas = decodeReplicas(root, region: region, table: spec, diagnostics: &diagnostics)
        spec.suspended = root.bool("suspended", diagnostics: &diagnostics) ?? false
        // Replicas turn the NEW_AND_OLD_IMAGES stream on; the manifest says so, or nothing would match.
        if !spec.replicas.isEmpty, spec.stream == nil { spec.stream = .newAndOldImages }
        return spec
    }

    static func decodeRegion(_ root: JSONReader, defaults: ManifestDefaults, diagnostics: inout Diagnostics) -> String?
    {
        guard let region = root.string("region", diagnostics: &diagnostics) else { return defaults.region }
        if !ManifestRules.isValidRegion(region) {
            diagnostics.add("$.region", "\(quoted(region)) is not an AWS region name", fix: "use a name like us-east-1")
            return nil
        }
        return region
    }

    static func decodeKey(
        _ parent: JSONReader,
        _ key: String,
        required: Bool,
        context: inout TableContext,
        diagnostics: inout Diagnostics
    ) -> KeyAttribute? {
        let path = parent.childPath(key)
        guard
            let reader = parent.object(
                key,
                what: "a key like {\"name\": \"id\", \"type\": \"S\"}",
                diagnostics: &diagnostics
            )
        else {
            if required, !parent.has(key) {
                diagnostics.add(path, "is required", fix: "add \"\(key)\": {\"name\": \"id\", \"type\": \"S\"}")
            }
            return nil
        }
        reader.checkKeys(allowed: ["name", "type"], diagnostics: &diagnostics)
        let name = reader.string("name", diagnostics: &diagnostics)
        if name == nil, !reader.has("name") {
            diagnostics.add(path + ".name", "is required", fix: "name the key attribute")
        }
        if let name, !(1...255).contains(name.utf8.count) {
            diagnostics.add(path + ".name", "must be 1 to 255 bytes long", fix: "shorten or fill in the attribute name")
        }
        let type = reader.enumeration("type", AttributeType.self, diagnostics: &diagnostics)
        if type == nil, !reader.has("type") {
            diagnostics.add(path + ".type", "is required", fix: "use \"S\", \"N\" or \"B\"")
        }
        guard let name, let type, (1...255).contains(name.utf8.count) else { return nil }
        let attribute = KeyAttribute(name: name, type: type)
        context.declare(attribute, at: path, diagnostics: &diagnostics)
        return attribute
    }

    static func decodeThroughput(
        _ parent: JSONReader,
        billingMode: BillingMode,
        owner: String,
        diagnostics: inout Diagnostics
    ) -> Throughput? {
        let path = parent.childPath("provisionedThroughput")
        guard parent.has("provisionedThroughput") else {
            if billingMode == .provisioned {
                diagnostics.add(
                    path,
                    "is required for \(owner) with billingMode PROVISIONED",
                    fix: "add {\"readCapacityUnits\": 5, \"writeCapacityUnits\": 5}"
                )
            }
            return nil
        }
        if billingMode == .payPerRequest {
            diagnostics.add(
                path,
                "is not allowed with billingMode PAY_PER_REQUEST",
                fix: "remove it, or set \"billingMode\": \"PROVISIONED\" on the table"
            )
            return nil
        }
        guard let reader = parent.object("provisionedThroughput", what: "the throughput", diagnostics: &diagnostics)
        else { return nil }
        reader.checkKeys(allowed: ["readCapacityUnits", "writeCapacityUnits"], diagnostics: &diagnostics)
        let range: ClosedRange<Int64> = 1...ManifestRules.maximumCapacity
        let read = reader.integer("readCapacityUnits", in: range, diagnostics: &diagnostics)
        let write = reader.integer("writeCapacityUnits", in: range, diagnostics: &diagnostics)
        for key in ["readCapacityUnits", "writeCapacityUnits"] where !reader.has(key) {
            diagnostics.add(path + "." + key, "is required", fix: "give a whole number of capacity units, e.g. 5")
        }
        guard let read, let write else { return nil }
        return Throughput(read: read, write: write)
    }

    static func decodeProjection(
        _ reader: JSONReader,
        context: inout TableContext,
        diagnostics: inout Diagnostics
    )
        -> Projection?
    {
        let type = reader.has("projection") ? reader.string("projection", diagnostics: &diagnostics) : "ALL"
        let names = reader.array("nonKeyAttributes", diagnostics: &diagnostics)
        let path = reader.childPath("nonKeyAttributes")
        switch type {
        case "ALL", "KEYS_ONLY":
            if names != nil {
                diagnostics.add(
                    path,
                    "is only allowed with projection INCLUDE",
                    fix: "remove it, or set \"projection\": \"INCLUDE\""
                )
            }
            return type == "ALL" ? .all : .keysOnly
        case "INCLUDE":
            guard let names, !names.isEmpty else {
                diagnostics.add(path, "is required with projection INCLUDE", fix: "list 1 to 20 attribute names")
                return nil
            }
            if names.count > 20 {
                diagnostics.add(path, "has \(names.count) names", fix: "list at most 20, or use projection ALL")
            }
            var result: [String] = []
            for (offset, element) in names.enumerated() {
                guard let name = element.stringValue, (1...255).contains(name.utf8.count) else {
                    diagnostics.add("\(path)[\(offset)]", "must be an attribute name", fix: "write a non-empty string")
                    continue
                }
                if result.contains(name) {
                    diagnostics.add("\(path)[\(offset)]", "\(quoted(name)) is listed twice", fix: "list it once")
                }
                result.append(name)
            }
            context.projectedAttributes += result.count
            return .include(result.sorted())
        case let other?:
            let hint = Spelling.suggestion(for: other, among: ["ALL", "KEYS_ONLY", "INCLUDE"])
            diagnostics.add(
                reader.childPath("projection"),
                "\(quoted(other)) is not one of ALL, KEYS_ONLY, INCLUDE",
                fix: hint.map { "did you mean \(quoted($0))?" } ?? "use ALL, KEYS_ONLY or INCLUDE"
            )
            return nil
        case nil:
            return nil
        }
    }
}
