public import Manifest

extension ObservedTable {
    /// The manifest that describes this table as it is (for adopting tables made before Tablekeeper).
    ///
    /// - Parameter awsManagedKeyArn: the region's `alias/aws/dynamodb` key ARN, to tell `KMS` from a customer key.
    public func exportedSpec(awsManagedKeyArn: String?) -> TableSpec? {
        guard let partitionKey else { return nil }
        let encryption: EncryptionSpec
        switch self.encryption {
        case .awsOwned: encryption = .awsOwned
        case .kmsKey(let arn): encryption = arn == awsManagedKeyArn ? .kms : .customerKey(arn)
        }
        return TableSpec(
            tableName: name,
            region: region,
            partitionKey: partitionKey,
            sortKey: sortKey,
            billingMode: billingMode,
            throughput: billingMode == .provisioned ? throughput : nil,
            globalSecondaryIndexes: globalIndexes.compactMap { index in
                guard let key = index.partitionKey else { return nil }
                return GlobalSecondaryIndex(
                    name: index.name,
                    partitionKey: key,
                    sortKey: index.sortKey,
                    projection: index.projection,
                    throughput: billingMode == .provisioned ? index.throughput : nil
                )
            },
            localSecondaryIndexes: localIndexes,
            ttlAttribute: ttlAttribute,
            stream: stream,
            pointInTimeRecovery: pointInTimeRecovery,
            deletionProtection: deletionProtection,
            tableClass: tableClass,
            tags: tags.filter { !ReconcileTags.isReserved($0.key) },
            encryption: encryption
        )
    }
}
