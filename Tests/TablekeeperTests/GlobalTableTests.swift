import Foundation
import StatusLog
import TestSupport
import Testing

/// Global tables through the real binary, against the fidelity endpoint's replicas (moto has none).
@Suite("Global tables end to end", .serialized)
struct GlobalTableTests {
    /// A customer key and its alias in `region`; returns (key ARN, alias ARN).
    func key(_ scenario: Scenario, _ region: String, _ alias: String) async throws -> (String, String) {
        let arn = try await scenario.boto(
            """
            k = boto3.client("kms", endpoint_url=endpoint, region_name="\(region)",
                             aws_access_key_id="AKIDTEST", aws_secret_access_key="test-secret")
            key = k.create_key()["KeyMetadata"]
            k.create_alias(AliasName="alias/\(alias)", TargetKeyId=key["KeyId"])
            print(key["Arn"])
            """
        )
        return (arn, "arn:aws:kms:\(region):123456789012:alias/\(alias)")
    }

    static func manifest(_ name: String, tableKey: String, replicas: [String], pitr: Bool = true) -> String {
        """
        {"tableName": "\(name)", "region": "us-east-1", "partitionKey": {"name": "id", "type": "S"},
         "pointInTimeRecovery": \(pitr), "encryption": {"type": "CUSTOMER_KEY", "kmsKeyArn": "\(tableKey)"},
         "replicas": [\(replicas.joined(separator: ", "))]}
        """
    }

