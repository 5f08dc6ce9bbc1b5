import Foundation
import StatusLog
import TestSupport
import Testing

/// One operator's day with the daemon running, step by step, each checked through the endpoint (boto3) and
/// through `tablekeeper status --json`.
@Suite("a realistic day")
struct RealisticDayTests {
    @Test(
        "first sync, commits, a bad manifest, encryption under both policies, drift, an outage, a force-push, restarts"
    )
    func day() async throws {
        let aws = try await FidelityEndpoint.start()
        defer { aws.stop() }
        var proxy: LoopbackScript? = try await LoopbackScript.proxy(to: aws.port)
        let proxyPort = try #require(proxy?.port)
        let (orders, users, audit) = (Scenario.unique("orders"), Scenario.unique("users"), Scenario.unique("audit"))
        let scenario = try await Scenario(
            files: [
                "manifests/\(orders).json": Scenario.manifest(orders),
                "manifests/\(users).json": Scenario.manifest(users, indexes: []),
            ],
            aws: aws,
            awsEndpoint: "http://127.0.0.1:\(proxyPort)"
        )
        var daemon = try scenario.startDaemon()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }

        func settle(_ expected: [String: String], within timeout: Duration = .seconds(45)) async throws -> Bool {
            try await Scenario.waitUntil(timeout) {
                let outcomes = try await scenario.outcomes()
                return expected.allSatisfy { outcomes[$0.key] == $0.value }
            }
        }
        func describe(_ table: String, _ expression: String) async throws -> String {
            try await scenario.boto(#"t = ddb.describe_table(TableName="\#(table)")["Table"]; print(\#(expression))"#)
        }

        // 1. The first sync: both tables created with the AWS managed KMS key, then in sync.
        #expect(try await settle([orders: "in_sync", users: "in_sync"]))
        #expect(try await describe(orders, #"t["SSEDescription"]["SSEType"]"#) == "KMS")
        #expect(
            try await scenario.boto(
                "print(ddb.describe_continuous_backups(TableName='\(users)')"
                    + "['ContinuousBackupsDescription']['PointInTimeRecoveryDescription']['PointInTimeRecoveryStatus'])"
            ) == "ENABLED"
        )

