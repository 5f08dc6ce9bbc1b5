import Foundation
import StatusLog
import TestSupport
import Testing

/// Capacity against the fidelity endpoint and moto's Application Auto Scaling, through the real binary.
@Suite("Capacity end to end", .serialized)
struct CapacityTests {
    static let autoScaler = """
        aas = boto3.client("application-autoscaling", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="AKIDTEST", aws_secret_access_key="test-secret")

        """

    static func provisioned(_ name: String, scaling: String?) -> String {
        """
        {"tableName": "\(name)", "partitionKey": {"name": "id", "type": "S"}, "billingMode": "PROVISIONED",
         "provisionedThroughput": {"readCapacityUnits": 5, "writeCapacityUnits": 5}\(scaling.map { #", "autoScaling": \#($0)"# } ?? "")}
        """
    }

    static func scaling(min: Int, max: Int, target: Int) -> String {
        let range = #"{"min": \#(min), "max": \#(max), "targetUtilization": \#(target)}"#
        return #"{"read": \#(range), "write": \#(range)}"#
    }

    /// `min-max@target` of each of the table's targets, read and write.
    func targets(_ scenario: Scenario, _ name: String) async throws -> String {
        try await scenario.boto(
            Self.autoScaler + """
                targets = aas.describe_scalable_targets(ServiceNamespace="dynamodb", ResourceIds=["table/\(name)"])
                policies = aas.describe_scaling_policies(ServiceNamespace="dynamodb", ResourceId="table/\(name)")
                aims = {p["ScalableDimension"]: p["TargetTrackingScalingPolicyConfiguration"]["TargetValue"]
                        for p in policies["ScalingPolicies"]}
                print(" ".join(sorted(f'{t["ScalableDimension"].split(":")[-1]}={t["MinCapacity"]}-{t["MaxCapacity"]}@{aims.get(t["ScalableDimension"])}'
                                      for t in targets["ScalableTargets"])))
                """
        )
    }

    func capacity(_ scenario: Scenario, _ name: String) async throws -> String {
        try await scenario.boto(
            #"t = ddb.describe_table(TableName="\#(name)")["Table"]["ProvisionedThroughput"]; "#
                + #"print(f'{t["ReadCapacityUnits"]}/{t["WriteCapacityUnits"]}')"#
        )
    }

    @Test(
        "auto scaling is registered, never fought for 20 cycles, changed in place; an undeclared target is flagged and left alone"
    )
    func autoScaling() async throws {
        let name = Scenario.unique("scaled")
        let other = Scenario.unique("manual")
        let scenario = try await Scenario(files: [
            "manifests/\(name).json": Self.provisioned(name, scaling: Self.scaling(min: 5, max: 500, target: 70)),
            "manifests/\(other).json": Self.provisioned(other, scaling: nil),
        ])
        let first = try await scenario.runUntilSettled()
        #expect(first.status == 0, "\(first.stdout)")
        #expect(try await scenario.outcomes() == [name: "in_sync", other: "in_sync"])
        let registered = try await targets(scenario, name)
        #expect(registered == "ReadCapacityUnits=5-500@70 WriteCapacityUnits=5-500@70")

        // Auto scaling raises one table's capacity; someone registers a target of their own on the other.
        try await scenario.boto(
            Self.autoScaler + """
                ddb.update_table(TableName="\(name)", ProvisionedThroughput={"ReadCapacityUnits": 40, "WriteCapacityUnits": 9})
                wait_active("\(name)")
                aas.register_scalable_target(ServiceNamespace="dynamodb", ResourceId="table/\(other)",
                    ScalableDimension="dynamodb:table:ReadCapacityUnits", MinCapacity=5, MaxCapacity=100)
                aas.put_scaling_policy(PolicyName="console-made", ServiceNamespace="dynamodb",
                    ResourceId="table/\(other)", ScalableDimension="dynamodb:table:ReadCapacityUnits",
                    PolicyType="TargetTrackingScaling",
                    TargetTrackingScalingPolicyConfiguration={"TargetValue": 70.0,
                        "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBReadCapacityUtilization"}})
                ddb.update_table(TableName="\(other)", ProvisionedThroughput={"ReadCapacityUnits": 30, "WriteCapacityUnits": 5})
                wait_active("\(other)")
                """
        )
        let since = try await scenario.aws.journal().map(\.seq).max() ?? 0
        for _ in 0..<20 { _ = try await scenario.runOnce() }
        let changes = try await scenario.aws.journal(since: since).filter {
            ["UpdateTable", "RegisterScalableTarget", "PutScalingPolicy", "DeregisterScalableTarget"]
                .contains($0.operation)
        }
        #expect(changes.isEmpty, "\(changes.map(\.operation))")
        #expect(try await capacity(scenario, name) == "40/9")
        #expect(try await capacity(scenario, other) == "30/5")
        let outcomes = try await scenario.outcomes()
        #expect(outcomes[name] == "in_sync")
        #expect(outcomes[other] == "flagged")
        let flag = scenario.records().last { $0.table == other }?.changes?.first
        #expect(flag?.field == "autoScaling.read")
        #expect(flag?.reason == "autoscaling-unmanaged")

        // min, max and target change in place, and are observed so.
        try await scenario.git.commit(
            files: [
                "manifests/\(name).json": Self.provisioned(name, scaling: Self.scaling(min: 10, max: 200, target: 50))
            ],
            message: "tighter auto scaling"
        )
        _ = try await scenario.runUntilSettled()
        let tightened = try await targets(scenario, name)
        #expect(tightened == "ReadCapacityUnits=10-200@50 WriteCapacityUnits=10-200@50")
        #expect(try await scenario.outcomes()[name] == "in_sync")

        // autoScaling removed: flagged destructive, the target kept, the capacity left as it is.
        try await scenario.git.commit(
            files: ["manifests/\(name).json": Self.provisioned(name, scaling: nil)],
            message: "no more auto scaling"
        )
        _ = try await scenario.runOnce()
        #expect(try await scenario.outcomes()[name] == "flagged")
        let removal = scenario.records().last { $0.table == name }?.changes?.first { $0.field == "autoScaling.read" }
        #expect(removal?.reason == "destructive")
        #expect(try await targets(scenario, name).contains("ReadCapacityUnits=10-200"))

        // To on demand, in AWS's documented order (switching.capacitymode.html: through the API the targets are
        // kept while on demand): the billing mode first, then Tablekeeper's kept targets are deregistered.
        try await scenario.git.commit(
            files: [
                "manifests/\(name).json": #"{"tableName": "\#(name)", "partitionKey": {"name": "id", "type": "S"}}"#
            ],
            message: "on demand"
        )
        let switchSeq = try await scenario.aws.journal().map(\.seq).max() ?? 0
        _ = try await scenario.runUntilSettled()
        #expect(try await scenario.outcomes()[name] == "in_sync")
        #expect(try await targets(scenario, name) == "")
        let order = try await scenario.aws.journal(since: switchSeq).filter {
            ["UpdateTable", "DeregisterScalableTarget"].contains($0.operation)
        }.map(\.operation)
        #expect(order == ["UpdateTable", "DeregisterScalableTarget", "DeregisterScalableTarget"])
    }

