import AWSCore
import DynamoDBControl
import Foundation
import TestSupport
import Testing

/// Every operation against the fidelity endpoint on loopback (moto itself only for its signature checking).
@Suite("DynamoDB and KMS operations against the fidelity endpoint")
struct DynamoDBClientTests {
    static func clients(
        _ endpoint: String,
        credentials: AWSCredentials = AWSCredentials(accessKeyID: "AKIDTEST", secretAccessKey: "secret", source: "test")
    ) -> (DynamoDBClient, KMSClient) {
        func make(_ service: AWSService) -> AWSJSONClient {
            AWSJSONClient(
                service: service,
                region: "us-east-1",
                endpoint: URL(string: endpoint)!,
                credentials: StaticCredentialProvider(credentials),
                retry: RetryStrategy(maxAttempts: 2, transientBase: .milliseconds(5)),
                // About the operations' shapes, not their timing: a CI machine running every suite at once can take
                // longer than the daemon's 10 s to answer a first CreateTable.
                timeout: .seconds(60)
            )
        }
        return (DynamoDBClient(client: make(.dynamoDB)), KMSClient(client: make(.kms)))
    }

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    @Test("create, describe, update, TTL, PITR, tags and list, as the reconciler uses them")
    func everyOperation() async throws {
        let (dynamo, kms) = Self.clients(try await FidelityEndpoint.shared().endpoint)
        let name = Self.uniqueName("ops")
        var input = CreateTableInput(
            TableName: name,
            AttributeDefinitions: [
                AttributeDefinition(AttributeName: "id", AttributeType: "S"),
                AttributeDefinition(AttributeName: "status", AttributeType: "S"),
            ],
            KeySchema: [KeySchemaElement(AttributeName: "id", KeyType: "HASH")],
            BillingMode: "PAY_PER_REQUEST"
        )
        input.GlobalSecondaryIndexes = [
            GlobalSecondaryIndexShape(
                IndexName: "gsi-status",
                KeySchema: [KeySchemaElement(AttributeName: "status", KeyType: "HASH")],
                Projection: ProjectionShape(ProjectionType: "ALL"),
                ProvisionedThroughput: nil
            )
        ]
        input.SSESpecification = SSESpecificationShape(Enabled: true, SSEType: "KMS")
        input.Tags = [TagShape(Key: "team", Value: "security")]
        input.DeletionProtectionEnabled = true
        let created = try await dynamo.createTable(input)
        #expect(created.TableName == name)
        #expect(created.TableStatus == "CREATING")

        // DescribeTable is eventually consistent and the table takes a while to be ACTIVE.
        let described = try await Self.waitUntilActive(dynamo, name)
        #expect(described.KeySchema == input.KeySchema)
        #expect(described.BillingModeSummary?.BillingMode == "PAY_PER_REQUEST")
        #expect(described.GlobalSecondaryIndexes?.first?.IndexName == "gsi-status")
        #expect(described.SSEDescription?.SSEType == "KMS")
        #expect(described.DeletionProtectionEnabled == true)
        let arn = try #require(described.TableArn)

        let managed = try await kms.describeKey("alias/aws/dynamodb")
        #expect(managed.Arn == described.SSEDescription?.KMSMasterKeyArn)

        try await dynamo.updateTimeToLive(name, attribute: "ttl", enabled: true)
        let ttl = try await dynamo.describeTimeToLive(name)
        #expect(ttl.AttributeName == "ttl")
        #expect(ttl.TimeToLiveStatus == "ENABLING")

        // Right after CreateTable, backups are not available yet: a classified, waitable error.
        var enabled = false
        for _ in 0..<50 where !enabled {
            do {
                try await dynamo.updateContinuousBackups(name, pointInTimeRecovery: true)
                enabled = true
            } catch {
                #expect(error.code == "ContinuousBackupsUnavailableException")
                #expect(error.kind == .stateConflict)
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let backups = try await dynamo.describeContinuousBackups(name)
        #expect(backups.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus == "ENABLED")

        try await dynamo.tagResource(arn, tags: (0..<12).map { TagShape(Key: "k\($0)", Value: "v\($0)") })
        // Tags show after a few seconds (eventually consistent, as the model documents).
        #expect(try await Self.eventually { try await dynamo.listTags(arn).count == 13 })
        try await dynamo.untagResource(arn, keys: ["k0"])
        #expect(try await Self.eventually { try await dynamo.listTags(arn).count == 12 })

        var update = UpdateTableInput(TableName: name)
        update.StreamSpecification = StreamSpecificationShape(StreamEnabled: true, StreamViewType: "NEW_IMAGE")
        let updated = try await dynamo.updateTable(update)
        #expect(updated.StreamSpecification?.StreamViewType == "NEW_IMAGE")

        #expect(try await dynamo.listTables().contains(name))
        #expect(try await dynamo.describeTable(Self.uniqueName("missing")) == nil)
    }

    @Test("ListTables follows every page")
    func listTablesPages() async throws {
        let server = try await FidelityEndpoint.start()
        defer { server.stop() }
        let (dynamo, _) = Self.clients(server.endpoint)
        for index in 0..<105 {
            _ = try await dynamo.createTable(
                CreateTableInput(
                    TableName: String(format: "page-%03d", index),
                    AttributeDefinitions: [AttributeDefinition(AttributeName: "id", AttributeType: "S")],
                    KeySchema: [KeySchemaElement(AttributeName: "id", KeyType: "HASH")],
                    BillingMode: "PAY_PER_REQUEST"
                )
            )
        }
        #expect(try await dynamo.listTables().count == 105)
    }

    @Test("a missing KMS key is a not-found error")
    func missingKey() async throws {
        let (_, kms) = Self.clients(try await FidelityEndpoint.shared().endpoint)
        do {
            _ = try await kms.describeKey("arn:aws:kms:us-east-1:123456789012:alias/does-not-exist")
            Issue.record("no error")
        } catch {
            #expect(error.kind == .notFound)
            #expect(error.operation == "DescribeKey")
        }
    }

    @Test("with signature checking on, a wrong secret fails with a clear error and no secret in it")
    func signatureChecking() async throws {
        let server = try await MotoServer.start(environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "3"])
        defer { server.stop() }
        let key = try await Self.createIAMKey(server)
        let (good, _) = Self.clients(
            server.endpoint,
            credentials: AWSCredentials(accessKeyID: key.id, secretAccessKey: key.secret, source: "test")
        )
        _ = try await good.listTables()
        let wrongSecret = "not-the-secret-\(UUID().uuidString)"
        let (bad, _) = Self.clients(
            server.endpoint,
            credentials: AWSCredentials(accessKeyID: key.id, secretAccessKey: wrongSecret, source: "environment")
        )
        do {
            _ = try await bad.listTables()
            Issue.record("a wrong secret was accepted")
        } catch {
            #expect(error.kind == .authentication)
            #expect(error.message.contains("the signature or key was refused"))
            #expect(error.message.contains("\(key.id) from environment"))
            #expect(!error.description.contains(wrongSecret))
            #expect(!error.description.contains("Signature="))
        }
    }

    /// DescribeTable until the table and its indexes are ACTIVE (10 s at most).
    static func waitUntilActive(_ dynamo: DynamoDBClient, _ name: String) async throws -> TableDescription {
        for _ in 0..<100 {
            if let table = try await dynamo.describeTable(name), table.TableStatus == "ACTIVE",
                table.GlobalSecondaryIndexes?.allSatisfy({ $0.IndexStatus == "ACTIVE" }) ?? true
            {
                return table
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw AWSError(operation: "DescribeTable", code: "Timeout", message: "\(name) not ACTIVE", kind: .other)
    }

    /// Whether `condition` holds within 5 s.
    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<50 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Creates an IAM user with DynamoDB access and an access key in moto (the three unauthenticated calls).
    static func createIAMKey(_ server: MotoServer) async throws -> (id: String, secret: String) {
        let script = """
            import boto3, json, sys
            iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                               aws_access_key_id="AKIDSETUP", aws_secret_access_key="setup")
            iam.create_user(UserName="reconciler")
            policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}
            iam.put_user_policy(UserName="reconciler", PolicyName="ddb", PolicyDocument=json.dumps(policy))
            key = iam.create_access_key(UserName="reconciler")["AccessKey"]
            print(json.dumps([key["AccessKeyId"], key["SecretAccessKey"]]))
            """
        let result = try await ProcessRunner.run("/usr/bin/env", ["python3", "-c", script, server.endpoint])
        let pair = try JSONDecoder().decode([String].self, from: Data(result.stdout.utf8))
        return (pair[0], pair[1])
    }
}
