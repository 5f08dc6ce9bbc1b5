public import AWSCore

/// Typed DynamoDB control-plane operations over an `AWSJSONClient`.
public struct DynamoDBClient: Sendable {
    /// The underlying JSON client.
    public let client: AWSJSONClient

    /// Creates a typed client; `client` must be for `AWSService.dynamoDB`.
    public init(client: AWSJSONClient) {
        self.client = client
    }

    struct TableNameInput: Encodable {
        var TableName: String
    }

    struct TableOutput: Decodable {
        var Table: TableDescription?
        var TableDescription: TableDescription?
    }

    /// CreateTable; returns the new table's description (real DynamoDB: `CREATING`).
    public func createTable(_ input: CreateTableInput) async throws(AWSError) -> TableDescription {
        let output = try await client.call("CreateTable", input, as: TableOutput.self)
        return output.TableDescription ?? TableDescription()
    }

    /// DescribeTable; nil when the table does not exist.
    public func describeTable(_ name: String) async throws(AWSError) -> TableDescription? {
        let output: TableOutput
        do {
            output = try await client.call("DescribeTable", TableNameInput(TableName: name), as: TableOutput.self)
        } catch  where error.kind == .notFound {
            // Absence is only ResourceNotFoundException.
            return nil
        }
        guard let table = output.Table else { throw Self.memberMissing("DescribeTable", "Table") }
        return table
    }

    /// UpdateTable.
    public func updateTable(_ input: UpdateTableInput) async throws(AWSError) -> TableDescription {
        let output = try await client.call("UpdateTable", input, as: TableOutput.self)
        guard let table = output.TableDescription else { throw Self.memberMissing("UpdateTable", "TableDescription") }
        return table
    }

    /// A success whose body lacks the member that carries the answer: an error, never an empty or absent table.
    static func memberMissing(_ operation: String, _ member: String) -> AWSError {
        AWSError(
            operation: operation,
            code: "MalformedResponse",
            message:
                "the answer has no \(member) member, so nothing is concluded from it; the table is read again next cycle",
            kind: .other
        )
    }

    /// ListTables, all pages.
    public func listTables() async throws(AWSError) -> [String] {
        struct Input: Encodable {
            var ExclusiveStartTableName: String?
            var Limit: Int
        }
        struct Output: Decodable {
            var TableNames: [String]?
            var LastEvaluatedTableName: String?
        }
        var names: [String] = []
        var start: String?
        repeat {
            let page = try await client.call(
                "ListTables",
                Input(ExclusiveStartTableName: start, Limit: 100),
                as: Output.self
            )
            names += page.TableNames ?? []
            start = page.LastEvaluatedTableName
        } while start != nil
        return names
    }

    /// DescribeTimeToLive.
    public func describeTimeToLive(_ name: String) async throws(AWSError) -> TimeToLiveDescription {
        struct Output: Decodable {
            var TimeToLiveDescription: TimeToLiveDescription?
        }
        let output = try await client.call("DescribeTimeToLive", TableNameInput(TableName: name), as: Output.self)
        return output.TimeToLiveDescription ?? TimeToLiveDescription(TimeToLiveStatus: "DISABLED", AttributeName: nil)
    }

    /// UpdateTimeToLive.
    public func updateTimeToLive(_ name: String, attribute: String, enabled: Bool) async throws(AWSError) {
        struct Specification: Encodable {
            var Enabled: Bool
            var AttributeName: String
        }
        struct Input: Encodable {
            var TableName: String
            var TimeToLiveSpecification: Specification
        }
        struct Output: Decodable {}
        _ = try await client.call(
            "UpdateTimeToLive",
            Input(TableName: name, TimeToLiveSpecification: Specification(Enabled: enabled, AttributeName: attribute)),
            as: Output.self
        )
    }

    /// DescribeContinuousBackups.
    public func describeContinuousBackups(_ name: String) async throws(AWSError) -> ContinuousBackupsDescription {
        struct Output: Decodable {
            var ContinuousBackupsDescription: ContinuousBackupsDescription?
        }
        let output = try await client.call(
            "DescribeContinuousBackups",
            TableNameInput(TableName: name),
            as: Output.self
        )
        return output.ContinuousBackupsDescription ?? ContinuousBackupsDescription()
    }

    /// UpdateContinuousBackups (point-in-time recovery on or off).
    public func updateContinuousBackups(_ name: String, pointInTimeRecovery: Bool) async throws(AWSError) {
        struct Specification: Encodable {
            var PointInTimeRecoveryEnabled: Bool
        }
        struct Input: Encodable {
            var TableName: String
            var PointInTimeRecoverySpecification: Specification
        }
        struct Output: Decodable {}
        _ = try await client.call(
            "UpdateContinuousBackups",
            Input(
                TableName: name,
                PointInTimeRecoverySpecification: Specification(PointInTimeRecoveryEnabled: pointInTimeRecovery)
            ),
            as: Output.self
        )
    }

    /// ListTagsOfResource, all pages; the table must be given by ARN.
    public func listTags(_ arn: String) async throws(AWSError) -> [TagShape] {
        struct Input: Encodable {
            var ResourceArn: String
            var NextToken: String?
        }
        struct Output: Decodable {
            var Tags: [TagShape]?
            var NextToken: String?
        }
        var tags: [TagShape] = []
        var token: String?
        repeat {
            let page = try await client.call(
                "ListTagsOfResource",
                Input(ResourceArn: arn, NextToken: token),
                as: Output.self
            )
            tags += page.Tags ?? []
            token = page.NextToken
        } while token != nil
        return tags
    }

    /// TagResource.
    public func tagResource(_ arn: String, tags: [TagShape]) async throws(AWSError) {
        struct Input: Encodable {
            var ResourceArn: String
            var Tags: [TagShape]
        }
        struct Output: Decodable {}
        _ = try await client.call("TagResource", Input(ResourceArn: arn, Tags: tags), as: Output.self)
    }

    /// UntagResource.
    public func untagResource(_ arn: String, keys: [String]) async throws(AWSError) {
        struct Input: Encodable {
            var ResourceArn: String
            var TagKeys: [String]
        }
        struct Output: Decodable {}
        _ = try await client.call("UntagResource", Input(ResourceArn: arn, TagKeys: keys), as: Output.self)
    }
}

/// KMS operations Tablekeeper needs.
public struct KMSClient: Sendable {
    /// The underlying JSON client.
    public let client: AWSJSONClient

    /// Creates a typed client; `client` must be for `AWSService.kms`.
    public init(client: AWSJSONClient) {
        self.client = client
    }

    /// DescribeKey: the key's metadata (its key ARN above all), for a key id, key ARN, alias name or alias ARN.
    public func describeKey(_ keyID: String) async throws(AWSError) -> KeyMetadata {
        struct Input: Encodable {
            var KeyId: String
        }
        struct Output: Decodable {
            var KeyMetadata: KeyMetadata?
        }
        let output = try await client.call("DescribeKey", Input(KeyId: keyID), as: Output.self)
        guard let metadata = output.KeyMetadata else {
            throw AWSError(operation: "DescribeKey", code: "EmptyResponse", message: "no KeyMetadata", kind: .other)
        }
        return metadata
    }
}
