import DynamoDBControl
import FoundationEssentials
import Manifest
import TablekeeperConfig

/// Accumulates the changes and steps of one table's plan, one `compare…` per concern.
struct PlanBuilder {
    let desired: DesiredTable
    let observed: ObservedTable
    let policy: ReconcilePolicy
    let context: RegionContext
    var changes: [Change] = []
    var steps: [Step] = []
    var retryAfter: [String: Date] = [:]
    /// Comparisons that cannot be made this cycle, and why.
    var waits: [PartialWait] = []
    /// Set when a table cannot be planned (a replica's key cannot be resolved).
    var failure: String?
    /// Facts worth saying about a table in sync (a warm-throughput floor below what DynamoDB holds).
    var notes: [String] = []

    var spec: TableSpec { desired.spec }

    init(desired: DesiredTable, observed: ObservedTable, policy: ReconcilePolicy, context: RegionContext) {
        self.desired = desired
        self.observed = observed
        self.policy = policy
        self.context = context
    }

    enum ChangeClass {
        case safe
        case destructive
        case encryption
    }

    /// Records a change that can be made in place, as an update or a flag depending on the policy; `advice` is
    /// what to do when a destructive or encryption change is flagged (safe ones get the policy's own advice).
    /// Returns whether it will be applied (then the caller adds its step).
    mutating func inPlace(
        _ field: String,
        from: String,
        to: String,
        class changeClass: ChangeClass,
        advice: String = ""
    ) -> Bool {
        let mode: ReconcilePolicy.Mode
        let reason: Change.Reason
        let policyAdvice: String
        switch changeClass {
        case .safe:
            (mode, reason) = (policy.updates, .policy)
            policyAdvice = "policy.updates is \"flag\": make the change by hand, or set policy.updates to \"apply\""
        case .destructive:
            (mode, reason) = (policy.destructive, .destructive)
            policyAdvice = advice
        case .encryption:
            (mode, reason) = (policy.encryption, .encryption)
            policyAdvice = advice
        }
        if mode == .apply {
            changes.append(Change(field: field, from: from, to: to, action: .update))
            return true
        }
        changes.append(Change(field: field, from: from, to: to, action: .flag, reason: reason, advice: policyAdvice))
        return false
    }

    mutating func replacement(_ field: String, from: String, to: String, advice: String? = nil) {
        changes.append(
            Change(
                field: field,
                from: from,
                to: to,
                action: .flag,
                reason: .requiresReplacement,
                advice: advice
                    ?? "DynamoDB cannot change this in place: create a new table with the new definition, migrate "
                    + "the data (export to S3 and import, or a copy job), then switch the manifest to the new table"
            )
        )
    }

    static func describe(_ key: KeyAttribute?) -> String {
        key.map { "\($0.name) (\($0.type.rawValue))" } ?? "none"
    }

    mutating func compareKeys() {
        if observed.partitionKey != spec.partitionKey {
            replacement(
                "partitionKey",
                from: Self.describe(observed.partitionKey),
                to: Self.describe(spec.partitionKey)
            )
        }
        if observed.sortKey != spec.sortKey {
            replacement("sortKey", from: Self.describe(observed.sortKey), to: Self.describe(spec.sortKey))
        }
    }

    static func describe(_ index: LocalSecondaryIndex) -> String {
        "\(index.name)(\(index.sortKey.name) \(index.sortKey.type.rawValue), \(index.projection.summary))"
    }

    mutating func compareLocalIndexes() {
        let have = observed.localIndexes.sorted { $0.name < $1.name }
        let want = spec.localSecondaryIndexes.sorted { $0.name < $1.name }
        guard have != want else { return }
        replacement(
            "localSecondaryIndexes",
            from: have.isEmpty ? "none" : have.map(Self.describe).joined(separator: ", "),
            to: want.isEmpty ? "none" : want.map(Self.describe).joined(separator: ", "),
            advice: "local secondary indexes exist only from table creation: create a new table with them and "
                + "migrate the data, or use a global secondary index instead"
        )
    }