        // 2. Commits: a new table with tags, a GSI, provisioned billing.
        let auditTagged = Scenario.manifest(audit, indexes: [], extra: #", "tags": {"team": "security"}"#)
        let usersProvisioned = Scenario.manifest(
            users,
            indexes: [],
            extra:
                #", "billingMode": "PROVISIONED", "provisionedThroughput": {"readCapacityUnits": 5, "writeCapacityUnits": 5}"#
        )
        try await scenario.git.commit(
            files: [
                "manifests/\(audit).json": auditTagged,
                "manifests/\(orders).json": Scenario.manifest(orders, indexes: ["gsi-status", "gsi-owner"]),
            ],
            message: "audit table; orders by owner"
        )
        try await scenario.git.commit(
            files: [
                "manifests/\(users).json": usersProvisioned
            ],
            message: "users: provisioned"
        )
        #expect(try await settle([orders: "in_sync", users: "in_sync", audit: "in_sync"]))
        #expect(
            try await describe(orders, #"sorted(i["IndexName"] for i in t["GlobalSecondaryIndexes"])"#)
                == "['gsi-owner', 'gsi-status']"
        )
        #expect(try await describe(users, #"t["BillingModeSummary"]["BillingMode"]"#) == "PROVISIONED")
        #expect(
            try await scenario.boto(
                "print(ddb.describe_time_to_live(TableName='\(users)')['TimeToLiveDescription'].get('AttributeName'))"
            ) == "ttl"
        )
        #expect(
            try await scenario.boto(
                "arn = ddb.describe_table(TableName='\(audit)')['Table']['TableArn']; "
                    + "print(sorted(t['Key'] for t in ddb.list_tags_of_resource(ResourceArn=arn)['Tags']))"
            )
            .contains("'team'")
        )

        // 3. A bad manifest is pushed: that table is invalid with the file, path and fix; the others go on.
        let bad = #"{"tableName": "\#(users)", "partitionKey": {"name": "id", "type": "S"}, "billingMode": "FAST"}"#
        try await scenario.git.commit(files: ["manifests/\(users).json": bad], message: "oops")
        #expect(try await settle([users: "invalid", orders: "in_sync", audit: "in_sync"]))
        let invalid = try #require(scenario.records().last { $0.table == users })
        #expect(invalid.error?.contains("manifests/\(users).json: $.billingMode") == true)
        #expect(try await describe(users, #"t["BillingModeSummary"]["BillingMode"]"#) == "PROVISIONED")
        try await scenario.git.commit(
            files: [
                "manifests/\(users).json": usersProvisioned
            ],
            message: "fix users"
        )
        #expect(try await settle([users: "in_sync"]))

        // 4. An encryption change: flagged and untouched under "flag"; under "apply" the switch is made (the table
        //    goes through DISABLING, as on DynamoDB) and the table is in sync. Reverted, it is switched back.
        try await scenario.git.commit(
            files: [
                "manifests/\(audit).json": Scenario.manifest(
                    audit,
                    indexes: [],
                    extra: #", "tags": {"team": "security"}, "encryption": {"type": "DEFAULT"}"#
                )
            ],
            message: "audit: default encryption"
        )
        #expect(try await settle([audit: "flagged"]))
        #expect(try await describe(audit, #"t["SSEDescription"]["SSEType"]"#) == "KMS")
        let config = try String(contentsOfFile: scenario.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: #""policy": {}"#, with: #""policy": {"encryption": "apply"}"#)
            .write(toFile: scenario.configPath, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        #expect(
            try await Scenario.waitUntil(.seconds(30)) {
                scenario.records().contains {
                    $0.table == audit && $0.outcome == "updated"
                        && $0.changes?.contains { $0.field == "encryption" } == true
                }
            }
        )
        #expect(try await settle([audit: "in_sync"]))
        #expect(try await describe(audit, #"t.get("SSEDescription")"#) == "None")
        try await scenario.git.commit(
            files: [
                "manifests/\(audit).json": auditTagged
            ],
            message: "audit: back to KMS"
        )
        #expect(
            try await Scenario.waitUntil(.seconds(30)) {
                scenario.records().contains {
                    $0.table == audit && $0.outcome == "updated"
                        && $0.changes?.contains { $0.field == "encryption" && $0.to == "KMS" } == true
                }
            }
        )
        #expect(try await settle([audit: "in_sync"]))
        #expect(try await describe(audit, #"t["SSEDescription"]["SSEType"]"#) == "KMS")

        // 5. Drift made by hand outside git: point-in-time recovery turned off is turned on again.
        try await scenario.boto(
            "ddb.update_continuous_backups(TableName='\(orders)', "
                + "PointInTimeRecoverySpecification={'PointInTimeRecoveryEnabled': False})"
        )
        #expect(
            try await Scenario.waitUntil(.seconds(30)) {
                scenario.records().contains {
                    $0.table == orders && $0.outcome == "updated"
                        && $0.changes?.contains { $0.field == "pointInTimeRecovery" } == true
                }
            }
        )
        #expect(try await settle([orders: "in_sync"]))

        // 6. The endpoint goes away mid-cycle: failures are recorded; back, everything recovers, nothing repeated.
        let createdBefore = scenario.records().filter { $0.outcome == "created" }.count
        proxy = nil
        #expect(try await settle([orders: "failed", users: "failed", audit: "failed"], within: .seconds(60)))
        proxy = try await LoopbackScript.proxy(port: proxyPort, to: aws.port)
        #expect(try await settle([orders: "in_sync", users: "in_sync", audit: "in_sync"], within: .seconds(60)))
        #expect(scenario.records().filter { $0.outcome == "created" }.count == createdBefore)
        #expect(try await scenario.boto("print(len(ddb.list_tables()['TableNames']))") == "3")

        // 7. A force-push that drops the audit table's manifest: the history rewrite is recorded, the table is
        //    flagged orphaned at once and kept.
        try await scenario.git.git(["reset", "--hard", "HEAD~1"])
        try await scenario.git.git(["rm", "-q", "manifests/\(audit).json"])
        try await scenario.git.git(["commit", "-qm", "drop audit"])
        try await scenario.git.git(["push", "-q", "--force", scenario.git.remotePath, "HEAD:main"])
        #expect(
            try await Scenario.waitUntil(.seconds(30)) {
                scenario.records().contains { $0.kind == .source && $0.outcome == "rewritten" }
            }
        )
        #expect(try await settle([audit: "flagged", orders: "in_sync", users: "in_sync"]))
        #expect(scenario.records().last { $0.table == audit }?.changes?.first?.reason == "orphaned")
        #expect(try await scenario.boto("print(len(ddb.list_tables()['TableNames']))") == "3")

        // 8. Restarted again: nothing is repeated in the log.
        let tableRecords = { scenario.records().filter { $0.kind == .table }.count }
        let cycles = { scenario.records().filter { $0.kind == .cycle }.count }
        kill(daemon.processIdentifier, SIGTERM)
        await daemon.exited()
        let before = tableRecords()
        let cyclesBefore = cycles()
        daemon = try scenario.startDaemon()
        #expect(try await Scenario.waitUntil(.seconds(30)) { cycles() >= cyclesBefore + 2 })
        #expect(tableRecords() == before)

        // 9. A TTL rename: DynamoDB would then delete every item whose new attribute holds a past epoch time, so
        //    under the default policy the rename is flagged destructive, with that reason, and TTL is untouched.
        try await scenario.git.commit(
            files: [
                "manifests/\(users).json": usersProvisioned.replacingOccurrences(
                    of: #""ttlAttribute": "ttl""#,
                    with: #""ttlAttribute": "expires_at""#
                )
            ],
            message: "users: TTL on expires_at"
        )
        #expect(
            try await Scenario.waitUntil(.seconds(30)) {
                scenario.records().contains { record in
                    record.table == users && record.outcome == "flagged"
                        && record.changes?.contains { $0.field == "ttlAttribute" && $0.reason == "destructive" }
                            == true
                        && record.message?.contains("past epoch time") == true
                }
            }
        )
        #expect(
            try await scenario.boto(
                "print(ddb.describe_time_to_live(TableName='\(users)')['TimeToLiveDescription']['AttributeName'])"
            ) == "ttl"
        )

        // 10. A global table: a sessions table replicated to eu-west-1 (each replica on its region's AWS managed
        //     key) is created and its replica added by the running daemon; dropping the replica from the manifest
        //     is flagged destructive and the replica stays.
        let sessions = Scenario.unique("sessions")
        let global = """
            {"tableName": "\(sessions)", "partitionKey": {"name": "id", "type": "S"}, "pointInTimeRecovery": true,
             "replicas": [{"region": "eu-west-1", "deletionProtection": true}]}
            """
        try await scenario.git.commit(files: ["manifests/\(sessions).json": global], message: "sessions: global")
        #expect(try await settle([sessions: "in_sync"], within: .seconds(60)))
        let replicaState = try await scenario.boto(
            """
            eu = boto3.client("dynamodb", endpoint_url=endpoint, region_name="eu-west-1",
                              aws_access_key_id="AKIDTEST", aws_secret_access_key="test-secret")
            t = ddb.describe_table(TableName="\(sessions)")["Table"]
            r = eu.describe_table(TableName="\(sessions)")["Table"]
            b = eu.describe_continuous_backups(TableName="\(sessions)")["ContinuousBackupsDescription"]
            print(t["Replicas"][0]["RegionName"], t["Replicas"][0]["ReplicaStatus"], r["DeletionProtectionEnabled"],
                  b["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"])
            """
        )
        #expect(replicaState == "eu-west-1 ACTIVE True ENABLED")
        try await scenario.git.commit(
            files: [
                "manifests/\(sessions).json":
                    #"{"tableName": "\#(sessions)", "partitionKey": {"name": "id", "type": "S"}, "#
                    + #""pointInTimeRecovery": true, "stream": "NEW_AND_OLD_IMAGES"}"#
            ],
            message: "sessions: no replica"
        )
        #expect(
            try await Scenario.waitUntil(.seconds(30)) {
                scenario.records().contains { record in
                    record.table == sessions && record.outcome == "flagged"
                        && record.changes?.contains {
                            $0.field == "replicas[\(sessions)@eu-west-1]" && $0.reason == "destructive"
                        } == true
                }
            }
        )
        #expect(try await describe(sessions, #"t["Replicas"][0]["ReplicaStatus"]"#) == "ACTIVE")

        // 11. SIGTERM: exit 0, a whole log.
        kill(daemon.processIdentifier, SIGTERM)
        await daemon.exited()
        #expect(daemon.terminationStatus == 0)
        #expect(StatusLogReader.read(path: scenario.statusLogPath).skippedLines == 0)
        let status = try await scenario.tablekeeper(["status", "--config", scenario.configPath])
        #expect(status.status == 2)
        #expect(status.stdout.contains("orphaned") || status.stdout.contains("flagged"))
    }
}
