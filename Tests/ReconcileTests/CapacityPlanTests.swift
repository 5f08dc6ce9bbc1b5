import DynamoDBControl
import Manifest
import Reconcile
import TablekeeperConfig
import Testing

private typealias F = Fixtures

/// Auto scaling, on-demand maximums and warm throughput (DESIGN "Capacity").
@Suite("Capacity planning")
struct CapacityPlanTests {
    static let range = ScalingRange(min: 5, max: 500, targetUtilization: 70)
    static let tableRead = ScalingUnit(index: nil, dimension: .read)
    static let tableWrite = ScalingUnit(index: nil, dimension: .write)

    /// A provisioned manifest (table 5/5, index 2/2) and the table as auto scaling left it (table 40/9, index 2/2).
    static func provisioned(scaling: AutoScalingSpec? = nil) -> (TableSpec, ObservedTable) {
        var spec = F.spec
        spec.billingMode = .provisioned
        spec.throughput = Throughput(read: 5, write: 5)
        spec.globalSecondaryIndexes[0].throughput = Throughput(read: 2, write: 2)
        spec.capacity.autoScaling = scaling
        var observed = F.observed
        observed.billingMode = .provisioned
        observed.throughput = Throughput(read: 40, write: 9)
        observed.globalIndexes[0].throughput = Throughput(read: 2, write: 2)
        return (spec, observed)
    }

    static func ours(
        _ unit: ScalingUnit,
        min: Int64 = 5,
        max: Int64 = 500,
        target: Double = 70
    )
        -> ObservedScalableTarget
    {
        ObservedScalableTarget(
            min: min,
            max: max,
            policies: [.init(name: unit.policyName, metric: unit.metric, targetValue: target)]
        )
    }

    @Test("declared auto scaling owns the capacity: what it set is never compared with provisionedThroughput")
    func declaredCapacityNotCompared() {
        var (spec, observed) = Self.provisioned(scaling: AutoScalingSpec(read: Self.range, write: Self.range))
        observed.scaling.targets = [
            Self.tableRead: Self.ours(Self.tableRead), Self.tableWrite: Self.ours(Self.tableWrite),
        ]
        let plan = F.plan(spec, observed)
        #expect(plan.isInSync, "\(plan.changes)")
        #expect(plan.steps.isEmpty)
        // Only the direction declared is owned: the other is still the manifest's.
        spec.capacity.autoScaling = AutoScalingSpec(read: Self.range)
        observed.scaling.targets[Self.tableWrite] = nil
        let partial = F.plan(spec, observed)
        #expect(partial.changes.map(\.field) == ["provisionedThroughput"])
        #expect(partial.changes.first.map { "\($0.from) -> \($0.to)" } == "40/9 -> 40/5")
    }

