public import AWSCore
public import DynamoDBControl

/// The lease table: made if missing (PAY_PER_REQUEST, KMS-encrypted, partition key `name`), never deleted.
public enum LeaseTable {
    /// What `ensure` found or did.
    public enum Outcome: Sendable, Equatable {
        /// The table is ACTIVE (or UPDATING): leases can be read and written.
        case ready
        /// It is being created (by this daemon or another): look again later.
        case creating
    }

    /// The table ready, or being created; this daemon creates it when it is missing.
    public static func ensure(_ client: DynamoDBClient, table: String) async throws(AWSError) -> Outcome {
        if let description = try await client.describeTable(table) {
            return ["ACTIVE", "UPDATING"].contains(description.TableStatus ?? "ACTIVE") ? .ready : .creating
        }
        var input = CreateTableInput(
            TableName: table,
            AttributeDefinitions: [AttributeDefinition(AttributeName: LeaseRecord.Attribute.name, AttributeType: "S")],
            KeySchema: [KeySchemaElement(AttributeName: LeaseRecord.Attribute.name, KeyType: "HASH")],
            BillingMode: "PAY_PER_REQUEST"
        )
        input.SSESpecification = SSESpecificationShape(Enabled: true, SSEType: "KMS")
        do throws(AWSError) {
            _ = try await client.createTable(input)
        } catch  where error.kind == .stateConflict {
            // Another daemon created it first.
        }
        return .creating
    }
}
