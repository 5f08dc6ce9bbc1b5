import Foundation
import StatusLog
import TestSupport
import Testing

/// The real binary against a real git remote and the fidelity endpoint.
@Suite("run --once, plan and status end to end")
struct RunOnceTests {
    @Test("the example tables are created KMS-encrypted, converge, and the next run changes nothing")
    func exampleTables() async throws {
        var files: [String: String] = [:]
        for name in ["sentinel-requests", "sentinel-breakglass", "sentinel-sessions"] {
            files["manifests/\(name).json"] = try String(
                contentsOfFile: RepositoryPaths.path("manifests/\(name).json"),
                encoding: .utf8
            )
        }
        files["manifests/table.schema.json"] = "{}"
        let scenario = try await Scenario(files: files)
        let first = try await scenario.runOnce()
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(
            try await scenario.outcomes() == [
                "sentinel-requests": "created", "sentinel-breakglass": "created", "sentinel-sessions": "created",
            ]
        )
        let encryption = try await scenario.boto(
            """
            arn = kms.describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]["Arn"]
            out = []
            for name in ["sentinel-requests", "sentinel-breakglass", "sentinel-sessions"]:
                t = ddb.describe_table(TableName=name)["Table"]
                out.append(t["SSEDescription"]["SSEType"] == "KMS" and t["SSEDescription"]["KMSMasterKeyArn"] == arn
                           and t["DeletionProtectionEnabled"])
            print(all(out))
            """
        )
        #expect(encryption == "True")
        // TTL and PITR follow once the tables are ACTIVE; then everything is in sync.
        #expect(try await scenario.runUntilSettled().status == 0)
        #expect(try await Set(scenario.outcomes().values) == ["in_sync"])
        let settings = try await scenario.boto(
            """
            t = ddb.describe_time_to_live(TableName="sentinel-sessions")["TimeToLiveDescription"]
            p = ddb.describe_continuous_backups(TableName="sentinel-sessions")["ContinuousBackupsDescription"]
            print(t["AttributeName"], p["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"])
            """
        )
        #expect(settings == "ttl ENABLED")
        let before = scenario.records().filter { $0.kind == .table }.count
        let again = try await scenario.runOnce()
        #expect(again.status == 0)
        // Running the same cycle again makes no change and writes no table record.
        #expect(scenario.records().filter { $0.kind == .table }.count == before)
        let plan = try await scenario.tablekeeper(["plan", "--config", scenario.configPath])
        #expect(plan.status == 0, "\(plan.stdout)")
        #expect(plan.stdout.contains("Plan: 3 in sync"))
    }

    @Test("a customer key given as an alias is created with its key ARN and is not seen as drift")
    func customerKeyAlias() async throws {
        let name = Scenario.unique("cmk")
        let scenario = try await Scenario(files: ["manifests/a.json": "{}"])
        let keyArn = try await scenario.boto(
            """
            key = kms.create_key()["KeyMetadata"]
            alias = "alias/\(name)"
            kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
            print(key["Arn"])
            """
        )
        let aliasArn = "arn:aws:kms:us-east-1:123456789012:alias/\(name)"
        try await scenario.git.commit(
            files: [
                "manifests/a.json": nil,
                "manifests/\(name).json": Scenario.manifest(
                    name,
                    extra: #", "encryption": {"type": "CUSTOMER_KEY", "kmsKeyArn": "\#(aliasArn)"}"#
                ),
            ],
            message: "customer key"
        )
        #expect(try await scenario.runOnce().status == 0)
        let reported = try await scenario.boto(
            #"print(ddb.describe_table(TableName="\#(name)")["Table"]["SSEDescription"]["KMSMasterKeyArn"])"#
        )
        #expect(reported == keyArn)
        let settled = try await scenario.runUntilSettled()
        #expect(settled.status == 0, "\(settled.stdout)")
        #expect(try await scenario.outcomes()[name] == "in_sync")
    }

