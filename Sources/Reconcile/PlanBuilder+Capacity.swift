import DynamoDBControl
import Manifest
import TablekeeperConfig

/// Auto scaling, on-demand maximums and warm throughput.
extension PlanBuilder {
    /// The manifest's auto scaling of the table (nil) or of an index.
    func declaredScaling(_ index: String?) -> AutoScalingSpec? {
        guard let index else { return spec.capacity.autoScaling }
        return spec.globalSecondaryIndexes.first { $0.name == index }?.capacity.autoScaling
    }

    /// Whether auto scaling owns a capacity: declared in the manifest, or a scalable target exists. Such capacity
    /// is never compared with `provisionedThroughput`, so Tablekeeper never resets what auto scaling set.
    func isScaled(_ index: String?, _ dimension: CapacityDimension) -> Bool {
        declaredScaling(index)?[dimension] != nil
            || observed.scaling.targets[ScalingUnit(index: index, dimension: dimension)] != nil
    }

    /// The capacity to compare: the manifest's, except where auto scaling owns it (then what it set).
    func comparedCapacity(_ want: Throughput, have: Throughput, index: String?) -> Throughput {
        Throughput(
            read: isScaled(index, .read) ? have.read : want.read,
            write: isScaled(index, .write) ? have.write : want.write
        )
    }

    /// The indexes of both the manifest and the table, ACTIVE and of the same shape (nil first: the table).
    var capacityOwners: [String?] {
        [nil]
            + spec.globalSecondaryIndexes.compactMap { wanted in
                guard let have = observed.globalIndexes.first(where: { $0.name == wanted.name }),
                    have.status == "ACTIVE", Self.sameShape(wanted, have)
                else { return nil }
                return wanted.name
            }
    }

    static func describe(_ target: ObservedScalableTarget, policy: ObservedScalableTarget.Policy?) -> String {
        let aim = policy?.targetValue.map { "\(Int64($0.rounded()))%" } ?? "no policy"
        return "\(target.min)-\(target.max) @\(aim)"
    }

    func currentCapacity(_ unit: ScalingUnit) -> Int64? {
        let throughput =
            unit.index.map { name in observed.globalIndexes.first { $0.name == name }?.throughput }
            ?? observed.throughput
        return throughput.map { unit.dimension == .read ? $0.read : $0.write }
    }

    mutating func compareAutoScaling() {
        if let problem = observed.scalingUnknown {
            let declared = capacityOwners.contains { declaredScaling($0) != nil }
            if declared, observed.billingMode == .provisioned {
                waits.append(PartialWait(field: "autoScaling", reason: "auto scaling not readable (\(problem))"))
            }
            return
        }
        switch (spec.billingMode, observed.billingMode) {
        case (.provisioned, .provisioned):
            for index in capacityOwners {
                for dimension in CapacityDimension.allCases {
                    compareScaling(ScalingUnit(index: index, dimension: dimension))
                }
            }
        case (.payPerRequest, .payPerRequest):
            // Targets kept from provisioned days apply again if the table goes back (switching.capacitymode.html).
            for index in capacityOwners {
                for dimension in CapacityDimension.allCases {
                    leftOverScaling(ScalingUnit(index: index, dimension: dimension))
                }
            }
        default:
            // The billing mode switches first; auto scaling follows on the next cycles (see compareBilling).
            return
        }
    }