    static func describe(_ throughput: Throughput?) -> String {
        throughput.map { "\($0.read)/\($0.write)" } ?? "none"
    }

    mutating func compareBilling() {
        var input = UpdateTableInput(TableName: spec.tableName)
        var what: [String] = []
        let remainingIndexes = observed.globalIndexes.filter { index in
            spec.globalSecondaryIndexes.contains { $0.name == index.name }
        }
        let droppedIndexes = observed.globalIndexes.filter { index in
            !spec.globalSecondaryIndexes.contains { $0.name == index.name }
        }
        if observed.billingMode != spec.billingMode {
            guard
                inPlace(
                    "billingMode",
                    from: observed.billingMode.rawValue,
                    to: spec.billingMode.rawValue,
                    class: .safe
                )
            else { return }
            if spec.billingMode == .payPerRequest, let last = observed.lastSwitchToOnDemand {
                // Switches to on-demand are limited per day, counted from the last one.
                retryAfter["billingMode"] = last.addingTimeInterval(86_400)
            }
            input.BillingMode = spec.billingMode.rawValue
            what.append("switch billing to \(spec.billingMode.rawValue)")
            if spec.billingMode == .provisioned {
                // AWS needs throughput for every index on the table, those the manifest drops included.
                if !droppedIndexes.isEmpty, policy.destructive == .apply {
                    // They are deleted first (one per cycle); the switch follows.
                    return
                }
                input.ProvisionedThroughput = CreateTableRequest.throughput(spec.throughput)
                var updates: [GlobalSecondaryIndexUpdate] = remainingIndexes.compactMap { index in
                    guard
                        let throughput = spec.globalSecondaryIndexes.first(where: { $0.name == index.name })?
                            .throughput
                    else { return nil }
                    return GlobalSecondaryIndexUpdate(
                        Update: .init(
                            IndexName: index.name,
                            ProvisionedThroughput: CreateTableRequest.throughput(throughput)!
                        )
                    )
                }
                if let kept = CreateTableRequest.throughput(spec.throughput) {
                    for index in droppedIndexes {
                        updates.append(
                            GlobalSecondaryIndexUpdate(
                                Update: .init(IndexName: index.name, ProvisionedThroughput: kept)
                            )
                        )
                        what.append(
                            "index \(index.name), kept though not in the manifest, at \(Self.describe(spec.throughput))"
                        )
                    }
                }
                input.GlobalSecondaryIndexUpdates = updates
            }
            steps.append(.updateTable(input, what: what.joined(separator: ", "), field: "billingMode"))
            return
        }
        guard spec.billingMode == .provisioned else { return }
        compareThroughput(remainingIndexes: remainingIndexes)
    }

