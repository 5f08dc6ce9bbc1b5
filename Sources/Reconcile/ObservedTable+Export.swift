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
                    throughput: billingMode == .provisioned ? index.throughput : nil,
                    capacity: exportedCapacity(
                        index: index.name,
                        onDemand: index.onDemand,
                        warm: index.warm,
                        throughput: index.throughput
                    )
                )
            },
            localSecondaryIndexes: localIndexes,
            ttlAttribute: ttlAttribute,
            stream: stream,
            pointInTimeRecovery: pointInTimeRecovery,
            deletionProtection: deletionProtection,
            tableClass: tableClass,
            tags: tags.filter { !ReconcileTags.isReserved($0.key) },
            encryption: encryption,
            capacity: exportedCapacity(index: nil, onDemand: onDemand, warm: warm, throughput: throughput),
            replicas: replicas.map { replica in
                var key: String?
                if case .customerKey = encryption.type {
                    if let arn = replica.kmsKeyArn {
                        key = arn
                    } else if case .kmsKey(let arn)? = replica.encryption {
                        key = arn
                    }
                }
                return ReplicaSpec(
                    region: replica.region,
                    kmsKeyArn: key,
                    tableClass: replica.tableClass == tableClass ? nil : replica.tableClass,
                    pointInTimeRecovery: replica.pointInTimeRecovery.flatMap { $0 == pointInTimeRecovery ? nil : $0 },
                    deletionProtection: replica.deletionProtection.flatMap { $0 == deletionProtection ? nil : $0 }
                )
            }
        )
    }

    /// Auto scaling from the table's targets (those with a target-tracking policy), on-demand maximums that are
    /// set, and warm throughput above where a new table starts.
    func exportedCapacity(
        index: String?,
        onDemand: OnDemandLimits?,
        warm: WarmThroughputSpec?,
        throughput: Throughput?
    )
        -> CapacitySpec
    {
        var capacity = CapacitySpec()
        if billingMode == .provisioned {
            var scaling = AutoScalingSpec()
            for dimension in CapacityDimension.allCases {
                let unit = ScalingUnit(index: index, dimension: dimension)
                // Tablekeeper's own policy first, else a target-tracking one on the same metric; its aim is kept
                // within the 20-90 % DynamoDB allows.
                guard let target = self.scaling.targets[unit],
                    let aim =
                        (target.policies.first { $0.name == unit.policyName }
                        ?? target.policies.first { $0.metric == unit.metric && $0.type == "TargetTrackingScaling" })?
                        .targetValue
                else { continue }
                let percent = min(max(Int64(aim.rounded()), 20), 90)
                let range = ScalingRange(min: target.min, max: target.max, targetUtilization: percent)
                if dimension == .read { scaling.read = range } else { scaling.write = range }
            }
            if scaling.read != nil || scaling.write != nil { capacity.autoScaling = scaling }
        } else if let onDemand {
            let read = onDemand.maxReadRequestUnits.flatMap { $0 > 0 ? $0 : nil }
            let write = onDemand.maxWriteRequestUnits.flatMap { $0 > 0 ? $0 : nil }
            if read != nil || write != nil {
                capacity.onDemand = OnDemandLimits(maxReadRequestUnits: read, maxWriteRequestUnits: write)
            }
        }
        if let warm {
            let start = CreateTableRequest.startingWarmThroughput(billingMode: billingMode, throughput: throughput)
            let read = warm.readUnitsPerSecond.flatMap { $0 > start.read ? $0 : nil }
            let write = warm.writeUnitsPerSecond.flatMap { $0 > start.write ? $0 : nil }
            if read != nil || write != nil {
                capacity.warm = WarmThroughputSpec(readUnitsPerSecond: read, writeUnitsPerSecond: write)
            }
        }
        return capacity
    }
}