    /// One capacity of a provisioned table.
    mutating func compareScaling(_ unit: ScalingUnit) {
        let declared = declaredScaling(unit.index)?[unit.dimension]
        let target = observed.scaling.targets[unit]
        let ours = target?.policies.first { $0.name == unit.policyName }
        let foreign = target?.policies.filter { $0.name != unit.policyName }.map(\.name) ?? []
        switch (declared, target) {
        case (nil, nil):
            return
        case (let range?, nil):
            if desired.creationScaling.contains(unit.field) {
                // Part of the table's creation, like its TTL (its `created` record lists it).
                changes.append(Change(field: unit.field, from: "none", to: range.summary, action: .create))
            } else if !inPlace(unit.field, from: "none", to: range.summary, class: .safe) {
                return
            }
            steps.append(.autoScaling(.register(unit, min: range.min, max: range.max), field: unit.field))
            steps.append(.autoScaling(.putPolicy(unit, targetUtilization: range.targetUtilization), field: unit.field))
        case (let range?, let target?):
            if !foreign.isEmpty {
                changes.append(
                    Change(
                        field: unit.field,
                        from: "policy \(foreign.joined(separator: ", ")) not made by Tablekeeper",
                        to: range.summary,
                        action: .flag,
                        reason: .autoscalingUnmanaged,
                        advice: "Tablekeeper does not overwrite a scaling policy it did not create: delete it "
                            + "(aws application-autoscaling delete-scaling-policy --service-namespace dynamodb "
                            + "--resource-id \(unit.resourceId(table: spec.tableName)) --scalable-dimension "
                            + "\(unit.scalableDimension) --policy-name NAME), or remove autoScaling from the manifest"
                    )
                )
                return
            }
            let rangeDiffers = target.min != range.min || target.max != range.max
            let policyDiffers =
                ours?.targetValue != Double(range.targetUtilization) || ours?.metric != unit.metric
                || ours?.type != "TargetTrackingScaling"
            guard rangeDiffers || policyDiffers else { return }
            guard inPlace(unit.field, from: Self.describe(target, policy: ours), to: range.summary, class: .safe)
            else { return }
            if rangeDiffers {
                steps.append(.autoScaling(.register(unit, min: range.min, max: range.max), field: unit.field))
            }
            if policyDiffers {
                steps.append(
                    .autoScaling(.putPolicy(unit, targetUtilization: range.targetUtilization), field: unit.field)
                )
            }
        case (nil, let target?):
            let current = currentCapacity(unit).map { "\($0)" } ?? "its current value"
            let declared =
                (unit.index.map { name in spec.globalSecondaryIndexes.first { $0.name == name }?.throughput }
                ?? spec.throughput).map { unit.dimension == .read ? $0.read : $0.write }
            let then =
                declared.map { "provisionedThroughput \($0) applies from the next cycle" }
                ?? "the manifest's capacity applies from the next cycle"
            if ours == nil {
                changes.append(
                    Change(
                        field: unit.field,
                        from: "scalable target \(target.min)-\(target.max)",
                        to: "not in the manifest",
                        action: .flag,
                        reason: .autoscalingUnmanaged,
                        advice: "auto scaling that the manifest does not declare owns this capacity, and Tablekeeper "
                            + "never resets it: declare autoScaling.\(unit.dimension.rawValue) for the \(unit.owner) "
                            + "in the manifest, or deregister the target (aws application-autoscaling "
                            + "deregister-scalable-target --service-namespace dynamodb --resource-id "
                            + "\(unit.resourceId(table: spec.tableName)) --scalable-dimension \(unit.scalableDimension))"
                    )
                )
                return
            }
            guard
                inPlace(
                    unit.field,
                    from: Self.describe(target, policy: ours),
                    to: "none (capacity left at \(current); \(then))",
                    class: .destructive,
                    advice: "autoScaling was removed from the manifest: deregistering the target leaves the "
                        + "\(unit.dimension.rawValue) capacity at \(current) units, no longer following the load, and "
                        + "then \(then); set policy.destructive to \"apply\", deregister it by hand, or keep "
                        + "autoScaling"
                )
            else { return }
            steps.append(.autoScaling(.deregister(unit), field: unit.field))
        }
    }

    /// A scalable target on an on-demand table: Tablekeeper's own is removed once the switch is done (capacity is
    /// not at stake); another's is reported, since it applies again if the table goes back to provisioned.
    mutating func leftOverScaling(_ unit: ScalingUnit) {
        guard let target = observed.scaling.targets[unit] else { return }
        let from = "scalable target \(target.min)-\(target.max) kept from provisioned billing"
        if target.policies.contains(where: { $0.name == unit.policyName }) {
            guard inPlace(unit.field, from: from, to: "none", class: .safe) else { return }
            steps.append(.autoScaling(.deregister(unit), field: unit.field))
            return
        }
        changes.append(
            Change(
                field: unit.field,
                from: from,
                to: "none (PAY_PER_REQUEST)",
                action: .flag,
                reason: .autoscalingUnmanaged,
                advice: "the table is on demand, but this target applies again if it goes back to PROVISIONED: "
                    + "deregister it (aws application-autoscaling deregister-scalable-target --service-namespace "
                    + "dynamodb --resource-id \(unit.resourceId(table: spec.tableName)) --scalable-dimension "
                    + "\(unit.scalableDimension))"
            )
        )
    }