    @Test("encryption and key-schema drift are flagged and left untouched; a GSI is added in place")
    func drift() async throws {
        let name = Scenario.unique("drift")
        let scenario = try await Scenario(files: ["manifests/\(name).json": Scenario.manifest(name)])
        _ = try await scenario.runUntilSettled()
        try await scenario.git.commit(
            files: [
                "manifests/\(name).json": Scenario.manifest(
                    name,
                    extra: #", "encryption": {"type": "DEFAULT"}, "sortKey": {"name": "created_at", "type": "S"}"#
                )
            ],
            message: "change encryption and key schema"
        )
        let flagged = try await scenario.runOnce()
        #expect(flagged.status == 2)
        #expect(try await scenario.outcomes()[name] == "flagged")
        // A different key schema means the manifest describes another table: only that is reported, and
        // nothing else of the manifest (here its encryption) is compared or applied.
        let record = try #require(scenario.records().last { $0.table == name })
        #expect(record.changes?.map(\.field) == ["sortKey"])
        #expect(record.changes?.first { $0.field == "sortKey" }?.reason == "requires-replacement")
        let sse = try await scenario.boto(
            #"print(ddb.describe_table(TableName="\#(name)")["Table"]["SSEDescription"]["SSEType"])"#
        )
        #expect(sse == "KMS")

        try await scenario.git.commit(
            files: [
                "manifests/\(name).json": Scenario.manifest(name, indexes: ["gsi-status", "gsi-owner"])
            ],
            message: "add gsi-owner"
        )
        #expect(try await scenario.runOnce().status == 0)
        let indexes = try await scenario.boto(
            #"print(sorted(i["IndexName"] for i in ddb.describe_table(TableName="\#(name)")["Table"]["GlobalSecondaryIndexes"]))"#
        )
        #expect(indexes == "['gsi-owner', 'gsi-status']")
    }

