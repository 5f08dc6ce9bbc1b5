import DynamoDBControl
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
        if observed.billingMode != spec.billingMode {
            if inPlace(
                "billingMode",
                from: observed.billingMode.rawValue,
                to: spec.billingMode.rawValue,
                class: .safe
            ) {
                input.BillingMode = spec.billingMode.rawValue
                what.append("switch billing to \(spec.billingMode.rawValue)")
                if spec.billingMode == .provisioned {
                    input.ProvisionedThroughput = CreateTableRequest.throughput(spec.throughput)
                    input.GlobalSecondaryIndexUpdates = remainingIndexes.compactMap { index in
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
                }
            }
        } else if spec.billingMode == .provisioned {
            if observed.throughput != spec.throughput,
                inPlace(
                    "provisionedThroughput",
                    from: Self.describe(observed.throughput),
                    to: Self.describe(spec.throughput),
                    class: .safe
                )
            {
                input.ProvisionedThroughput = CreateTableRequest.throughput(spec.throughput)
                what.append("set throughput to \(Self.describe(spec.throughput))")
            }
            var updates: [GlobalSecondaryIndexUpdate] = []
            for index in remainingIndexes {
                guard let wanted = spec.globalSecondaryIndexes.first(where: { $0.name == index.name }),
                    wanted.throughput != index.throughput, Self.sameShape(wanted, index)
                else { continue }
                if inPlace(
                    "globalSecondaryIndexes[\(index.name)].provisionedThroughput",
                    from: Self.describe(index.throughput),
                    to: Self.describe(wanted.throughput),
                    class: .safe
                ), let throughput = CreateTableRequest.throughput(wanted.throughput) {
                    updates.append(
                        GlobalSecondaryIndexUpdate(
                            Update: .init(IndexName: index.name, ProvisionedThroughput: throughput)
                        )
                    )
                }
            }
            if !updates.isEmpty {
                input.GlobalSecondaryIndexUpdates = updates
                what.append("set index throughput")
            }
        }
        if !what.isEmpty {
            steps.append(.updateTable(input, what: what.joined(separator: ", "), field: "billingMode"))
        }
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