    @Test("on-demand maximums change in place; warm throughput is raised, and a lower value is in sync")
    func onDemandAndWarm() async throws {
        let name = Scenario.unique("ondemand")
        func manifest(_ limits: String, warm: Int) -> String {
            """
            {"tableName": "\(name)", "partitionKey": {"name": "id", "type": "S"},
             "onDemandThroughput": \(limits), "warmThroughput": {"readUnitsPerSecond": \(warm)}}
            """
        }
        let scenario = try await Scenario(files: [
            "manifests/\(name).json": manifest(
                #"{"maxReadRequestUnits": 1000, "maxWriteRequestUnits": 500}"#,
                warm: 15_000
            )
        ])
        let created = try await scenario.runUntilSettled()
        #expect(created.status == 0, "\(created.stdout)")
        func described() async throws -> String {
            try await scenario.boto(
                #"t = ddb.describe_table(TableName="\#(name)")["Table"]; o = t.get("OnDemandThroughput", {}); "#
                    + #"w = t.get("WarmThroughput", {}); "#
                    + #"print(f'{o.get("MaxReadRequestUnits")}/{o.get("MaxWriteRequestUnits")} {w.get("ReadUnitsPerSecond")}')"#
            )
        }
        #expect(try await described() == "1000/500 15000")
        #expect(try await scenario.outcomes()[name] == "in_sync")

        try await scenario.git.commit(
            files: [
                "manifests/\(name).json": manifest(
                    #"{"maxReadRequestUnits": 2000, "maxWriteRequestUnits": -1}"#,
                    warm: 20_000
                )
            ],
            message: "more"
        )
        let raised = try await scenario.runUntilSettled()
        #expect(raised.status == 0, "\(raised.stdout)")
        #expect(try await described() == "2000/-1 20000")
        #expect(try await scenario.outcomes()[name] == "in_sync")

        // A lower floor than DynamoDB holds is met: in sync, nothing sent.
        try await scenario.git.commit(
            files: [
                "manifests/\(name).json": manifest(
                    #"{"maxReadRequestUnits": 2000, "maxWriteRequestUnits": -1}"#,
                    warm: 13_000
                )
            ],
            message: "lower floor"
        )
        let since = try await scenario.aws.journal().map(\.seq).max() ?? 0
        let lower = try await scenario.runOnce()
        #expect(lower.status == 0, "\(lower.stdout)")
        #expect(try await scenario.outcomes()[name] == "in_sync")
        #expect(try await scenario.aws.journal(operation: "UpdateTable", since: since).isEmpty)
        #expect(try await described() == "2000/-1 20000")
    }
}
