import Foundation
import StatusLog
import TestSupport
import Testing

/// What a push may do: the configuration's scope, opt-in adoption, and TTL as a data-deleting change.
@Suite("scope and adoption end to end")
struct ScopeTests {
    @Test("a manifest outside the scope is invalid, names the rule, and makes no AWS call")
    func outsideScope() async throws {
        let inside = Scenario.unique("sentinel")
        let payments = Scenario.unique("payments")
        let west = Scenario.unique("sentinel-west")
        let foreignKey = Scenario.unique("sentinel-fk")
        let otherAccountKey = "arn:aws:kms:us-east-1:999999999999:key/11111111-2222-3333-4444-555555555555"
        let scenario = try await Scenario(
            files: [
                "manifests/inside.json": Scenario.manifest(inside),
                "manifests/payments.json": Scenario.manifest(payments),
                "manifests/west.json": Scenario.manifest(west, extra: #", "region": "eu-west-1""#),
                "manifests/foreign-key.json": Scenario.manifest(
                    foreignKey,
                    extra: #", "encryption": {"type": "CUSTOMER_KEY", "kmsKeyArn": "\#(otherAccountKey)"}"#
                ),
            ],
            scope: #"{"tableNames": ["sentinel-*"], "regions": ["us-east-1"], "kmsKeyAccounts": ["123456789012"]}"#
        )
        let run = try await scenario.runOnce()
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        let outcomes = try await scenario.outcomes()
        #expect(outcomes[inside] == "created")
        #expect(outcomes[payments] == "invalid")
        #expect(outcomes[west] == "invalid")
        #expect(outcomes[foreignKey] == "invalid")
        let errors = Dictionary(
            scenario.records().compactMap { record in record.table.map { ($0, record.error ?? "") } },
            uniquingKeysWith: { $1 }
        )
        #expect(
            errors[payments]?.contains("$.tableName: \"\(payments)\" is outside scope.tableNames (sentinel-*)") == true
        )
        #expect(errors[west]?.contains("$.region: \"eu-west-1\" is outside scope.regions (us-east-1)") == true)
        #expect(errors[foreignKey]?.contains("$.encryption.kmsKeyArn: the key's account \"999999999999\"") == true)
        let touched = try await scenario.aws.journal().compactMap(\.table)
        #expect(!touched.contains { [payments, west, foreignKey].contains($0) || $0.contains("999999999999") })
    }

    @Test("an unmanaged table is flagged and untouched; adopt shows the plan and tags it; scope.adopt allows it")
    func unmanagedAndAdopt() async throws {
        let payments = Scenario.unique("payments")
        let legacy = Scenario.unique("legacy")
        let ttlManifest = { (name: String) in
            #"{"tableName": "\#(name)", "partitionKey": {"name": "id", "type": "S"}, "ttlAttribute": "createdAt"}"#
        }
        let scenario = try await Scenario(
            files: ["manifests/payments.json": ttlManifest(payments), "manifests/legacy.json": ttlManifest(legacy)],
            scope: #"{"adopt": ["\#(legacy)"]}"#
        )
        // Another team's tables, with items whose createdAt is a past epoch time.
        try await scenario.boto(
            """
            for name in ["\(payments)", "\(legacy)"]:
                ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
                wait_active(name)
                ddb.put_item(TableName=name, Item={"id": {"S": "a"}, "createdAt": {"N": "1600000000"}})
            """
        )
        let since = try await scenario.aws.journal().last?.seq ?? 0
        let run = try await scenario.runOnce()
        #expect(run.status == 2)
        let flagged = try #require(scenario.records().last { $0.table == payments })
        #expect(flagged.outcome == "flagged")
        #expect(flagged.changes?.map(\.reason) == ["unmanaged"])
        let mutations = ["UpdateTable", "UpdateTimeToLive", "TagResource", "UntagResource", "UpdateContinuousBackups"]
        let calls = try await scenario.aws.journal(since: since).filter { $0.table == payments }.map(\.operation)
        #expect(!calls.contains { mutations.contains($0) }, "\(calls)")
        // scope.adopt names the legacy table: it is reconciled, and enabling TTL on it is destructive.
        let legacyRecord = try #require(scenario.records().last { $0.table == legacy })
        #expect(legacyRecord.changes?.contains { $0.field == "ttlAttribute" && $0.reason == "destructive" } == true)
        #expect(
            try await scenario.boto(
                """
                print([ddb.describe_time_to_live(TableName=n)["TimeToLiveDescription"]["TimeToLiveStatus"]
                       for n in ["\(payments)", "\(legacy)"]])
                """
            ) == "['DISABLED', 'DISABLED']"
        )

        // adopt refuses to go on without a confirmation it cannot ask for.
        let unconfirmed = try await scenario.tablekeeper([
            "adopt", "--config", scenario.configPath, "--table", payments,
        ])
        #expect(unconfirmed.status == 1)
        #expect(unconfirmed.stderr.contains("--yes"))
        let adopted = try await scenario.tablekeeper([
            "adopt", "--config", scenario.configPath, "--table", payments, "--yes",
        ])
        #expect(adopted.status == 0, "\(adopted.stdout)\(adopted.stderr)")
        #expect(adopted.stdout.contains("ttlAttribute"), "\(adopted.stdout)")
        #expect(adopted.stdout.contains("adopted \(payments)"))
        #expect(
            try await Scenario.waitUntil(.seconds(20)) {
                let again = try await scenario.runOnce()
                return again.status == 2
                    && scenario.records().last { $0.table == payments }?.changes?.contains {
                        $0.field == "ttlAttribute" && $0.reason == "destructive"
                    } == true
            }
        )
        let twice = try await scenario.tablekeeper([
            "adopt", "--config", scenario.configPath, "--table", payments, "--yes",
        ])
        #expect(twice.status == 0)
        #expect(twice.stdout.contains("already managed"))
        let missing = try await scenario.tablekeeper(["adopt", "--config", scenario.configPath, "--table", "nope"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no manifest on main names nope"))
    }
}
