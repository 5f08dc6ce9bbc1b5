import DynamoDBControl
import Manifest

extension PlanBuilder {
    /// Attribute definitions for an UpdateTable that creates `index`: every key attribute of the table and of
    /// the indexes that stay, plus the new index's (moto replaces the list wholesale; DynamoDB merges it).
    func definitions(adding index: GlobalSecondaryIndex) -> [AttributeDefinition] {
        var byName: [String: AttributeType] = [:]
        for key in [observed.partitionKey, observed.sortKey].compactMap({ $0 }) { byName[key.name] = key.type }
        for existing in observed.globalIndexes {
            for key in [existing.partitionKey, existing.sortKey].compactMap({ $0 }) { byName[key.name] = key.type }
        }
        for local in observed.localIndexes { byName[local.sortKey.name] = local.sortKey.type }
        byName[index.partitionKey.name] = index.partitionKey.type
        if let sortKey = index.sortKey { byName[sortKey.name] = sortKey.type }
        return CreateTableRequest.definitions(
            byName.map { KeyAttribute(name: $0.key, type: $0.value) }.sorted { $0.name < $1.name }
        )
    }

    mutating func compareGlobalIndexes() {
        let wanted = Dictionary(spec.globalSecondaryIndexes.map { ($0.name, $0) }) { first, _ in first }
        let have = Dictionary(observed.globalIndexes.map { ($0.name, $0) }) { first, _ in first }
        // Removals first (one per UpdateTable call), then additions, in manifest order.
        for index in observed.globalIndexes where wanted[index.name] == nil {
            let field = "globalSecondaryIndexes[\(index.name)]"
            if inPlace(
                field,
                from: Self.describe(index),
                to: "absent",
                class: .destructive,
                advice: "removing an index breaks queries that use it: set policy.destructive to \"apply\", "
                    + "delete it by hand, or put it back in the manifest"
            ) {
                var input = UpdateTableInput(TableName: spec.tableName)
                input.GlobalSecondaryIndexUpdates = [GlobalSecondaryIndexUpdate(Delete: .init(IndexName: index.name))]
                steps.append(.updateTable(input, what: "delete index \(index.name)", field: field))
            }
        }
        for index in spec.globalSecondaryIndexes {
            let field = "globalSecondaryIndexes[\(index.name)]"
            guard let existing = have[index.name] else {
                if inPlace(field, from: "absent", to: Self.describe(index), class: .safe) {
                    var input = UpdateTableInput(TableName: spec.tableName)
                    input.AttributeDefinitions = definitions(adding: index)
                    input.GlobalSecondaryIndexUpdates = [
                        GlobalSecondaryIndexUpdate(
                            Create: CreateTableRequest.globalIndex(index, billingMode: spec.billingMode)
                        )
                    ]
                    steps.append(.updateTable(input, what: "add index \(index.name)", field: field))
                    if observed.billingMode != spec.billingMode {
                        // Made for the manifest's billing mode: it waits for the switch (which may be held by
                        // AWS's limit on switches to on demand).
                        waits.append(
                            PartialWait(field: field, reason: "index \(index.name) waits for the billing mode switch")
                        )
                    }
                }
                continue
            }
            if !Self.sameShape(index, existing) {
                replacement(
                    field,
                    from: Self.describe(existing),
                    to: Self.describe(index),
                    advice: "an index's keys and projection cannot change in place: add a new index under another "
                        + "name, move readers to it, then remove the old one from the manifest"
                )
            }
        }
    }
}