    /// The on-demand maximums of the table and its indexes, in one UpdateTable. A member the manifest does not
    /// give is not compared; one DynamoDB does not report is no limit (-1).
    mutating func compareOnDemand() {
        guard spec.billingMode == .payPerRequest, observed.billingMode == .payPerRequest else { return }
        var input = UpdateTableInput(TableName: spec.tableName)
        var updates: [GlobalSecondaryIndexUpdate] = []
        var what: [String] = []
        for index in capacityOwners {
            let wanted =
                index.map { name in spec.globalSecondaryIndexes.first { $0.name == name }?.capacity.onDemand }
                ?? spec.capacity.onDemand
            guard let wanted else { continue }
            let have =
                index.map { name in observed.globalIndexes.first { $0.name == name }?.onDemand }
                ?? observed.onDemand
            let current = OnDemandLimits(
                maxReadRequestUnits: have?.maxReadRequestUnits ?? -1,
                maxWriteRequestUnits: have?.maxWriteRequestUnits ?? -1
            )
            let differs =
                (wanted.maxReadRequestUnits.map { $0 != current.maxReadRequestUnits } ?? false)
                || (wanted.maxWriteRequestUnits.map { $0 != current.maxWriteRequestUnits } ?? false)
            let field = (index.map { "globalSecondaryIndexes[\($0)]." } ?? "") + "onDemandThroughput"
            guard differs, inPlace(field, from: current.summary, to: wanted.summary, class: .safe) else { continue }
            let shape = CreateTableRequest.onDemand(wanted)
            if let index {
                updates.append(GlobalSecondaryIndexUpdate(Update: .init(IndexName: index, OnDemandThroughput: shape)))
            } else {
                input.OnDemandThroughput = shape
            }
            what.append("\(index.map { "index \($0)" } ?? "table") \(current.summary) -> \(wanted.summary)")
        }
        guard !what.isEmpty else { return }
        if !updates.isEmpty { input.GlobalSecondaryIndexUpdates = updates }
        steps.append(
            .updateTable(
                input,
                what: "set on-demand maximums (\(what.joined(separator: ", ")))",
                field: "onDemandThroughput"
            )
        )
    }

    /// What a manifest floor below DynamoDB's warm throughput means, for the in-sync message: nothing is sent.
    static func floorNote(_ wanted: WarmThroughputSpec, have: WarmThroughputSpec) -> String? {
        let below =
            (wanted.readUnitsPerSecond.map { $0 < (have.readUnitsPerSecond ?? 0) } ?? false)
            || (wanted.writeUnitsPerSecond.map { $0 < (have.writeUnitsPerSecond ?? 0) } ?? false)
        guard below else { return nil }
        return "warm throughput is \(have.summary), above the manifest's \(wanted.summary): the floor is met, and "
            + "DynamoDB cannot lower it"
    }

    /// Warm throughput is a floor: DynamoDB raises it by itself and cannot lower it, so a reported value at or
    /// above the manifest's is in sync, and only the members below it are raised (warm-throughput.html).
    mutating func compareWarmThroughput() {
        var input = UpdateTableInput(TableName: spec.tableName)
        var updates: [GlobalSecondaryIndexUpdate] = []
        var what: [String] = []
        for index in capacityOwners {
            let wanted =
                index.map { name in spec.globalSecondaryIndexes.first { $0.name == name }?.capacity.warm }
                ?? spec.capacity.warm
            guard let wanted else { continue }
            let have =
                index.map { name in observed.globalIndexes.first { $0.name == name }?.warm } ?? observed.warm
            let status =
                index.map { name in observed.globalIndexes.first { $0.name == name }?.warmStatus }
                ?? observed.warmStatus
            func raised(_ want: Int64?, _ current: Int64?) -> Int64? {
                guard let want, want > (current ?? 0) else { return nil }
                return want
            }
            let read = raised(wanted.readUnitsPerSecond, have?.readUnitsPerSecond)
            let write = raised(wanted.writeUnitsPerSecond, have?.writeUnitsPerSecond)
            let field = (index.map { "globalSecondaryIndexes[\($0)]." } ?? "") + "warmThroughput"
            let owner = index.map { "index \($0)" } ?? "table"
            if let have, let note = Self.floorNote(wanted, have: have) { notes.append("\(owner) \(note)") }
            guard read != nil || write != nil else { continue }
            if status == "UPDATING" {
                // A raise is being prepared: its values show once it is done; asking again would repeat it.
                waits.append(PartialWait(field: "warmThroughput", reason: "\(owner) warm throughput is UPDATING"))
                continue
            }
            let current = have ?? WarmThroughputSpec()
            guard inPlace(field, from: current.summary, to: wanted.summary, class: .safe) else { continue }
            let shape = WarmThroughputShape(ReadUnitsPerSecond: read, WriteUnitsPerSecond: write)
            if let index {
                updates.append(GlobalSecondaryIndexUpdate(Update: .init(IndexName: index, WarmThroughput: shape)))
            } else {
                input.WarmThroughput = shape
            }
            what.append("\(index.map { "index \($0)" } ?? "table") \(current.summary) -> \(wanted.summary)")
        }
        guard !what.isEmpty else { return }
        if !updates.isEmpty { input.GlobalSecondaryIndexUpdates = updates }
        steps.append(
            .updateTable(
                input,
                what: "raise warm throughput (\(what.joined(separator: ", ")))",
                field: "warmThroughput"
            )
        )
    }
}