    @Test("a declared target that is missing is registered with Tablekeeper's target-tracking policy")
    func registerMissing() {
        let (spec, observed) = Self.provisioned(scaling: AutoScalingSpec(read: Self.range))
        let plan = F.plan(spec, observed)
        #expect(plan.changes.map(\.field) == ["provisionedThroughput", "autoScaling.read"])
        #expect(plan.changes.last.map { "\($0.from) -> \($0.to) \($0.action)" } == "none -> 5-500 @70% update")
        #expect(
            plan.steps.suffix(2) == [
                .autoScaling(.register(Self.tableRead, min: 5, max: 500), field: "autoScaling.read"),
                .autoScaling(.putPolicy(Self.tableRead, targetUtilization: 70), field: "autoScaling.read"),
            ]
        )
        // With policy.updates = flag nothing is registered.
        let flagged = F.plan(spec, observed, policy: ReconcilePolicy(updates: .flag))
        #expect(flagged.steps.isEmpty)
        #expect(flagged.flags.map(\.field).contains("autoScaling.read"))
    }

    @Test("a table Tablekeeper created gets its auto scaling as part of the creation, whatever the policy")
    func registerAfterCreation() {
        let (spec, observed) = Self.provisioned(scaling: AutoScalingSpec(read: Self.range, write: Self.range))
        var desired = F.desired(spec)
        desired.creationScaling = ["autoScaling.read", "autoScaling.write"]
        let plan = Planner.plan(
            desired: desired,
            observed: observed,
            policy: ReconcilePolicy(updates: .flag),
            context: F.context
        )
        #expect(plan.changes.filter { $0.field.hasPrefix("autoScaling") }.allSatisfy { $0.action == .create })
        #expect(plan.steps.count == 4)
    }

    @Test("min and max are re-registered, the target re-put, each only when it differs")
    func updateInPlace() {
        var (spec, observed) = Self.provisioned(scaling: AutoScalingSpec(read: Self.range, write: Self.range))
        observed.scaling.targets = [
            Self.tableRead: Self.ours(Self.tableRead, min: 1, max: 100),
            Self.tableWrite: Self.ours(Self.tableWrite, target: 50),
        ]
        let plan = F.plan(spec, observed)
        #expect(
            plan.changes.map { "\($0.field) \($0.from) -> \($0.to)" } == [
                "autoScaling.read 1-100 @70% -> 5-500 @70%", "autoScaling.write 5-500 @50% -> 5-500 @70%",
            ]
        )
        #expect(
            plan.steps == [
                .autoScaling(.register(Self.tableRead, min: 5, max: 500), field: "autoScaling.read"),
                .autoScaling(.putPolicy(Self.tableWrite, targetUtilization: 70), field: "autoScaling.write"),
            ]
        )
        // A target without Tablekeeper's policy gets it.
        observed.scaling.targets[Self.tableWrite]?.policies = []
        spec.capacity.autoScaling?.read = nil
        spec.throughput = Throughput(read: 40, write: 5)
        observed.scaling.targets[Self.tableRead] = nil
        let missingPolicy = F.plan(spec, observed)
        #expect(missingPolicy.changes.first.map { "\($0.from) -> \($0.to)" } == "5-500 @no policy -> 5-500 @70%")
    }

    @Test("a policy Tablekeeper did not create is reported, never overwritten")
    func foreignPolicy() {
        let (spec, baseline) = Self.provisioned(scaling: AutoScalingSpec(read: Self.range))
        var observed = baseline
        observed.scaling.targets[Self.tableRead] = ObservedScalableTarget(
            min: 1,
            max: 10,
            policies: [.init(name: "console-made", targetValue: 50)]
        )
        let plan = F.plan(spec, observed)
        let change = plan.changes.first { $0.field == "autoScaling.read" }
        #expect(change?.reason == .autoscalingUnmanaged)
        #expect(change?.action == .flag)
        #expect(!plan.steps.contains { if case .autoScaling = $0 { true } else { false } })
    }

    @Test("a target the manifest does not declare is flagged autoscaling-unmanaged, and its capacity never reset")
    func unmanagedTarget() {
        var (spec, observed) = Self.provisioned()
        observed.scaling.targets[Self.tableRead] = ObservedScalableTarget(
            min: 5,
            max: 100,
            policies: [.init(name: "console-made", targetValue: 70)]
        )
        spec.throughput = Throughput(read: 5, write: 9)
        let plan = F.plan(spec, observed, policy: ReconcilePolicy(destructive: .apply))
        #expect(plan.changes.map(\.field) == ["autoScaling.read"])
        #expect(plan.changes.first?.reason == .autoscalingUnmanaged)
        #expect(plan.changes.first?.advice?.contains("declare autoScaling.read") == true)
        #expect(plan.steps.isEmpty)
    }

    @Test("autoScaling removed: deregistered only under policy.destructive apply, with the capacity it leaves")
    func removedFromManifest() {
        var (spec, observed) = Self.provisioned()
        spec.throughput = Throughput(read: 5, write: 9)
        observed.scaling.targets[Self.tableRead] = Self.ours(Self.tableRead)
        let flagged = F.plan(spec, observed)
        #expect(flagged.changes.map(\.field) == ["autoScaling.read"])
        #expect(flagged.changes.first?.reason == .destructive)
        #expect(
            flagged.changes.first?.to
                == "none (capacity left at 40; provisionedThroughput 5 applies from the next cycle)"
        )
        #expect(flagged.steps.isEmpty)
        let applied = F.plan(spec, observed, policy: ReconcilePolicy(destructive: .apply))
        #expect(applied.steps == [.autoScaling(.deregister(Self.tableRead), field: "autoScaling.read")])
    }

    @Test("a GSI's auto scaling is its own, under globalSecondaryIndexes[name]")
    func indexScaling() {
        var (spec, observed) = Self.provisioned(scaling: nil)
        spec.throughput = Throughput(read: 40, write: 9)
        spec.globalSecondaryIndexes[0].capacity.autoScaling = AutoScalingSpec(write: Self.range)
        observed.globalIndexes[0].throughput = Throughput(read: 2, write: 77)
        let unit = ScalingUnit(index: "gsi-status", dimension: .write)
        let plan = F.plan(spec, observed)
        #expect(plan.changes.map(\.field) == ["globalSecondaryIndexes[gsi-status].autoScaling.write"])
        #expect(
            plan.steps.first
                == .autoScaling(
                    .register(unit, min: 5, max: 500),
                    field: "globalSecondaryIndexes[gsi-status].autoScaling.write"
                )
        )
        #expect(unit.resourceId(table: "t") == "table/t/index/gsi-status")
        #expect(unit.scalableDimension == "dynamodb:index:WriteCapacityUnits")
        // An index still being built gets no target yet.
        observed.globalIndexes[0].status = "CREATING"
        #expect(!F.plan(spec, observed).changes.contains { $0.field.contains("autoScaling") })
    }

    @Test("unreadable auto scaling holds capacity changes instead of guessing")
    func unknownScaling() {
        var (spec, observed) = Self.provisioned()
        spec.capacity.autoScaling = nil
        observed.scalingUnknown = "DescribeScalableTargets: AccessDeniedException"
        let plan = F.plan(spec, observed)
        #expect(plan.changes.isEmpty)
        #expect(plan.steps.isEmpty)
        #expect(plan.partialWaits.first?.reason.contains("AccessDeniedException") == true)
    }

    @Test(
        "billing switches: to on demand first, Tablekeeper's kept targets then removed; to provisioned first, then registered"
    )
    func billingOrder() {
        // PROVISIONED with auto scaling -> PAY_PER_REQUEST: the switch alone (AWS keeps the targets).
        var (provisionedSpec, observed) = Self.provisioned(scaling: AutoScalingSpec(read: Self.range))
        observed.scaling.targets[Self.tableRead] = Self.ours(Self.tableRead)
        var onDemand = F.spec
        onDemand.capacity = CapacitySpec()
        let toOnDemand = F.plan(onDemand, observed)
        #expect(toOnDemand.changes.map(\.field) == ["billingMode"])
        // Once on demand, the kept target of Tablekeeper's is deregistered (no capacity at stake).
        var switched = observed
        switched.billingMode = .payPerRequest
        switched.throughput = nil
        switched.globalIndexes[0].throughput = nil
        let after = F.plan(onDemand, switched)
        #expect(after.steps == [.autoScaling(.deregister(Self.tableRead), field: "autoScaling.read")])
        // Someone else's kept target is reported.
        switched.scaling.targets[Self.tableRead]?.policies = [.init(name: "console-made", targetValue: 70)]
        #expect(F.plan(onDemand, switched).flags.first?.reason == .autoscalingUnmanaged)
        // PAY_PER_REQUEST -> PROVISIONED with auto scaling: the switch first, no target in the same plan.
        var fresh = F.observed
        fresh.scaling = ObservedScaling()
        let toProvisioned = F.plan(provisionedSpec, fresh)
        #expect(toProvisioned.changes.map(\.field) == ["billingMode"])
        provisionedSpec.capacity.autoScaling = nil
    }

    @Test("on-demand maximums are compared member by member (absent means no limit) and set in one call")
    func onDemandLimits() throws {
        var spec = F.spec
        spec.capacity.onDemand = OnDemandLimits(maxReadRequestUnits: 1000, maxWriteRequestUnits: -1)
        spec.globalSecondaryIndexes[0].capacity.onDemand = OnDemandLimits(maxReadRequestUnits: 200)
        var observed = F.observed
        let plan = F.plan(spec, observed)
        #expect(
            plan.changes.map { "\($0.field) \($0.from) -> \($0.to)" } == [
                "onDemandThroughput unlimited/unlimited -> 1000/unlimited",
                "globalSecondaryIndexes[gsi-status].onDemandThroughput unlimited/unlimited -> 200/-",
            ]
        )
        guard case .updateTable(let input, _, "onDemandThroughput") = try #require(plan.steps.first) else {
            Issue.record("no UpdateTable: \(plan.steps)")
            return
        }
        #expect(
            input.OnDemandThroughput == OnDemandThroughputShape(MaxReadRequestUnits: 1000, MaxWriteRequestUnits: -1)
        )
        #expect(input.GlobalSecondaryIndexUpdates?.first?.Update?.OnDemandThroughput?.MaxReadRequestUnits == 200)
        observed.onDemand = OnDemandLimits(maxReadRequestUnits: 1000, maxWriteRequestUnits: -1)
        observed.globalIndexes[0].onDemand = OnDemandLimits(maxReadRequestUnits: 200, maxWriteRequestUnits: 50)
        #expect(F.plan(spec, observed).isInSync)
    }

    @Test("warm throughput is a floor: at or above is in sync, below is raised member by member, never lowered")
    func warmFloor() throws {
        var spec = F.spec
        spec.capacity.warm = WarmThroughputSpec(readUnitsPerSecond: 15_000, writeUnitsPerSecond: 4_000)
        var observed = F.observed
        observed.warm = WarmThroughputSpec(readUnitsPerSecond: 12_000, writeUnitsPerSecond: 9_000)
        let plan = F.plan(spec, observed)
        #expect(
            plan.changes.map { "\($0.field) \($0.from) -> \($0.to)" } == ["warmThroughput 12000/9000 -> 15000/4000"]
        )
        guard case .updateTable(let input, _, "warmThroughput") = try #require(plan.steps.first) else {
            Issue.record("no UpdateTable: \(plan.steps)")
            return
        }
        // Only the member below the floor is sent: the write side is already above it.
        #expect(input.WarmThroughput == WarmThroughputShape(ReadUnitsPerSecond: 15_000, WriteUnitsPerSecond: nil))
        observed.warm = WarmThroughputSpec(readUnitsPerSecond: 20_000, writeUnitsPerSecond: 9_000)
        #expect(F.plan(spec, observed).isInSync)
    }

    @Test("a warm-throughput raise being prepared is waited for, and a floor below DynamoDB's is noted, not sent")
    func warmUpdatingAndNote() {
        var spec = F.spec
        spec.capacity.warm = WarmThroughputSpec(readUnitsPerSecond: 15_000)
        var observed = F.observed
        observed.warm = WarmThroughputSpec(readUnitsPerSecond: 12_000, writeUnitsPerSecond: 4_000)
        observed.warmStatus = "UPDATING"
        let waiting = F.plan(spec, observed)
        #expect(waiting.steps.isEmpty)
        #expect(waiting.partialWaits.map(\.reason) == ["table warm throughput is UPDATING"])
        observed.warmStatus = "ACTIVE"
        observed.warm = WarmThroughputSpec(readUnitsPerSecond: 20_000, writeUnitsPerSecond: 4_000)
        let met = F.plan(spec, observed)
        #expect(met.isInSync)
        #expect(met.notes.first?.contains("above the manifest's 15000/-") == true)
    }

    @Test("a table's creation lists its auto scaling, so a restart still applies it as part of the creation")
    func creationRecordsScaling() {
        var (spec, _) = Self.provisioned(scaling: AutoScalingSpec(write: Self.range))
        spec.globalSecondaryIndexes[0].capacity.autoScaling = AutoScalingSpec(read: Self.range)
        let plan = F.plan(spec, nil)
        #expect(
            plan.changes.filter { $0.action == .create }.map(\.field) == [
                "table", "ttlAttribute", "autoScaling.write", "globalSecondaryIndexes[gsi-status].autoScaling.read",
            ]
        )
    }

    @Test("an index made for the manifest's billing mode waits for the billing switch")
    func indexWaitsForBillingSwitch() {
        var spec = F.spec
        spec.globalSecondaryIndexes.append(
            GlobalSecondaryIndex(name: "gsi-new", partitionKey: KeyAttribute(name: "new", type: .string))
        )
        var observed = F.observed
        observed.billingMode = .provisioned
        observed.throughput = Throughput(read: 5, write: 5)
        observed.globalIndexes[0].throughput = Throughput(read: 1, write: 1)
        let plan = F.plan(spec, observed)
        #expect(plan.partialWaits.map(\.field).contains("globalSecondaryIndexes[gsi-new]"))
    }

    @Test("CreateTable asks for on-demand maximums, and warm throughput only above where a new table starts")
    func creation() throws {
        var spec = F.spec
        spec.capacity.onDemand = OnDemandLimits(maxReadRequestUnits: 100)
        spec.capacity.warm = WarmThroughputSpec(readUnitsPerSecond: 15_000, writeUnitsPerSecond: 1_000)
        let plan = F.plan(spec, nil)
        guard case .create(let input) = try #require(plan.steps.first) else { return }
        #expect(input.OnDemandThroughput == OnDemandThroughputShape(MaxReadRequestUnits: 100))
        #expect(input.WarmThroughput == WarmThroughputShape(ReadUnitsPerSecond: 15_000))
    }

    @Test("targets and policies are matched to tables and indexes by resource ID and dimension")
    func scalingParse() {
        let tables = ObservedScaling.byTable(
            targets: [
                ScalableTargetShape(
                    ResourceId: "table/orders",
                    ScalableDimension: "dynamodb:table:ReadCapacityUnits",
                    MinCapacity: 5,
                    MaxCapacity: 50
                ),
                ScalableTargetShape(
                    ResourceId: "table/orders/index/gsi",
                    ScalableDimension: "dynamodb:index:WriteCapacityUnits",
                    MinCapacity: 1,
                    MaxCapacity: 9
                ),
                ScalableTargetShape(
                    ResourceId: "table/odd/extra",
                    ScalableDimension: "dynamodb:table:ReadCapacityUnits",
                    MinCapacity: 1,
                    MaxCapacity: 2
                ),
            ],
            policies: [
                ScalingPolicyShape(
                    PolicyName: "tablekeeper-read-capacity-utilization",
                    ResourceId: "table/orders",
                    ScalableDimension: "dynamodb:table:ReadCapacityUnits",
                    PolicyType: "TargetTrackingScaling",
                    TargetTrackingScalingPolicyConfiguration: .init(TargetValue: 70, PredefinedMetricSpecification: nil)
                )
            ]
        )
        #expect(Set(tables.keys) == ["orders"])
        #expect(tables["orders"]?.targets[Self.tableRead]?.policies.first?.targetValue == 70)
        #expect(tables["orders"]?.targets[ScalingUnit(index: "gsi", dimension: .write)]?.max == 9)
    }
}
