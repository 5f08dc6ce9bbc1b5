extension ManifestDecoder {
    static func registerIndexName(
        _ name: String,
        at path: String,
        context: inout TableContext,
        diagnostics: inout Diagnostics
    ) {
        if let previous = context.indexNames[name] {
            diagnostics.add(
                path,
                "index name \(quoted(name)) is already used at \(previous)",
                fix: "give each index its own name"
            )
        } else {
            context.indexNames[name] = path
        }
    }

    static func decodeIndexName(
        _ reader: JSONReader,
        context: inout TableContext,
        diagnostics: inout Diagnostics
    )
        -> String?
    {
        let path = reader.childPath("indexName")
        guard let name = reader.string("indexName", diagnostics: &diagnostics) else {
            if !reader.has("indexName") {
                diagnostics.add(path, "is required", fix: "name the index, e.g. \"gsi-status\"")
            }
            return nil
        }
        guard ManifestRules.isValidName(name) else {
            diagnostics.add(
                path,
                "\(quoted(name)) is not a valid index name",
                fix: "use 3 to 255 characters of A-Z a-z 0-9 _ . -"
            )
            return nil
        }
        registerIndexName(name, at: path, context: &context, diagnostics: &diagnostics)
        return name
    }

    static func decodeGlobalIndexes(
        _ root: JSONReader,
        billingMode: BillingMode,
        context: inout TableContext,
        diagnostics: inout Diagnostics
    ) -> [GlobalSecondaryIndex] {
        guard let elements = root.array("globalSecondaryIndexes", diagnostics: &diagnostics) else { return [] }
        if elements.count > ManifestRules.maximumGlobalIndexes {
            diagnostics.add(
                "$.globalSecondaryIndexes",
                "has \(elements.count) indexes",
                fix: "DynamoDB allows at most \(ManifestRules.maximumGlobalIndexes) global secondary indexes per table"
            )
        }
        var result: [GlobalSecondaryIndex] = []
        for (offset, element) in elements.enumerated() {
            let path = "$.globalSecondaryIndexes[\(offset)]"
            guard let reader = JSONReader(element, path: path, what: "each index", diagnostics: &diagnostics) else {
                continue
            }
            reader.checkKeys(
                allowed: [
                    "indexName", "partitionKey", "sortKey", "projection", "nonKeyAttributes", "provisionedThroughput",
                    "autoScaling", "onDemandThroughput", "warmThroughput",
                ],
                diagnostics: &diagnostics
            )
            let name = decodeIndexName(reader, context: &context, diagnostics: &diagnostics)
            let partitionKey = decodeKey(
                reader,
                "partitionKey",
                required: true,
                context: &context,
                diagnostics: &diagnostics
            )
            let sortKey = decodeKey(reader, "sortKey", required: false, context: &context, diagnostics: &diagnostics)
            let projection = decodeProjection(reader, context: &context, diagnostics: &diagnostics)
            let throughput = decodeThroughput(
                reader,
                billingMode: billingMode,
                owner: "every global secondary index",
                diagnostics: &diagnostics
            )
            let capacity = decodeCapacity(
                reader,
                billingMode: billingMode,
                owner: "the table",
                diagnostics: &diagnostics
            )
            if let name, let partitionKey, let projection {
                result.append(
                    GlobalSecondaryIndex(
                        name: name,
                        partitionKey: partitionKey,
                        sortKey: sortKey,
                        projection: projection,
                        throughput: throughput,
                        capacity: capacity
                    )
                )
            }
        }
        return result
    }

    static func decodeLocalIndexes(
        _ root: JSONReader,
        tableSortKey: KeyAttribute?,
        context: inout TableContext,
        diagnostics: inout Diagnostics
    ) -> [LocalSecondaryIndex] {
        guard let elements = root.array("localSecondaryIndexes", diagnostics: &diagnostics) else { return [] }
        if elements.count > ManifestRules.maximumLocalIndexes {
            diagnostics.add(
                "$.localSecondaryIndexes",
                "has \(elements.count) indexes",
                fix: "DynamoDB allows at most \(ManifestRules.maximumLocalIndexes) local secondary indexes per table"
            )
        }
        if !elements.isEmpty, tableSortKey == nil, !root.has("sortKey") {
            diagnostics.add(
                "$.localSecondaryIndexes",
                "local secondary indexes need a table sort key",
                fix: "add \"sortKey\" to the table, or use a global secondary index"
            )
        }
        var result: [LocalSecondaryIndex] = []
        for (offset, element) in elements.enumerated() {
            let path = "$.localSecondaryIndexes[\(offset)]"
            guard let reader = JSONReader(element, path: path, what: "each index", diagnostics: &diagnostics) else {
                continue
            }
            reader.checkKeys(
                allowed: ["indexName", "sortKey", "projection", "nonKeyAttributes"],
                diagnostics: &diagnostics
            )
            let name = decodeIndexName(reader, context: &context, diagnostics: &diagnostics)
            let sortKey = decodeKey(reader, "sortKey", required: true, context: &context, diagnostics: &diagnostics)
            let projection = decodeProjection(reader, context: &context, diagnostics: &diagnostics)
            if let name, let sortKey, let projection {
                result.append(LocalSecondaryIndex(name: name, sortKey: sortKey, projection: projection))
            }
        }
        return result
    }
}