    @Test("an invalid manifest makes no AWS call for its table and does not stop the others")
    func invalidManifest() async throws {
        let good = Scenario.unique("good")
        let bad = Scenario.unique("bad")
        let scenario = try await Scenario(files: [
            "manifests/\(good).json": Scenario.manifest(good),
            "manifests/\(bad).json": #"{"tableName": "\#(bad)", "partitionKey": {"name": "id", "type": "STRING"}}"#,
        ])
        let result = try await scenario.runOnce()
        #expect(result.status == 2)
        #expect(try await scenario.outcomes() == [good: "created", bad: "invalid"])
        let record = try #require(scenario.records().last { $0.table == bad })
        #expect(record.error?.contains("manifests/\(bad).json: $.partitionKey.type:") == true)
        let exists = try await scenario.boto(#"print("\#(bad)" in ddb.list_tables()["TableNames"])"#)
        #expect(exists == "False")
    }

    @Test("a managed table whose manifest is removed is flagged orphaned and kept, even while CREATING")
    func orphan() async throws {
        let name = Scenario.unique("orphan")
        let keep = Scenario.unique("keep")
        // Tables stay CREATING for the whole test: the sweep must still read their tags.
        var settings = FidelityEndpoint.quick
        settings["createDelay"] = 120
        let scenario = try await Scenario(
            files: [
                "manifests/\(name).json": Scenario.manifest(name), "manifests/\(keep).json": Scenario.manifest(keep),
            ],
            aws: try await FidelityEndpoint.start(settings: settings)
        )
        _ = try await scenario.runOnce()
        try await scenario.git.commit(files: ["manifests/\(name).json": nil], message: "remove a manifest")
        let result = try await scenario.runOnce()
        #expect(result.status == 2)
        let record = try #require(scenario.records().last { $0.table == name })
        #expect(record.outcome == "flagged")
        #expect(record.changes?.first?.reason == "orphaned")
        let exists = try await scenario.boto(#"print("\#(name)" in ddb.list_tables()["TableNames"])"#)
        #expect(exists == "True")
    }

    @Test("a managed table whose manifest no longer parses is invalid, never orphaned")
    func brokenManifestIsNotOrphan() async throws {
        let name = Scenario.unique("broken")
        let scenario = try await Scenario(files: ["manifests/\(name).json": Scenario.manifest(name)])
        _ = try await scenario.runUntilSettled()
        try await scenario.git.commit(files: ["manifests/\(name).json": "{ not json"], message: "break it")
        let result = try await scenario.runOnce()
        #expect(result.status == 2)
        let records = scenario.records().filter { $0.kind == .table && $0.cycle == scenario.records().last?.cycle }
        #expect(records.map(\.outcome) == ["invalid"])
        #expect(!records.contains { $0.changes?.first?.reason == "orphaned" })
    }

    @Test("an UpdateTable whose answer is lost is not sent again: the next cycle finds it made")
    func lostAnswerNotRepeated() async throws {
        let name = Scenario.unique("lost")
        let scenario = try await Scenario(files: ["manifests/\(name).json": Scenario.manifest(name)])
        _ = try await scenario.runUntilSettled()
        try await scenario.aws.fault("UpdateTable", kind: "lost", table: name)
        try await scenario.git.commit(
            files: ["manifests/\(name).json": Scenario.manifest(name, extra: #", "deletionProtection": true"#)],
            message: "protect"
        )
        let failed = try await scenario.runOnce()
        #expect(failed.status == 2)
        #expect(try await scenario.outcomes()[name] == "failed")
        let settled = try await scenario.runUntilSettled()
        #expect(settled.status == 0, "\(settled.stdout)")
        #expect(try await scenario.outcomes()[name] == "in_sync")
        let updates = try await scenario.aws.journal(operation: "UpdateTable", table: name)
        #expect(updates.map(\.code) == ["InternalServerError"])
    }

    @Test("a failed lookup of the AWS managed key fails the table with the KMS error and changes nothing")
    func managedKeyLookupFails() async throws {
        let name = Scenario.unique("kmsfail")
        let scenario = try await Scenario(
            files: ["manifests/\(name).json": Scenario.manifest(name)],
            policy: #"{"encryption": "apply"}"#
        )
        _ = try await scenario.runUntilSettled()
        // Every attempt of this cycle's DescribeKey fails (the client tries a read 4 times).
        try await scenario.aws.fault("DescribeKey", kind: "503", count: 4)
        let result = try await scenario.runOnce()
        #expect(result.status == 2)
        let record = try #require(scenario.records().last { $0.table == name })
        #expect(record.outcome == "failed")
        #expect(record.error?.contains("could not be looked up") == true)
        #expect(try await scenario.aws.journal(operation: "UpdateTable", table: name).isEmpty)
    }

    @Test("a manifest path outside DynamoDB's tag characters is tagged in an encoded form and read back")
    func encodedManifestPath() async throws {
        let name = Scenario.unique("paths")
        let path = "manifests/team#1/\(name) (v2).json"
        let scenario = try await Scenario(files: [path: Scenario.manifest(name)])
        let first = try await scenario.runOnce()
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(try await scenario.outcomes()[name] == "created")
        let tag = try await scenario.boto(
            """
            wait_active("\(name)")
            arn = ddb.describe_table(TableName="\(name)")["Table"]["TableArn"]
            import time; time.sleep(0.5)
            print({t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}["tablekeeper:manifest"])
            """
        )
        #expect(tag.hasPrefix("base64:"))
        _ = try await scenario.runUntilSettled()
        try await scenario.git.commit(
            files: [path: nil, "manifests/keep.json": Scenario.manifest(name + "-k")],
            message: "rm"
        )
        _ = try await scenario.runOnce()
        let orphan = try #require(scenario.records().last { $0.table == name })
        #expect(orphan.changes?.first?.reason == "orphaned")
        #expect(orphan.changes?.first?.from.contains("(was \(path))") == true)
    }

    @Test("a source that cannot be read makes no AWS call and exits 1")
    func sourceError() async throws {
        let name = Scenario.unique("src")
        let scenario = try await Scenario(files: ["manifests/\(name).json": Scenario.manifest(name)])
        try FileManager.default.removeItem(atPath: scenario.git.remotePath)
        let result = try await scenario.runOnce()
        #expect(result.status == 1)
        #expect(result.stderr.contains("source:"))
        let source = try #require(scenario.records().last { $0.kind == .source })
        #expect(source.outcome == "fetch_failed")
        let exists = try await scenario.boto(#"print("\#(name)" in ddb.list_tables()["TableNames"])"#)
        #expect(exists == "False")
    }

    @Test("status says where it looked when there is no log, and exits 1")
    func statusWithoutLog() async throws {
        let missing = try await ProcessRunner.tablekeeper(["status", "--log", "/nonexistent/status.jsonl"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no status log at /nonexistent/status.jsonl"))
    }
}

@Suite("export")
struct ExportTests {
    @Test("an existing table is exported to a manifest that validates and plans in sync")
    func adoption() async throws {
        let scenario = try await Scenario(files: ["manifests/placeholder.json": Scenario.manifest("placeholder")])
        let name = Scenario.unique("legacy")
        try await scenario.boto(
            """
            key = kms.create_key()["KeyMetadata"]["Arn"]
            ddb.create_table(TableName="\(name)", BillingMode="PROVISIONED",
                ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 3},
                AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "status", "profile")],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                GlobalSecondaryIndexes=[{"IndexName": "gsi-status", "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["owner"]},
                    "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}],
                LocalSecondaryIndexes=[{"IndexName": "lsi-profile", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "profile", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}],
                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key},
                Tags=[{"Key": "team", "Value": "legacy"}], DeletionProtectionEnabled=True)
            wait_active("\(name)")
            ddb.update_time_to_live(TableName="\(name)", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
            import time
            while ddb.describe_time_to_live(TableName="\(name)")["TimeToLiveDescription"]["TimeToLiveStatus"] != "ENABLED":
                time.sleep(0.1)
            """
        )
        // Taken over as `tablekeeper adopt` would, so the plan compares it instead of flagging it unmanaged.
        try await scenario.boto(
            """
            arn = ddb.describe_table(TableName="\(name)")["Table"]["TableArn"]
            ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "tablekeeper:managed", "Value": "true"}])
            import time
            while not any(t["Key"] == "tablekeeper:managed" for t in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]):
                time.sleep(0.1)
            """
        )
        let exported = try await scenario.tablekeeper(["export", "--table", name, "--config", scenario.configPath])
        #expect(exported.status == 0, "\(exported.stderr)")
        let folder = TemporaryDirectory()
        try folder.write("manifests/\(name).json", exported.stdout)
        let validate = try await scenario.tablekeeper(["validate", folder.file("manifests")])
        #expect(validate.status == 0, "\(validate.stderr)")
        let plan = try await scenario.tablekeeper([
            "plan", "--manifests", folder.file("manifests"), "--endpoint", scenario.aws.endpoint, "--region",
            "us-east-1",
        ])
        #expect(plan.stdout.contains("\(name) (us-east-1)  in sync"), "\(plan.stdout)")
        #expect(exported.stdout.contains(#""type": "CUSTOMER_KEY""#))
        let missing = try await scenario.tablekeeper([
            "export", "--table", "no-such-table", "--config", scenario.configPath,
        ])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("does not exist"))
        // A failed lookup of the AWS managed key is an error, never a manifest with a guessed encryption.
        try await scenario.aws.fault("DescribeKey", kind: "503", count: 4)
        let unsure = try await scenario.tablekeeper(["export", "--table", name, "--config", scenario.configPath])
        #expect(unsure.status == 1)
        #expect(unsure.stderr.contains("cannot tell whether \(name)'s key is the AWS managed key"))
        #expect(unsure.stdout.isEmpty)
    }
}