    /// `region=status:key` of each replica the table lists, sorted.
    func replicas(_ scenario: Scenario, _ name: String) async throws -> [String: String] {
        let text = try await scenario.boto(
            #"t = ddb.describe_table(TableName="\#(name)")["Table"]; "#
                + #"print(json.dumps({r["RegionName"]: r["ReplicaStatus"] + ":" + r.get("KMSMasterKeyId", "") for r in t.get("Replicas", [])}))"#
        )
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String] ?? [:]
    }

    @Test(
        "a global table with customer keys per replica: created, a replica added, a key switched under flag and apply, PITR set in the replica's region, a removal flagged and never applied"
    )
    func globalTable() async throws {
        let name = Scenario.unique("global")
        let scenario = try await Scenario(files: ["manifests/a.json": "{}"])
        let (_, home) = try await key(scenario, "us-east-1", "\(name)-home")
        let (euArn, eu) = try await key(scenario, "eu-west-1", "\(name)-eu")
        let (apArn, ap) = try await key(scenario, "ap-south-1", "\(name)-ap")
        let (tokyoArn, tokyo) = try await key(scenario, "ap-northeast-1", "\(name)-tokyo")
        let (euNewArn, euNew) = try await key(scenario, "eu-west-1", "\(name)-eu-new")
        func replica(_ region: String, _ key: String, extra: String = "") -> String {
            #"{"region": "\#(region)", "kmsKeyArn": "\#(key)"\#(extra)}"#
        }
        let path = "manifests/\(name).json"

        // Created with two replicas, each with its own key, added one a call once the table is ACTIVE.
        try await scenario.git.commit(
            files: [
                "manifests/a.json": nil,
                path: Self.manifest(
                    name,
                    tableKey: home,
                    replicas: [
                        replica("eu-west-1", eu), replica("ap-south-1", ap, extra: #", "pointInTimeRecovery": false"#),
                    ]
                ),
            ],
            message: "global table"
        )
        _ = try await scenario.runUntilSettled(.seconds(60))
        #expect(try await scenario.outcomes()[name] == "in_sync")
        #expect(
            try await replicas(scenario, name) == ["eu-west-1": "ACTIVE:\(euArn)", "ap-south-1": "ACTIVE:\(apArn)"]
        )
        let creates = try await scenario.aws.journal(operation: "UpdateTable", table: name)
        #expect(creates.count == 2, "one replica a call: \(creates.map(\.operation))")

        // A third replica.
        try await scenario.git.commit(
            files: [
                path: Self.manifest(
                    name,
                    tableKey: home,
                    replicas: [
                        replica("eu-west-1", eu), replica("ap-south-1", ap, extra: #", "pointInTimeRecovery": false"#),
                        replica("ap-northeast-1", tokyo),
                    ]
                )
            ],
            message: "third replica"
        )
        _ = try await scenario.runUntilSettled(.seconds(60))
        #expect(try await replicas(scenario, name)["ap-northeast-1"] == "ACTIVE:\(tokyoArn)")
        #expect(try await scenario.outcomes()[name] == "in_sync")

        // PITR of each replica is set on the replica table in its own region: inherited from the table, or its own.
        func pitr() async throws -> String {
            try await scenario.boto(
                """
                out = []
                for region in ["us-east-1", "eu-west-1", "ap-south-1", "ap-northeast-1"]:
                    c = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region,
                                     aws_access_key_id="AKIDTEST", aws_secret_access_key="test-secret")
                    d = c.describe_continuous_backups(TableName="\(name)")["ContinuousBackupsDescription"]
                    out.append(region + "=" + d["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"])
                print(" ".join(out))
                """
            )
        }
        #expect(
            try await pitr()
                == "us-east-1=ENABLED eu-west-1=ENABLED ap-south-1=DISABLED ap-northeast-1=ENABLED"
        )
        try await scenario.git.commit(
            files: [
                path: Self.manifest(
                    name,
                    tableKey: home,
                    replicas: [replica("eu-west-1", eu), replica("ap-south-1", ap), replica("ap-northeast-1", tokyo)]
                )
            ],
            message: "pitr on in ap-south-1 too"
        )
        _ = try await scenario.runUntilSettled(.seconds(60))
        #expect(try await pitr() == "us-east-1=ENABLED eu-west-1=ENABLED ap-south-1=ENABLED ap-northeast-1=ENABLED")
        #expect(try await scenario.outcomes()[name] == "in_sync")

        // A replica key changed: flagged under policy.encryption "flag" ...
        let pitrBack = Self.manifest(
            name,
            tableKey: home,
            replicas: [replica("eu-west-1", euNew), replica("ap-south-1", ap), replica("ap-northeast-1", tokyo)]
        )
        try await scenario.git.commit(files: [path: pitrBack], message: "new eu key")
        _ = try await scenario.runOnce()
        #expect(try await scenario.outcomes()[name] == "flagged")
        let flag = scenario.records().last { $0.table == name }?.changes?.first {
            $0.field == "replicas[\(name)@eu-west-1].encryption"
        }
        #expect(flag?.reason == "encryption")
        #expect(try await replicas(scenario, name)["eu-west-1"] == "ACTIVE:\(euArn)")
        // ... and switched under "apply".
        let config = try String(contentsOfFile: scenario.configPath, encoding: .utf8)
        try scenario.folder.write(
            "config-apply.json",
            config.replacingOccurrences(of: #""policy": {}"#, with: #""policy": {"encryption": "apply"}"#)
        )
        let applyConfig = scenario.folder.file("config-apply.json")
        for _ in 0..<30 {
            _ = try await scenario.tablekeeper(["run", "--config", applyConfig, "--once"])
            if try await replicas(scenario, name)["eu-west-1"] == "ACTIVE:\(euNewArn)" { break }
            try await Task.sleep(for: .milliseconds(300))
        }
        #expect(try await replicas(scenario, name)["eu-west-1"] == "ACTIVE:\(euNewArn)")

        // A replica's table class, through ReplicaUpdates with the replica's key named (customer keys).
        try await scenario.git.commit(
            files: [
                path: Self.manifest(
                    name,
                    tableKey: home,
                    replicas: [
                        replica("eu-west-1", euNew, extra: #", "tableClass": "STANDARD_INFREQUENT_ACCESS""#),
                        replica("ap-south-1", ap), replica("ap-northeast-1", tokyo),
                    ]
                )
            ],
            message: "eu replica infrequent access"
        )
        _ = try await scenario.runUntilSettled(.seconds(60))
        #expect(try await scenario.outcomes()[name] == "in_sync")
        let euClass = try await scenario.boto(
            #"t = ddb.describe_table(TableName="\#(name)")["Table"]; "#
                + #"print([r["ReplicaTableClassSummary"]["TableClass"] for r in t["Replicas"] if r["RegionName"] == "eu-west-1"][0])"#
        )
        #expect(euClass == "STANDARD_INFREQUENT_ACCESS")

        // A replica dropped from the manifest: flagged destructive, even under policy.destructive "apply".
        try scenario.folder.write(
            "config-destructive.json",
            config.replacingOccurrences(of: #""policy": {}"#, with: #""policy": {"destructive": "apply"}"#)
        )
        try await scenario.git.commit(
            files: [
                path: Self.manifest(
                    name,
                    tableKey: home,
                    replicas: [
                        replica("eu-west-1", euNew, extra: #", "tableClass": "STANDARD_INFREQUENT_ACCESS""#),
                        replica("ap-northeast-1", tokyo),
                    ]
                )
            ],
            message: "drop ap-south-1"
        )
        let since = try await scenario.aws.journal().map(\.seq).max() ?? 0
        for _ in 0..<3 {
            _ = try await scenario.tablekeeper([
                "run", "--config", scenario.folder.file("config-destructive.json"), "--once",
            ])
        }
        #expect(try await replicas(scenario, name)["ap-south-1"] == "ACTIVE:\(apArn)")
        let removal = scenario.records().last { $0.table == name }?.changes?.first {
            $0.field == "replicas[\(name)@ap-south-1]"
        }
        #expect(removal?.reason == "destructive")
        #expect(removal?.action == "flag")
        let updates = try await scenario.aws.journal(operation: "UpdateTable", since: since)
        #expect(updates.isEmpty, "\(scenario.records().filter { $0.table == name }.suffix(3).map(\.jsonLine))")
        // A replica table is part of its global table, never an orphan.
        #expect(!scenario.records().contains { $0.changes?.contains { $0.reason == "orphaned" } == true })

        // A global table exports with its replicas: each key, and what differs from the table.
        let exported = try await scenario.tablekeeper(["export", "--config", scenario.configPath, "--table", name])
        #expect(exported.status == 0, "\(exported.stderr)")
        for (region, arn) in [("eu-west-1", euNewArn), ("ap-south-1", apArn), ("ap-northeast-1", tokyoArn)] {
            #expect(exported.stdout.contains(#""region": "\#(region)""#), "\(exported.stdout)")
            #expect(exported.stdout.contains(arn))
        }
        try scenario.folder.write("exported.json", exported.stdout)
        let valid = try await scenario.tablekeeper(["validate", scenario.folder.file("exported.json")])
        #expect(valid.status == 0, "\(valid.stdout)")
    }
}
