import DynamoDBControl
import Manifest
import TablekeeperConfig

/// Auto scaling, on-demand maximums and warm throughput.
extension PlanBuilder {
    /// The manifest's capacity settings of the table (nil) or of an index.
    func manifestCapacity(_ index: String?) -> CapacitySpec? {
        guard let index else { return spec.capacity }
        return spec.globalSecondaryIndexes.first { $0.name == index }?.capacity
    }

    /// What DynamoDB reports of the table's (nil) or an index's on-demand maximums and warm throughput.
    func observedCapacity(
        _ index: String?
    ) -> (onDemand: OnDemandLimits?, warm: WarmThroughputSpec?, warmStatus: String?) {
        guard let index else { return (observed.onDemand, observed.warm, observed.warmStatus) }
        let have = observed.globalIndexes.first { $0.name == index }
        return (have?.onDemand, have?.warm, have?.warmStatus)
    }

    /// `onDemandThroughput` or `globalSecondaryIndexes[gsi].onDemandThroughput`.
    static func capacityField(_ index: String?, _ name: String) -> String {
        (index.map { "globalSecondaryIndexes[\($0)]." } ?? "") + name
    }

    /// `table` or `index gsi`, for messages.
    static func ownerLabel(_ index: String?) -> String { index.map { "index \($0)" } ?? "table" }

    /// One UpdateTable gathering a setting of the table and its indexes.
    struct CapacityUpdate {
        var input: UpdateTableInput
        var updates: [GlobalSecondaryIndexUpdate] = []
        var what: [String] = []

        /// The step, nil when nothing was added.
        func step(_ verb: String, field: String) -> Step? {
            guard !what.isEmpty else { return nil }
            var input = input
            if !updates.isEmpty { input.GlobalSecondaryIndexUpdates = updates }
            return .updateTable(input, what: "\(verb) (\(what.joined(separator: ", ")))", field: field)
        }
    }

    /// The manifest's auto scaling of the table (nil) or of an index.
    func declaredScaling(_ index: String?) -> AutoScalingSpec? {
        manifestCapacity(index)?.autoScaling
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
        var update = CapacityUpdate(input: UpdateTableInput(TableName: spec.tableName))
        for index in capacityOwners {
            guard let wanted = manifestCapacity(index)?.onDemand else { continue }
            let have = observedCapacity(index).onDemand
            let current = OnDemandLimits(
                maxReadRequestUnits: have?.maxReadRequestUnits ?? -1,
                maxWriteRequestUnits: have?.maxWriteRequestUnits ?? -1
            )
            let differs =
                (wanted.maxReadRequestUnits.map { $0 != current.maxReadRequestUnits } ?? false)
                || (wanted.maxWriteRequestUnits.map { $0 != current.maxWriteRequestUnits } ?? false)
            let field = Self.capacityField(index, "onDemandThroughput")
            guard differs, inPlace(field, from: current.summary, to: wanted.summary, class: .safe) else { continue }
            let shape = CreateTableRequest.onDemand(wanted)
            if let index {
                update.updates.append(
                    GlobalSecondaryIndexUpdate(Update: .init(IndexName: index, OnDemandThroughput: shape))
                )
            } else {
                update.input.OnDemandThroughput = shape
            }
            update.what.append("\(Self.ownerLabel(index)) \(current.summary) -> \(wanted.summary)")
        }
        if let step = update.step("set on-demand maximums", field: "onDemandThroughput") { steps.append(step) }
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
        var update = CapacityUpdate(input: UpdateTableInput(TableName: spec.tableName))
        for index in capacityOwners {
            guard let wanted = manifestCapacity(index)?.warm else { continue }
            let (_, have, status) = observedCapacity(index)
            func raised(_ want: Int64?, _ current: Int64?) -> Int64? {
                guard let want, want > (current ?? 0) else { return nil }
                return want
            }
            let read = raised(wanted.readUnitsPerSecond, have?.readUnitsPerSecond)
            let write = raised(wanted.writeUnitsPerSecond, have?.writeUnitsPerSecond)
            let field = Self.capacityField(index, "warmThroughput")
            let owner = Self.ownerLabel(index)
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
                update.updates.append(
                    GlobalSecondaryIndexUpdate(Update: .init(IndexName: index, WarmThroughput: shape))
                )
            } else {
                update.input.WarmThroughput = shape
            }
            update.what.append("\(owner) \(current.summary) -> \(wanted.summary)")
        }
        if let step = update.step("raise warm throughput", field: "warmThroughput") { steps.append(step) }
    }
}