    /// Throughput of the table and its indexes. Increases and decreases are separate steps: AWS limits decreases
    /// per day, and a refused decrease must never hold an increase (more capacity during an incident). Increases
    /// go first, with the units that decrease kept as they are; the decreases follow on a later cycle.
    mutating func compareThroughput(remainingIndexes: [ObservedGlobalIndex]) {
        struct Unit {
            var index: String?
            var have: Throughput
            var want: Throughput
        }
        var units: [Unit] = []
        if let declared = spec.throughput, let have = observed.throughput {
            let want = comparedCapacity(declared, have: have, index: nil)
            if want != have, let problem = observed.scalingUnknown {
                waits.append(PartialWait(field: "provisionedThroughput", reason: Self.unknownScaling(problem)))
            } else if want != have,
                inPlace("provisionedThroughput", from: Self.describe(have), to: Self.describe(want), class: .safe)
            {
                units.append(Unit(index: nil, have: have, want: want))
            }
        }
        for index in remainingIndexes {
            guard let wanted = spec.globalSecondaryIndexes.first(where: { $0.name == index.name }),
                let declared = wanted.throughput, let have = index.throughput, Self.sameShape(wanted, index)
            else { continue }
            let want = comparedCapacity(declared, have: have, index: index.name)
            guard want != have else { continue }
            if let problem = observed.scalingUnknown {
                waits.append(PartialWait(field: "provisionedThroughput", reason: Self.unknownScaling(problem)))
                continue
            }
            if inPlace(
                "globalSecondaryIndexes[\(index.name)].provisionedThroughput",
                from: Self.describe(have),
                to: Self.describe(want),
                class: .safe
            ) {
                units.append(Unit(index: index.name, have: have, want: want))
            }
        }
        guard !units.isEmpty else { return }
        let increasing = units.contains { $0.want.read > $0.have.read || $0.want.write > $0.have.write }
        var input = UpdateTableInput(TableName: spec.tableName)
        var updates: [GlobalSecondaryIndexUpdate] = []
        for unit in units {
            // In the increase step a unit that goes down stays where it is.
            let target =
                increasing
                ? Throughput(read: max(unit.want.read, unit.have.read), write: max(unit.want.write, unit.have.write))
                : unit.want
            guard target != unit.have, let shape = CreateTableRequest.throughput(target) else { continue }
            if let index = unit.index {
                updates.append(
                    GlobalSecondaryIndexUpdate(Update: .init(IndexName: index, ProvisionedThroughput: shape))
                )
            } else {
                input.ProvisionedThroughput = shape
            }
        }
        if !updates.isEmpty { input.GlobalSecondaryIndexUpdates = updates }
        let described = units.map { unit in
            "\(unit.index.map { "index \($0)" } ?? "table") \(Self.describe(unit.have)) -> \(Self.describe(unit.want))"
        }
        if increasing {
            steps.append(
                .updateTable(
                    input,
                    what: "raise throughput (\(described.joined(separator: ", ")))",
                    field: "provisionedThroughput"
                )
            )
        } else {
            if observed.decreasesToday >= 4, let last = observed.lastDecrease {
                // Four decreases a UTC day, then one an hour (DevGuide ServiceQuotas).
                let midnight = (last.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400 + 86_400
                retryAfter["provisionedThroughput.decrease"] = min(
                    last.addingTimeInterval(3600),
                    Date(timeIntervalSince1970: midnight)
                )
            }
            steps.append(
                .updateTable(
                    input,
                    what: "lower throughput (\(described.joined(separator: ", ")))",
                    field: "provisionedThroughput.decrease"
                )
            )
        }
    }

    /// Why capacity is not compared while auto scaling cannot be read: it may belong to auto scaling.
    static func unknownScaling(_ problem: String) -> String {
        "capacity not compared: auto scaling could not be read (\(problem)), and capacity it owns is never reset"
    }

    static func sameShape(_ wanted: GlobalSecondaryIndex, _ have: ObservedGlobalIndex) -> Bool {
        wanted.partitionKey == have.partitionKey && wanted.sortKey == have.sortKey
            && wanted.projection == have.projection
    }

    static func describe(_ index: ObservedGlobalIndex) -> String {
        describeIndex(partitionKey: index.partitionKey, sortKey: index.sortKey, projection: index.projection)
    }

    static func describe(_ index: GlobalSecondaryIndex) -> String {
        describeIndex(partitionKey: index.partitionKey, sortKey: index.sortKey, projection: index.projection)
    }

    /// `HASH status (S), RANGE created_at (S), ALL`.
    static func describeIndex(partitionKey: KeyAttribute?, sortKey: KeyAttribute?, projection: Projection) -> String {
        var parts = ["HASH \(describe(partitionKey))"]
        if let sortKey { parts.append("RANGE \(describe(sortKey))") }
        parts.append(projection.summary)
        return parts.joined(separator: ", ")
    }
}
